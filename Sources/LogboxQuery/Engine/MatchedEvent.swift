public import LogboxStore

/// One matching event, read from its segment: what `QueryEngine.newest` hands out.
public struct MatchedEvent: Sendable {
    public let segment: SegmentReader
    public let doc: UInt32
    public let event: StoredEvent

    public init(segment: SegmentReader, doc: UInt32, event: StoredEvent) {
        self.segment = segment
        self.doc = doc
        self.event = event
    }

    /// The name of one of the event's fields.
    public func fieldName(_ field: StoredField) -> String {
        let names = self.segment.meta.fieldNames
        return Int(field.name) < names.count ? names[Int(field.name)] : "_"
    }

    /// The input the event came from (`auth.log`).
    public var sourceName: String {
        let sources = self.segment.meta.sources
        return Int(self.event.source) < sources.count ? sources[Int(self.event.source)] : ""
    }

    /// The path of the file it was read from, nil for network and stdin inputs.
    public var fileName: String? {
        let sources = self.segment.meta.sources
        guard self.event.file != StoredEvent.noFile, Int(self.event.file) < sources.count else { return nil }
        return sources[Int(self.event.file)]
    }
}
