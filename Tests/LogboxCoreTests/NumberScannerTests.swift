import LogboxCore
import Testing

@Suite("Numbers")
struct NumberScannerTests {
    private func integer(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        return NumberScanner.integer(bytes.span)
    }

    private func decimal(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        return NumberScanner.decimal(bytes.span)
    }

    @Test(
        "integers",
        arguments: [
            ("0", 0), ("7", 7), ("-12", -12), ("9223372036854775807", Int64.max),
            ("-9223372036854775808", Int64.min), ("200", 200),
        ] as [(String, Int64)]
    )
    func integers(text: String, value: Int64) {
        #expect(self.integer(text) == value)
    }

    @Test(
        "not integers: leading zeros, overflow, signs, junk",
        arguments: ["", "-", "007", "00", "-0x1", "9223372036854775808", "+5", "1.0", "12a", " 1", "1e3"]
    )
    func notIntegers(text: String) {
        #expect(self.integer(text) == nil)
    }

    @Test(
        "decimals",
        arguments: [
            ("0.5", 0.5), ("-12.25", -12.25), ("0.001", 0.001), ("1.5e3", 1500), ("2e-3", 0.002),
            ("123456789.123456789", 123456789.123456789), ("1E+2", 100),
        ] as [(String, Double)]
    )
    func decimals(text: String, value: Double) {
        #expect(self.decimal(text) == value)
    }

    @Test(
        "not decimals",
        arguments: ["", ".5", "5.", "1.2.3", "00.5", "1e", "abc", "-", "1.5x", "12", "98765432109876543210"]
    )
    func notDecimals(text: String) {
        #expect(self.decimal(text) == nil)
    }
}
