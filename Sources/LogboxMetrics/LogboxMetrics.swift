// LogboxMetrics owns self-metrics, log-derived metrics and the Prometheus text exposition.
// The module is declared so that the dependency graph of DESIGN.md holds from the start;
// it has no public API yet and nothing in Logbox calls it.
