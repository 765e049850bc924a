import Foundation
import LogboxParse
import LogboxTestSupport
import Testing

/// Every example query of DESIGN.md's "Query language" section, on Samples/ imported into a store,
/// against answers computed here by brute force over the stored events.
@Suite("logbox query: the design's examples on Samples/")
struct QueryCommandExamplesTests {
    let store = SampleStore.shared

    /// The events matching `predicate`, after checking that the query prints exactly those, newest first.
    private func expectEvents(_ query: String, _ predicate: (StoredRow) -> Bool) throws -> [StoredRow] {
        try #require(self.store.importStatus == 0, "importing Samples/ failed")
        let expected = self.store.rows.filter(predicate)
        let raw = try self.store.query([query, "--all", "--format", "raw"])
        #expect(raw.status == (expected.isEmpty ? 1 : 0), "\(query): \(raw.errors)")
        #expect(raw.lines.sorted() == expected.map(\.line).sorted(), "\(query)")
        // Newest first: the printed lines' timestamps never increase.
        var times: [String: Int64] = [:]
        for row in expected { times[row.line] = row.timestamp }
        let printed = raw.lines.compactMap { times[$0] }
        #expect(printed == printed.sorted(by: >), "\(query): not newest first")
        let json = try self.store.query([query, "--all"])
        #expect(try json.objects().count == expected.count, "\(query)")
        return expected
    }

    @Test("program:sshd AND \"Failed password\" AND NOT user:root")
    func failedPasswords() throws {
        let expected = try self.expectEvents(#"program:sshd AND "Failed password" AND NOT user:root"#) {
            $0.fields["program"] == "sshd" && $0.hasPhrase(["failed", "password"]) && $0.fields["user"] != "root"
        }
        let attack = try #require(self.store.truth.auth.bruteForce)
        #expect(expected.filter { $0.line.contains(attack.ip) }.count == attack.failures)
    }

    @Test("status:>=500 method:POST path:/api/*")
    func serverErrorsOnPosts() throws {
        let expected = try self.expectEvents("status:>=500 method:POST path:/api/*") {
            ($0.numbers["status"] ?? 0) >= 500 && $0.fields["method"] == "POST"
                && ($0.fields["path"]?.hasPrefix("/api/") ?? false)
        }
        #expect(!expected.isEmpty)
    }

    @Test("client_ip:10.0.0.0/8 OR level:(error OR critical)")
    func networkOrLevels() throws {
        let expected = try self.expectEvents("client_ip:10.0.0.0/8 OR level:(error OR critical)") {
            $0.ipv4("client_ip")?.first == 10 || $0.fields["level"] == "error" || $0.fields["level"] == "critical"
        }
        #expect(expected.contains { $0.ipv4("client_ip")?.first == 10 })
        #expect(expected.contains { $0.fields["level"] == "critical" })
    }

    @Test("/timeout after \\d+ms/ (no line of Samples/ has it), and a regex that matches")
    func regex() throws {
        let pattern = try Regex(#"timeout after [0-9]+ms"#)
        let none = try self.expectEvents(#"/timeout after \d+ms/"#) { $0.text.contains(pattern) }
        #expect(none.isEmpty)
        let attacker = try Regex(#"from 203\.0\.113\.[0-9]+ port"#)
        let some = try self.expectEvents(#"/from 203\.0\.113\.\d+ port/"#) { $0.text.contains(attacker) }
        #expect(some.count >= self.store.truth.auth.bruteForce?.failures ?? 1)
    }

    @Test("level:error | stats count() by (service) | sort by (count desc) | head 10")
    func errorsByService() throws {
        var counts: [String?: Int] = [:]
        for row in self.store.rows where row.fields["level"] == "error" {
            counts[row.fields["service"], default: 0] += 1
        }
        let run = try self.store.query([
            "level:error | stats count() by (service) | sort by (count desc) | head 10", "--all",
        ])
        #expect(run.status == 0, "\(run.errors)")
        let rows = try run.objects()
        #expect(rows.count == min(10, counts.count))
        let printed = rows.map { $0["count"] as? Int ?? -1 }
        #expect(printed == printed.sorted(by: >))
        #expect(printed == Array(counts.values.sorted(by: >).prefix(10)))
        for row in rows {
            let service = row["service"] as? String
            #expect(counts[service] == row["count"] as? Int, "\(String(describing: service))")
        }
    }

    @Test("source:nginx_access.log | timechart span=5m count(), p95(request_time)")
    func timechart() throws {
        let span: Int64 = 300_000_000_000
        var buckets: [Int64: [Double]] = [:]
        var counts: [Int64: Int] = [:]
        for row in self.store.rows where row.source == "nginx_access.log" {
            let bucket = row.timestamp - ((row.timestamp % span) + span) % span
            counts[bucket, default: 0] += 1
            if let time = row.numbers["request_time"] { buckets[bucket, default: []].append(time) }
        }
        let run = try self.store.query([
            "source:nginx_access.log | timechart span=5m count(), p95(request_time)", "--all",
        ])
        #expect(run.status == 0, "\(run.errors)")
        let rows = try run.objects()
        let formatter = ISO8601DateFormatter()
        var seen = 0
        for row in rows {
            let timeText = try #require(
                (row["_time"] ?? row["timestamp"] ?? row["time"]) as? String,
                "no time column in \(row)"
            )
            let date = try #require(formatter.date(from: timeText), "\(timeText)")
            let bucket = Int64(date.timeIntervalSince1970) * 1_000_000_000
            let count = try #require(row["count"] as? Int)
            #expect(count == counts[bucket] ?? 0, "\(timeText)")
            seen += count
            if let values = buckets[bucket], !values.isEmpty {
                let p95 = try #require(
                    row["p95(request_time)"] as? Double ?? (row["p95(request_time)"] as? Int).map(Double.init)
                )
                let sorted = values.sorted()
                // Whatever interpolation the pipe uses, p95 lies between the 90th and the largest value.
                #expect(p95 >= sorted[Int(Double(sorted.count - 1) * 0.9)] - 1e-9 && p95 <= sorted.last! + 1e-9)
            }
        }
        #expect(seen == counts.values.reduce(0, +))
        #expect(seen == self.store.truth.nginx.requests)
    }

    @Test("client_ip:* | top 10 client_ip")
    func topClients() throws {
        var counts: [String: Int] = [:]
        for row in self.store.rows { if let ip = row.fields["client_ip"] { counts[ip, default: 0] += 1 } }
        let run = try self.store.query(["client_ip:* | top 10 client_ip", "--all"])
        #expect(run.status == 0, "\(run.errors)")
        let rows = try run.objects()
        #expect(rows.count == 10)
        let flood = try #require(self.store.truth.nginx.flood)
        #expect(rows.first?["client_ip"] as? String == flood.ip)
        #expect(rows.first?["count"] as? Int == flood.requests)
        let printed = rows.map { $0["count"] as? Int ?? -1 }
        #expect(printed == Array(counts.values.sorted(by: >).prefix(10)))
        for row in rows {
            let ip = try #require(row["client_ip"] as? String)
            #expect(counts[ip] == row["count"] as? Int, "\(ip)")
        }
    }

    @Test("program:sshd \"Failed password\" | stats count() by (host)")
    func failuresByHost() throws {
        var counts: [String: Int] = [:]
        for row in self.store.rows where row.fields["program"] == "sshd" && row.hasPhrase(["failed", "password"]) {
            counts[row.fields["host"] ?? "", default: 0] += 1
        }
        let run = try self.store.query([#"program:sshd "Failed password" | stats count() by (host)"#, "--all"])
        #expect(run.status == 0, "\(run.errors)")
        var printed: [String: Int] = [:]
        for row in try run.objects() { printed[row["host"] as? String ?? ""] = row["count"] as? Int }
        #expect(printed == counts)
        let attack = try #require(self.store.truth.auth.bruteForce)
        #expect((printed[attack.host] ?? 0) >= attack.failures)
    }

    @Test("the incidents SampleTruth names: the brute force and the flood")
    func incidents() throws {
        let attack = try #require(self.store.truth.auth.bruteForce)
        let brute = try self.store.query([#"\#(attack.ip) "Failed password""#, "--all", "--count"])
        #expect(brute.output == "\(attack.failures)\n", "\(brute.errors)")
        let hosts = try self.store.query([#"\#(attack.ip) "Failed password" | stats count() by (host)"#, "--all"])
        let rows = try hosts.objects()
        #expect(rows.count == 1)
        #expect(rows.first?["host"] as? String == attack.host)
        let flood = try #require(self.store.truth.nginx.flood)
        #expect(try self.store.query(["client_ip:\(flood.ip)", "--all", "--count"]).output == "\(flood.requests)\n")
        #expect(
            try self.store.query(["client_ip:\(flood.ip) status:429", "--all", "--count"]).output
                == "\(flood.tooManyRequests)\n"
        )
    }
}
