/// The framing of one WAL record: a 20-byte header, then the payload.
///
/// Layout (little-endian):
/// ```
/// offset  size  field
///  0      2     magic          0x52CF (bytes CF 52): not ASCII, not zero, so text or zero-filled
///                              space never looks like a record
///  2      1     type           1 = full record; 0 is never written (zeros are not a record);
///                              other values are reserved and rejected
///  3      1     flags          bit 0: payload is LZ4-compressed; bits 1-7 reserved, must be 0
///  4      4     payloadLength  bytes of payload as stored (after compression)
///  8      8     sequence       the record's sequence number: 1, 2, 3... with no gaps in a file
/// 16      4     crc32          CRC-32 (zlib) of bytes 2..<16 followed by the stored payload
/// 20      n     payload        opaque bytes; when compressed: varint uncompressed length,
///                              then one LZ4 block
/// ```
/// The checksum covers everything but the magic and itself, so a torn write (a prefix of the
/// record), a flipped bit, or stale bytes fail it; the sequence inside it also rejects a valid
/// record that turns up in the wrong place.
///
/// A payload is compressed only when that saves bytes, so `compress: true` never costs space.
public enum WALRecord {
    public static let headerSize = 20
    public static let magic: UInt16 = 0x52CF
    /// The only record type written so far: the whole payload in one record.
    public static let fullType: UInt8 = 1
    public static let compressedFlag: UInt8 = 0x01
    /// The largest payload the WAL takes (before and after compression).
    public static let maxPayloadSize = 1 << 30
    /// Payloads shorter than this are stored as they are: LZ4 cannot gain enough to pay for itself.
    static let minimumCompressedSize = 64

    /// Replaces `record` with the framed record for `payload`, reusing its capacity.
    public static func encode(_ payload: [UInt8], sequence: UInt64, compress: Bool, into record: inout [UInt8]) {
        record.removeAll(keepingCapacity: true)
        record.append(contentsOf: repeatElement(0, count: Self.headerSize))
        var flags: UInt8 = 0
        if compress && payload.count >= Self.minimumCompressedSize {
            var length = UInt64(payload.count)
            while length >= 0x80 {
                record.append(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            record.append(UInt8(length))
            record.append(contentsOf: LZ4Block.compress(payload))
            if record.count - Self.headerSize < payload.count {
                flags = Self.compressedFlag
            } else {
                record.removeSubrange(Self.headerSize...)
            }
        }
        if flags == 0 { record.append(contentsOf: payload) }
        let stored = record.count - Self.headerSize
        record[0] = UInt8(truncatingIfNeeded: Self.magic)
        record[1] = UInt8(truncatingIfNeeded: Self.magic >> 8)
        record[2] = Self.fullType
        record[3] = flags
        Self.store(UInt64(stored), width: 4, in: &record, at: 4)
        Self.store(sequence, width: 8, in: &record, at: 8)
        let crc = CRC32.checksum(record[Self.headerSize...], previous: CRC32.checksum(record[2..<16]))
        Self.store(UInt64(crc), width: 4, in: &record, at: 16)
    }

    /// What is found at an offset of a WAL file.
    enum Parsed: Equatable {
        /// A record whose checksum holds.
        case record(sequence: UInt64, flags: UInt8, payload: Range<Int>)
        /// Not a valid record, and why.
        case damaged(String)
    }

    /// The record at `offset` of `bytes`, or why there is none; never traps, whatever the bytes.
    static func parse(_ bytes: [UInt8], at offset: Int) -> Parsed {
        let available = bytes.count - offset
        guard offset >= 0, available >= Self.headerSize else {
            return .damaged("incomplete record header (\(max(available, 0)) of \(Self.headerSize) bytes)")
        }
        let magic = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
        guard magic == Self.magic else { return .damaged("bad record magic \(Self.hex(UInt64(magic), digits: 4))") }
        let type = bytes[offset + 2]
        let flags = bytes[offset + 3]
        let length = Int(Self.load(bytes, at: offset + 4, width: 4))
        let sequence = Self.load(bytes, at: offset + 8, width: 8)
        let stored = UInt32(truncatingIfNeeded: Self.load(bytes, at: offset + 16, width: 4))
        let payloadStart = offset + Self.headerSize
        guard length <= bytes.count - payloadStart else {
            return .damaged(
                "record of \(length) payload bytes runs past the end of the file (\(bytes.count - payloadStart) left)"
            )
        }
        let payload = payloadStart..<payloadStart + length
        let crc = CRC32.checksum(bytes[payload], previous: CRC32.checksum(bytes[(offset + 2)..<(offset + 16)]))
        guard crc == stored else {
            return .damaged(
                "record checksum mismatch: stored \(Self.hex(UInt64(stored), digits: 8)), computed \(Self.hex(UInt64(crc), digits: 8))"
            )
        }
        guard type == Self.fullType else { return .damaged("unknown record type \(type)") }
        guard flags & ~Self.compressedFlag == 0 else {
            return .damaged("unknown record flags \(Self.hex(UInt64(flags), digits: 2))")
        }
        guard length <= Self.maxPayloadSize else {
            return .damaged("record payload of \(length) bytes is over the limit")
        }
        return .record(sequence: sequence, flags: flags, payload: payload)
    }

    /// The payload as the caller appended it (decompressed if needed).
    /// - Throws: `StoreError(.corrupt)` with an offset relative to the payload start.
    static func payload(_ bytes: [UInt8], _ range: Range<Int>, flags: UInt8) throws(StoreError) -> [UInt8] {
        guard flags & Self.compressedFlag != 0 else { return Array(bytes[range]) }
        var reader = ByteReader(bytes[range])
        let size = try reader.count(limit: Self.maxPayloadSize)
        let block = try reader.bytes(reader.remaining)
        do throws(StoreError) {
            return try LZ4Block.decompress(block, size: size)
        } catch {
            throw StoreError(.corrupt, offset: Int64(reader.offset - block.count), error.message)
        }
    }

    /// Whether a valid record starts anywhere after `offset`: tells a torn tail from damage in the middle.
    ///
    /// - Returns: the offset of the first one found.
    static func nextValidRecord(in bytes: [UInt8], after offset: Int) -> Int? {
        let first = UInt8(truncatingIfNeeded: Self.magic)
        let second = UInt8(truncatingIfNeeded: Self.magic >> 8)
        var candidate = max(offset + 1, 0)
        while candidate + Self.headerSize <= bytes.count {
            if bytes[candidate] == first && bytes[candidate + 1] == second,
                case .record = Self.parse(bytes, at: candidate)
            {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    static func load(_ bytes: [UInt8], at offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<width { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        return value
    }

    static func store(_ value: UInt64, width: Int, in bytes: inout [UInt8], at offset: Int) {
        for index in 0..<width { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(digits - text.count, 0)) + text
    }
}
