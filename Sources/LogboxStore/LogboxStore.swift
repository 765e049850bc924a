// LogboxStore owns the write-ahead log, inverted-index segments, merges, retention and recovery.
// The module is declared so that the dependency graph of DESIGN.md holds from the start;
// it has no public API yet and nothing in Logbox calls it.
