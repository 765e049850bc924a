/// Shows how a long command is going: a live bar at a terminal, a plain line every few seconds otherwise.
///
/// At a terminal: `[########------------]  41%  81.2 MB/198.0 MB  312k events/s  ETA 0:09`, redrawn
/// in place at most ten times a second. Not at a terminal (a log, CI): one line every five seconds,
/// so a redirected run leaves a readable record instead of carriage returns.
struct ProgressReporter {
    let output: Output
    let totalBytes: Int64
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDraw: ContinuousClock.Instant
    private var drewBar = false

    init(output: Output, totalBytes: Int64) {
        self.output = output
        self.totalBytes = totalBytes
        self.started = self.clock.now
        self.lastDraw = self.started
    }

    var elapsedSeconds: Double { Self.seconds(self.clock.now - self.started) }

    mutating func update(bytes: Int64, events: Int) {
        let now = self.clock.now
        let interval: Duration = self.output.isTerminal ? .milliseconds(100) : .seconds(5)
        guard now - self.lastDraw >= interval else { return }
        self.lastDraw = now
        let elapsed = max(Self.seconds(now - self.started), 0.001)
        let rate = Double(events) / elapsed
        let fraction = self.totalBytes > 0 ? min(1, Double(bytes) / Double(self.totalBytes)) : 0
        let remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let amounts = "\(Self.megabytes(bytes))/\(Self.megabytes(self.totalBytes))"
        if self.output.isTerminal {
            let width = 20
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let percent = Int(fraction * 100)
            self.output.write(
                "\r[\(bar)] \(percent < 10 ? "  " : percent < 100 ? " " : "")\(percent)%  \(amounts)  \(Self.count(rate)) events/s  ETA \(Self.clockTime(remaining))\u{1B}[K"
            )
            self.drewBar = true
        } else {
            self.output.write(
                "import: \(amounts) (\(Int(fraction * 100))%), \(events) events, \(Self.count(rate)) events/s\n"
            )
        }
        self.output.flush()
    }

    /// Ends the bar's line so the summary starts on a fresh one.
    mutating func finish() {
        if self.drewBar {
            self.output.write("\r\u{1B}[K")
            self.output.flush()
            self.drewBar = false
        }
    }

    static func megabytes(_ bytes: Int64) -> String { ParseCommand.decimal(Double(bytes) / 1_000_000, 1) + " MB" }

    static func count(_ value: Double) -> String {
        value >= 1_000_000
            ? ParseCommand.decimal(value / 1_000_000, 2) + "M"
            : value >= 1000 ? "\(Int(value / 1000))k" : "\(Int(value))"
    }

    static func clockTime(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let minutes = total / 60
        let rest = total % 60
        return "\(minutes):\(rest < 10 ? "0" : "")\(rest)"
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
