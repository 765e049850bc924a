public import LogboxCore

/// `level`: gives events a normalized `level` (DESIGN.md's nine names) from the first of `from`
/// that reads as one: a syslog severity number (0 emergency … 7 debug) or a level word (`WARN`,
/// `err`, `E`, `fatal`, `panic`, …).
///
/// The field that was read stays as written; `level` is added over the same bytes with kind
/// `.level`, so no value is copied. An event that already has a normalized `level` is left alone;
/// a `level` field whose word was not recognized is replaced when another field gives a level.
public struct LevelStep: EnrichStep {
    public let name: String
    private let sourceNames: [String]
    private var ids: [FieldID] = []
    private var added: [(event: Int, field: FieldSlot)] = []

    public init(name: String, from fields: [String] = LevelStepDefaults.sourceFields) {
        self.name = name
        self.sourceNames = fields
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        if self.ids.count != self.sourceNames.count {
            self.ids = self.sourceNames.map { batch.names.intern($0) }
        }
        self.added.removeAll(keepingCapacity: true)
        let bytes = batch.lines.bytes
        let span = bytes.span
        for event in 0..<batch.count where selection.contains(event) {
            let existing = batch.fieldIndex(.level, of: event)
            if let existing, batch.fields[existing].kind == .level { continue }
            var found: (Level, FieldSlot)?
            for id in self.ids {
                guard let index = batch.fieldIndex(id, of: event) else { continue }
                let field = batch.fields[index]
                if let level = Self.level(of: field, in: span) {
                    found = (level, field)
                    break
                }
            }
            guard let (level, field) = found else { continue }
            if let existing {
                batch.setField(existing, kind: .level, range: field.range, payload: Int64(level.rawValue))
            } else {
                let slot = FieldSlot(
                    name: .level,
                    kind: .level,
                    start: field.start,
                    length: field.length,
                    payload: Int64(level.rawValue)
                )
                self.added.append((event, slot))
            }
        }
        batch.addFields(self.added)
    }

    /// The level a field's value reads as, if any.
    static func level(of field: FieldSlot, in bytes: Span<UInt8>) -> Level? {
        switch field.kind {
        case .level:
            return Level(rawValue: UInt8(truncatingIfNeeded: field.payload))
        case .integer:
            return Level(syslogSeverity: Int(field.payload))
        case .text, .jsonEscaped, .structuredDataEscaped:
            let range = field.range
            guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
            return Level(word: bytes.extracting(range))
        default:
            return nil
        }
    }
}
