import LogboxCore
import Testing

@Suite("Field value text")
struct FieldValueTextTests {
    @Test("an integer reads as written when the text is its value")
    func integerAsWritten() {
        #expect(FieldValueText.string(kind: .integer, raw: Array("404".utf8)[...], payload: 404) == "404")
        #expect(FieldValueText.string(kind: .integer, raw: Array("-17".utf8)[...], payload: -17) == "-17")
        #expect(
            FieldValueText.string(kind: .integer, raw: Array("9223372036854775807".utf8)[...], payload: .max)
                == "9223372036854775807"
        )
    }

    @Test("an integer computed from other text (syslog PRI) reads as its value")
    func integerFromOtherText() {
        // `<12>`: facility 1, severity 4, both spanning the PRI digits.
        #expect(FieldValueText.string(kind: .integer, raw: Array("12".utf8)[...], payload: 4) == "4")
        #expect(FieldValueText.string(kind: .integer, raw: Array("12".utf8)[...], payload: 1) == "1")
        #expect(FieldValueText.string(kind: .integer, raw: Array("-0".utf8)[...], payload: 0) == "0")
        #expect(FieldValueText.string(kind: .integer, raw: [][...], payload: 7) == "7")
    }
}
