public import LogboxCore

/// What parsers need to know beyond the bytes: the time zone of zone-less timestamps and the
/// reference time that infers the year of a BSD syslog timestamp.
public struct ParseContext: Sendable {
    /// The zone of timestamps written without one (BSD syslog, ISO 8601 without offset).
    public var zone: TimeZoneRules
    /// Nanoseconds since the epoch: a file's modification time, or now for a stream.
    public var referenceTime: Int64

    public init(zone: TimeZoneRules = .utc, referenceTime: Int64) {
        self.zone = zone
        self.referenceTime = referenceTime
    }

    public var yearInference: YearInference {
        YearInference(referenceNanoseconds: self.referenceTime, zone: self.zone)
    }
}
