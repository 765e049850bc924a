// LogboxQuery owns the query language, the predicate, the planner, the executor and the pipes.
// The module is declared so that the dependency graph of DESIGN.md holds from the start;
// it has no public API yet and nothing in Logbox calls it.
