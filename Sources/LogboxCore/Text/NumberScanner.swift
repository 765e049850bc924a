#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads numbers from bytes without building a `String`.
///
/// The rules are DESIGN.md's: an integer has no leading zeros (`007` stays text, as do ids and
/// zip codes) and fits in 64 bits; a decimal is `-?digits.digits` with an optional exponent.
public enum NumberScanner {
    /// The integer the bytes spell, or nil.
    /// - Complexity: O(n), n ≤ 20.
    @inlinable
    public static func integer(_ bytes: Span<UInt8>) -> Int64? {
        var i = 0
        let negative = bytes.count > 0 && bytes[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let digits = bytes.count - i
        guard digits >= 1, digits <= 19 else { return nil }
        if digits > 1 && bytes[i] == UInt8(ascii: "0") { return nil }
        var value: UInt64 = 0
        while i < bytes.count {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
            i += 1
        }
        if negative {
            guard value <= UInt64(Int64.max) + 1 else { return nil }
            return value == UInt64(Int64.max) + 1 ? Int64.min : -Int64(value)
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    /// The decimal the bytes spell (`-12.5`, `0.001`, `1.5e3`, `2e-3`), or nil; integers are not decimals.
    public static func decimal(_ bytes: Span<UInt8>) -> Double? {
        var i = 0
        let negative = bytes.count > 0 && bytes[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let integerStart = i
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 {
            if significant < 19 {
                mantissa = mantissa * 10 + UInt64(bytes[i] &- UInt8(ascii: "0"))
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
            }
            i += 1
        }
        let integerDigits = i - integerStart
        guard integerDigits >= 1 else { return nil }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") { return nil }
        var isDecimal = false
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 {
                if significant < 19 {
                    mantissa = mantissa * 10 + UInt64(bytes[i] &- UInt8(ascii: "0"))
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                }
                i += 1
            }
            guard i > fractionStart else { return nil }
            isDecimal = true
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var written = 0
            while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 {
                if written < 10_000 { written = written * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            guard i > exponentStart else { return nil }
            exponent += exponentNegative ? -written : written
            isDecimal = true
        }
        guard isDecimal, i == bytes.count else { return nil }
        // Clinger's fast path: both the mantissa and the power of ten are exact doubles.
        if significant <= 15, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        // Beyond a double's range the text is no number we can keep (and hex ids like `41721577559e2280`
        // look like one): leave it text.
        guard exponent + significant <= 310, exponent + significant >= -330 else { return nil }
        // Rare: long mantissas go through libc's correctly rounded `strtod`, from a stack buffer.
        guard bytes.count < 64 else { return nil }
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &buffer) { raw -> Double? in
            for index in 0..<bytes.count { raw[index] = bytes[index] }
            raw[bytes.count] = 0
            let text = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            let value = strtod(text, nil)
            return value.isFinite ? value : nil
        }
    }

    @usableFromInline
    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
