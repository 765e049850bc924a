// LogboxServer owns the HTTP endpoints (/metrics, /healthz, the query and ingest API).
// The module is declared so that the dependency graph of DESIGN.md holds from the start;
// it has no public API yet and nothing in Logbox calls it.
