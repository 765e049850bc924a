import LogboxQuery
import Testing

@Suite("Field suggestions")
struct FieldSuggestionsTests {
    static let fields = [
        "host", "level", "message", "status", "program", "client_ip", "source", "file", "timestamp", "user",
    ]

    @Test func typos() {
        #expect(FieldSuggestions.closest(to: "stauts", among: Self.fields) == ["status"])
        #expect(FieldSuggestions.closest(to: "hots", among: Self.fields) == ["host"])
        #expect(FieldSuggestions.closest(to: "mesage", among: Self.fields) == ["message"])
        #expect(FieldSuggestions.closest(to: "clientip", among: Self.fields) == ["client_ip"])
        #expect(FieldSuggestions.closest(to: "lvl", among: Self.fields) == ["level"])
        #expect(FieldSuggestions.closest(to: "usr", among: Self.fields) == ["user"])
    }

    @Test func caseInsensitiveAndNotItself() {
        #expect(FieldSuggestions.closest(to: "Level", among: Self.fields) == ["level"])
        #expect(FieldSuggestions.closest(to: "HOST", among: Self.fields) == ["host"])
        #expect(FieldSuggestions.closest(to: "host", among: ["host"]) == [])
    }

    @Test func nothingFarAway() {
        #expect(FieldSuggestions.closest(to: "xyzzy", among: Self.fields) == [])
        #expect(FieldSuggestions.closest(to: "q", among: Self.fields) == [])
        #expect(FieldSuggestions.closest(to: "", among: Self.fields) == [])
        #expect(FieldSuggestions.closest(to: "anything", among: [String]()) == [])
    }

    @Test func orderedByDistanceThenName() {
        let got = FieldSuggestions.closest(to: "hast", among: ["host", "hash", "last", "hasty", "zzzz"], limit: 10)
        #expect(got == ["hash", "hasty", "host", "last"])
        #expect(
            FieldSuggestions.closest(to: "hast", among: ["host", "hash", "last", "hasty"], limit: 2) == [
                "hash", "hasty",
            ]
        )
        #expect(FieldSuggestions.closest(to: "hast", among: ["host"], limit: 0) == [])
        #expect(FieldSuggestions.closest(to: "hast", among: ["host", "host"], limit: 5) == ["host"])
    }

    @Test func transpositionCostsOne() {
        #expect(FieldSuggestions.closest(to: "ab", among: ["ba", "xy"]) == ["ba"])
    }

    @Test func nonASCIIAndLongNames() {
        // Both are two edits away; ties go in name order.
        #expect(FieldSuggestions.closest(to: "grösse", among: ["größe", "gross"]) == ["gross", "größe"])
        #expect(FieldSuggestions.closest(to: "grösse", among: ["größe", "grose"]) == ["grose", "größe"])
        let long = String(repeating: "a", count: 500)
        #expect(FieldSuggestions.closest(to: long, among: [long + "b", "a"]) == [long + "b"])
    }
}
