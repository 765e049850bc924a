// LogboxPipeline owns pipeline configuration, sources, enrich steps, routing, checkpoints and the run loop.
// The module is declared so that the dependency graph of DESIGN.md holds from the start;
// it has no public API yet and nothing in Logbox calls it.
