// Times queries in process on an existing store: the "in process" columns of the query benchmark.
//
//   QueryBench DATA_DIR QUERIES_FILE [--reps N] [--budget SECONDS]
//
// QUERIES_FILE has one `name<TAB>query` per line. For each query it prints one JSON object per line:
// the name, the number of matches (or result rows for a query with pipes), and the p50/p99 of
// the wall time of N runs (at least 3; fewer than N when the runs exceed the budget) for two
// things: the whole answer (`count` for a filter, all result rows for pipes) and, for a filter,
// the newest 100 events with their stored text (what `logbox query` prints first).
// The snapshot is opened once, as a long-lived process (the daemon, an HTTP API) would.
import Foundation
import LogboxQuery
import LogboxStore

func percentile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    let rank = Int((q * Double(sorted.count - 1)).rounded())
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

func time(reps: Int, budget: Double, _ body: () throws -> Int) rethrows -> (result: Int, times: [Double]) {
    var times: [Double] = []
    var result = 0
    let start = DispatchTime.now().uptimeNanoseconds
    while times.count < reps {
        let before = DispatchTime.now().uptimeNanoseconds
        result = try body()
        let after = DispatchTime.now().uptimeNanoseconds
        times.append(Double(after - before) / 1e6)
        if times.count >= 3 && Double(after - start) / 1e9 > budget { break }
    }
    return (result, times)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var reps = 21
var budget = 20.0
if let index = arguments.firstIndex(of: "--reps") {
    reps = Int(arguments[index + 1]) ?? reps
    arguments.removeSubrange(index...index + 1)
}
if let index = arguments.firstIndex(of: "--budget") {
    budget = Double(arguments[index + 1]) ?? budget
    arguments.removeSubrange(index...index + 1)
}
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: QueryBench DATA_DIR QUERIES_FILE [--reps N] [--budget S]\n".utf8))
    exit(2)
}
let openStart = DispatchTime.now().uptimeNanoseconds
let snapshot = try StoreSnapshot(directory: arguments[0])
let engine = QueryEngine(snapshot: snapshot)
let openMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - openStart) / 1e6
print(
    #"{"name":"_open","events":\#(snapshot.eventCount),"segments":\#(snapshot.segments.count),"ms":\#(openMilliseconds)}"#
)

let lines = try String(contentsOfFile: arguments[1], encoding: .utf8).split(separator: "\n")
for line in lines where !line.hasPrefix("#") {
    let parts = line.split(separator: "\t", maxSplits: 1)
    guard parts.count == 2 else { continue }
    let name = String(parts[0])
    let text = String(parts[1])
    do {
        let query = try QueryParser.parse(text)
        let filter = try engine.prepare(query.filter)
        var fields: [String] = [#""name":"\#(name)""#]
        if query.pipes.isEmpty {
            let counted = try time(reps: reps, budget: budget) { try engine.count(filter, in: .everything) }
            fields.append(#""matches":\#(counted.result)"#)
            fields.append(#""runs":\#(counted.times.count)"#)
            fields.append(#""p50_ms":\#(percentile(counted.times, 0.5))"#)
            fields.append(#""p99_ms":\#(percentile(counted.times, 0.99))"#)
            let page = try time(reps: reps, budget: budget) { () throws -> Int in
                var printed = 0
                var bytes = 0
                try engine.newest(filter, in: .everything, limit: 100) { event in
                    printed += 1
                    bytes += event.event.line.count
                    return true
                }
                return printed + bytes * 0
            }
            fields.append(#""page_p50_ms":\#(percentile(page.times, 0.5))"#)
            fields.append(#""page_p99_ms":\#(percentile(page.times, 0.99))"#)
        } else {
            let piped = try time(reps: reps, budget: budget) { () throws -> Int in
                var runner = try PipeRunner(query.pipes, window: .everything)
                try engine.matches(filter, in: .everything) { matches in
                    try runner.consume(matches)
                    return true
                }
                return try runner.finish().rows.count
            }
            fields.append(#""rows":\#(piped.result)"#)
            fields.append(#""runs":\#(piped.times.count)"#)
            fields.append(#""p50_ms":\#(percentile(piped.times, 0.5))"#)
            fields.append(#""p99_ms":\#(percentile(piped.times, 0.99))"#)
        }
        print("{" + fields.joined(separator: ",") + "}")
    } catch let error as QueryError {
        print(#"{"name":"\#(name)","error":"\#(error.description.replacingOccurrences(of: "\"", with: "'"))"}"#)
    }
}
