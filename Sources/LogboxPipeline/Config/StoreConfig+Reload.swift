extension StoreConfig {
    /// The `store` keys that differ in `next` and that only a restart applies, as the config
    /// spells them: the store is opened with its flush, sync and merge settings. Retention is
    /// not among them: the writer reads it from the config a reload swaps in.
    func keysNeedingRestart(toBecome next: StoreConfig) -> [String] {
        var keys: [String] = []
        if next.flushInterval != self.flushInterval { keys.append("store.flush_interval") }
        if next.syncInterval != self.syncInterval { keys.append("store.sync_interval") }
        if next.mergeFactor != self.mergeFactor { keys.append("store.merge_factor") }
        return keys
    }
}
