import ArgumentParser
import Glibc
import LogboxCore
import LogboxParse
import LogboxQuery
import LogboxStore

/// `logbox query`: search the store from a terminal, or feed another program.
struct QueryCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Search the stored events.",
        discussion: """
            QUERY filters events, then optional pipes shape the result:
              program:sshd AND "Failed password" AND NOT user:root
              status:>=500 method:POST path:/api/*
              client_ip:10.0.0.0/8 OR level:(error OR critical)
              /timeout after \\d+ms/
              level:error | stats count() by (service) | sort by (count desc) | head 10
            Bare words and "phrases" search the message; field:value matches a field exactly; \
            prefixes (pre*), wildcards, ranges ([a TO b], >=n), CIDR, /regex/, AND, OR, NOT (or -) \
            and parentheses combine them.

            The time window is the last 24 hours unless --since/--until say otherwise (--until alone: \
            the 24 hours before it); --all searches everything. Times are relative (15m, 2h, 7d, 1w), \
            RFC 3339, a local date or date and time (2026-11-29, '2026-11-29 14:00'), today, \
            yesterday or now.

            At a terminal: an aligned table with a histogram of matches above it, newest first, 100 \
            events unless --limit says otherwise. Piped: JSON lines, no limit. Exit status as grep: \
            0 when something matched (or a pipe produced rows), 1 when nothing did, 2 on an error.
            """
    )

    @Argument(help: "The query (quote it for the shell); '*' or '' for every event.")
    var query: String

    @Option(name: .long, help: "Start of the window: 15m, 2h, 7d, RFC 3339, a local date/time, today (default: 24h).")
    var since: String?

    @Option(name: .long, help: "End of the window (exclusive), in the same forms (default: none).")
    var until: String?

    @Flag(name: .long, help: "Search every stored event, whatever its time (not with --since).")
    var all = false

    @Option(
        name: .long,
        help: "Print at most this many events (default: 100 at a terminal, all when piped; 10 with --follow)."
    )
    var limit: Int?

    @Option(
        name: .long,
        help: "Output: table, json, raw (the stored lines) or csv (default: table at a terminal, json otherwise)."
    )
    var format: QueryEventWriter.Format?

    @Flag(name: .long, help: "Print only the number of matching events.")
    var count = false

    @Flag(name: .long, help: "Keep running and print new matching events as they are stored, until Ctrl-C.")
    var follow = false

    @Flag(name: .long, help: "Do not cut long messages to the terminal's width.")
    var wide = false

    @Option(name: .long, help: "Time zone of times written without one and of the table: an IANA name, UTC, or local.")
    var timezone: String = "local"

    @OptionGroup var store: DataDirectoryOptions

    static let day: Int64 = 86_400 * 1_000_000_000

    /// What the options ask for, checked before the store is opened.
    struct Plan {
        var query: Query
        var window: TimeWindow
        var zone: TimeZoneRules
        var now: Int64
    }

    func execute(output: Output, errors: Output) -> Int32 {
        let plan: Plan
        switch self.plan(errors: errors) {
        case .success(let made): plan = made
        case .failure(let status): return status.code
        }
        let directory = self.store.resolved
        guard Self.storeExists(directory) else {
            errors.write(
                "logbox query: no store at \(Self.shown(directory)); import logs with 'logbox import' or run 'logbox run'\n"
            )
            return 2
        }
        let snapshot: StoreSnapshot
        do {
            snapshot = try StoreSnapshot(directory: directory)
        } catch {
            errors.write("logbox query: cannot read the store at \(Self.shown(directory)): \(error)\n")
            return 2
        }
        if !snapshot.unreadable.isEmpty {
            let names = snapshot.unreadable.map { SegmentInfo.directoryName($0.id) }.joined(separator: ", ")
            errors.write(
                "logbox query: warning: \(snapshot.unreadable.count) segment(s) of \(Self.shown(directory)) could not be read and are left out (\(names)); run 'logbox index verify'\n"
            )
        }
        let engine = QueryEngine(snapshot: snapshot)
        let filter: PreparedFilter
        do {
            filter = try engine.prepare(plan.query.filter)
        } catch {
            errors.write(error.rendered(query: self.query) + "\n")
            return 2
        }
        self.warnAboutUnknownFields(plan.query, engine: engine, errors: errors)
        errors.flush()  // warnings before results, and at once when following

        do {
            if self.count {
                let matched = try engine.count(filter, in: plan.window)
                output.write("\(matched)\n")
                output.flush()
                return matched > 0 ? 0 : 1
            }
            if !plan.query.pipes.isEmpty {
                return try self.runPipes(plan, engine: engine, filter: filter, output: output)
            }
            if self.follow {
                var follower = QueryFollower(
                    directory: directory,
                    filter: filter,
                    writer: self.eventWriter(output: output, plan: plan),
                    errors: errors
                )
                return try follower.run(
                    engine: engine,
                    snapshot: snapshot,
                    window: plan.window,
                    limit: self.limit ?? 10
                )
            }
            return try self.runEvents(
                plan,
                engine: engine,
                snapshot: snapshot,
                filter: filter,
                output: output,
                errors: errors
            )
        } catch {
            output.flush()
            errors.write(self.describe(error, directory: directory) + "\n")
            return 2
        }
    }

    // MARK: Options

    /// An exit status carried as an error, for `Result`.
    struct Status: Error {
        var code: Int32
    }

    /// Checks the options, parses the query and the times; on a problem, says so and gives the status.
    func plan(errors: Output) -> Result<Plan, Status> {
        func fail(_ message: String) -> Result<Plan, Status> {
            errors.write("logbox query: \(message)\n")
            return .failure(Status(code: 2))
        }
        if self.all && self.since != nil {
            return fail("--all and --since do not combine: --all already searches every stored event")
        }
        if let limit, limit < 1 { return fail("--limit must be at least 1") }
        if self.count && self.follow { return fail("--count and --follow do not combine") }
        if self.follow && self.until != nil {
            return fail("--follow prints events as they arrive; it does not combine with --until")
        }
        let zone: TimeZoneRules
        do {
            zone = try TimeZoneRules(named: self.timezone)
        } catch {
            return fail("--timezone: \(error)")
        }
        let query: Query
        do {
            query = try QueryParser.parse(self.query)
        } catch {
            errors.write(error.rendered(query: self.query) + "\n")
            return .failure(Status(code: 2))
        }
        if !query.pipes.isEmpty {
            if self.count {
                return fail("--count prints the number of matching events; it does not combine with pipes (|)")
            }
            if self.follow { return fail("--follow prints events; it does not combine with pipes (|)") }
        }
        let now = StoreWriter.now()
        var window = TimeWindow(from: nil, to: nil)
        for (name, text) in [("--until", self.until), ("--since", self.since)] {
            guard let text else { continue }
            do {
                let time = try TimeExpression.parse(text, now: now, zone: zone)
                if name == "--until" { window.to = time } else { window.from = time }
            } catch {
                return fail("\(name) '\(text)': \(error.message)" + (error.hint.map { " (\($0))" } ?? ""))
            }
        }
        if !self.all && self.since == nil {
            window.from = (window.to ?? now) - Self.day
        }
        if let from = window.from, let to = window.to, from >= to {
            return fail("the window is empty: --since is not before --until")
        }
        return .success(Plan(query: query, window: window, zone: zone, now: now))
    }

    /// Whether `directory` holds a store: its manifest, or at least a WAL a writer has started.
    static func storeExists(_ directory: String) -> Bool {
        let fileSystem = FileSystem()
        return fileSystem.exists(StoreWriter.manifestPath(directory))
            || fileSystem.exists(StoreWriter.walDirectory(directory))
    }

    /// The directory as the user would type it (`./data` for a relative path).
    static func shown(_ directory: String) -> String {
        directory.hasPrefix("/") || directory.hasPrefix(".") ? directory : "./\(directory)"
    }

    /// A warning per field no stored event has, naming the closest known ones; the query still runs.
    func warnAboutUnknownFields(_ query: Query, engine: QueryEngine, errors: Output) {
        let known = engine.knownFields
        var unknown = engine.unknownFields(in: query.filter).map { (field: $0.field, column: Optional($0.column)) }
        var seen = Set(unknown.map(\.field))
        for field in Self.fieldsRead(by: query.pipes)
        where field != "_time" && !known.contains(field) && !seen.contains(field) {
            unknown.append((field, nil))
            seen.insert(field)
        }
        for (field, column) in unknown {
            let place = column.map { " (column \($0))" } ?? ""
            var text = "logbox query: warning: no stored event has the field '\(field)'\(place)"
            let closest = FieldSuggestions.closest(to: field, among: known)
            if !closest.isEmpty { text += "; did you mean \(closest.joined(separator: ", "))?" }
            errors.write(text + "\n")
        }
    }

    /// The event fields pipes read (not the columns earlier pipes make, such as `count`).
    static func fieldsRead(by pipes: [Pipe]) -> [String] {
        var fields: [String] = []
        for pipe in pipes {
            switch pipe {
            case .stats(let aggregations, let by), .timechart(_, let aggregations, let by):
                fields += aggregations.compactMap(\.field) + by
                return fields  // later pipes read the result table's columns
            case .top(_, let field, _):
                fields.append(field)
                return fields
            case .sort, .head, .tail, .fields, .where:
                continue
            }
        }
        return fields
    }

    func describe(_ error: any Error, directory: String) -> String {
        if let error = error as? QueryError {
            switch error.kind {
            case .store: return "logbox query: cannot read the store at \(Self.shown(directory)): \(error.message)"
            default:
                // With a column, the query and its caret start the message, so the caret lines up.
                let rendered = error.rendered(query: self.query)
                return error.column == nil ? "logbox query: " + rendered : rendered
            }
        }
        if let error = error as? StoreError {
            return "logbox query: cannot read the store at \(Self.shown(directory)): \(error)"
        }
        return "logbox query: \(error)"
    }

    // MARK: Running

    func outputFormat(_ output: Output) -> QueryEventWriter.Format {
        self.format ?? (output.isTerminal ? .table : .json)
    }

    func eventWriter(output: Output, plan: Plan) -> QueryEventWriter {
        let format = self.outputFormat(output)
        return QueryEventWriter(
            format: format,
            output: output,
            color: output.isTerminal && format == .table && getenv("NO_COLOR") == nil,
            width: output.width,
            wide: self.wide,
            time: QueryLocalTime(zone: plan.zone)
        )
    }

    /// Matching events, newest first, streamed: a histogram above them and a footer below at a terminal.
    func runEvents(
        _ plan: Plan,
        engine: QueryEngine,
        snapshot: StoreSnapshot,
        filter: PreparedFilter,
        output: Output,
        errors: Output
    ) throws -> Int32 {
        let limit = self.limit ?? (output.isTerminal ? 100 : nil)
        var writer = self.eventWriter(output: output, plan: plan)
        let decorate = output.isTerminal && writer.format == .table
        var total: Int?
        if decorate, let range = Self.histogramRange(plan, snapshot: snapshot) {
            let buckets = Sparkline.bucketCount(width: output.width)
            let counts = try engine.histogram(
                filter,
                in: TimeWindow(from: range.lowerBound, to: range.upperBound),
                buckets: buckets
            )
            let sparkline = Sparkline(counts: counts, from: range.lowerBound, to: range.upperBound)
            total = sparkline.total
            if sparkline.total > 0 {
                output.write(sparkline.line(label: writer.time.minutes) + "\n")
                output.flush()
            }
        }
        var printed = 0
        var more = false
        // One more than the limit, to know whether there were more.
        try engine.newest(filter, in: plan.window, limit: limit.map { $0 + 1 }) { match in
            if let limit, printed == limit {
                more = true
                return false
            }
            writer.write(match.event, of: match.segment)
            printed += 1
            if printed == 1 || printed % 1024 == 0 { output.flush() }
            return true
        }
        writer.finish()
        if decorate {
            if printed == 0 {
                errors.write("no matching events \(self.windowDescription(plan))\n")
            } else if more {
                let matched = try total ?? engine.count(filter, in: plan.window)
                errors.write("\(printed) of \(matched) matching events (newest first); --limit to see more\n")
            } else {
                errors.write("\(printed) matching event\(printed == 1 ? "" : "s") (newest first)\n")
            }
        }
        return printed > 0 ? 0 : 1
    }

    /// The time range the histogram covers: the window, with open ends closed at the data (and now).
    static func histogramRange(_ plan: Plan, snapshot: StoreSnapshot) -> Range<Int64>? {
        let segments = snapshot.segments.filter {
            $0.docCount > 0 && plan.window.overlaps(minTime: $0.meta.minTime, maxTime: $0.meta.maxTime)
        }
        guard let oldest = segments.map(\.meta.minTime).min(), let newest = segments.map(\.meta.maxTime).max() else {
            return nil
        }
        let from = plan.window.from ?? oldest
        // A window open at the end runs to now, or to the newest event when it lies ahead (clock skew).
        let to = plan.window.to ?? (plan.window.from == nil ? newest + 1 : max(newest + 1, plan.now))
        return from < to ? from..<to : nil
    }

    func windowDescription(_ plan: Plan) -> String {
        if self.all && self.until == nil { return "in the store" }
        let time = QueryLocalTime(zone: plan.zone)
        let from = plan.window.from.map { "from \(time.minutes($0))" } ?? ""
        let to = plan.window.to.map { " until \(time.minutes($0))" } ?? ""
        let hint = self.since == nil && !self.all ? "; --since or --all to look further back" : ""
        return from + to + hint
    }

    /// A query with pipes: every match goes through them, then the table they make is printed.
    func runPipes(_ plan: Plan, engine: QueryEngine, filter: PreparedFilter, output: Output) throws -> Int32 {
        var runner = try PipeRunner(plan.query.pipes, window: plan.window)
        try engine.matches(filter, in: plan.window) { matches in
            try runner.consume(matches)
            return runner.wantsMoreInput
        }
        let table = try runner.finish()
        let format = self.outputFormat(output)
        QueryResultWriter(
            format: format,
            output: output,
            color: output.isTerminal && format == .table && getenv("NO_COLOR") == nil,
            width: output.width,
            wide: self.wide,
            time: QueryLocalTime(zone: plan.zone)
        ).write(table)
        return table.rows.isEmpty ? 1 : 0
    }
}

extension QueryEventWriter.Format: ExpressibleByArgument {}
