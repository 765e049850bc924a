import LogboxStore
import Testing

@Suite("Store codecs")
struct CodecTests {
    @Test("varints and fixed-width integers round-trip at the edges")
    func integers() throws {
        var writer = ByteWriter()
        let unsigned: [UInt64] = [0, 1, 127, 128, 16383, 16384, UInt64(UInt32.max), UInt64.max]
        let signed: [Int64] = [0, -1, 1, -64, 64, Int64.min, Int64.max]
        for value in unsigned { writer.varint(value) }
        for value in signed { writer.signedVarint(value) }
        writer.u16(0xBEEF)
        writer.u32(0xDEAD_BEEF)
        writer.u64(0x0123_4567_89AB_CDEF)
        writer.string("größe")
        var reader = ByteReader(writer.bytes)
        for value in unsigned { #expect(try reader.varint() == value) }
        for value in signed { #expect(try reader.signedVarint() == value) }
        #expect(try reader.u16() == 0xBEEF)
        #expect(try reader.u32() == 0xDEAD_BEEF)
        #expect(try reader.u64() == 0x0123_4567_89AB_CDEF)
        #expect(try reader.string() == "größe")
        #expect(reader.isAtEnd)
    }

    @Test("reads past the end and over-long varints throw with the offset")
    func corrupt() {
        var short = ByteReader([0x01, 0x02])
        #expect(throws: StoreError.self) { try short.u32() }
        var long = ByteReader([UInt8](repeating: 0xFF, count: 11))
        let error = #expect(throws: StoreError.self) { try long.varint() }
        #expect(error?.kind == .corrupt)
        var huge = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00])
        #expect(throws: StoreError.self) { try huge.lengthPrefixed() }
    }

    @Test("CRC-32 matches the standard check value and continues across pieces")
    func crc() {
        let text = Array("123456789".utf8)
        #expect(CRC32.checksum(text) == 0xCBF4_3926)
        #expect(CRC32.checksum(text[4...], previous: CRC32.checksum(text[..<4])) == 0xCBF4_3926)
    }

    @Test("LZ4 fast and HC round-trip; a damaged block throws", arguments: [0, 9] as [Int32])
    func lz4(level: Int32) throws {
        var input: [UInt8] = []
        for i in 0..<50_000 { input.append(UInt8(truncatingIfNeeded: i % 251 == 0 ? i * 7 : i % 13)) }
        let compressed = LZ4Block.compress(input, level: level)
        #expect(compressed.count < input.count)
        #expect(try LZ4Block.decompress(compressed[...], size: input.count) == input)
        #expect(throws: StoreError.self) { try LZ4Block.decompress(compressed[...], size: input.count + 1) }
        #expect(throws: StoreError.self) { try LZ4Block.decompress(compressed.dropLast(5), size: input.count) }
        #expect(try LZ4Block.decompress([][...], size: 0) == [])
    }
}
