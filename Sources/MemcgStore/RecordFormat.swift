import MemcgEngine

/// The journal's on-disk layout (docs/durability.md):
///
/// A segment `journal-<first seq, 16 digits>.log` starts with a header:
/// "MEMCGJNL", u32 format version, the machine (page size, frames, swap
/// slots as u64; cgroup, lru and swappiness as u8), u64 first sequence
/// number, u32 CRC-32C of the header before it. Then records:
///
///     u32  payload length
///     u32  CRC-32C of the 4 length bytes (a damaged length is caught as such)
///     u32  CRC-32C of the payload
///     payload: u64 sequence number, then the entry (`CommandCodec`)
enum RecordFormat {
    static let segmentMagic: [UInt8] = Array("MEMCGJNL".utf8)
    static let version: UInt32 = 1
    static let headerSize = 8 + 4 + 27 + 8 + 4
    static let recordHeader = 12
    /// Largest payload accepted when reading (a batch of the largest body).
    static let maxPayload = 1 << 30

    static func segmentName(_ firstSeq: UInt64) -> String { "journal-" + padded(firstSeq) + ".log" }
    static func snapshotName(_ seq: UInt64) -> String { "snapshot-" + padded(seq) + ".snap" }

    static func padded(_ v: UInt64) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }

    /// The number in a file name of the form `prefix<digits>suffix`.
    static func number(in name: String, prefix: String, suffix: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count == prefix.count + 16 + suffix.count else { return nil }
        return UInt64(name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    static func header(machine: Machine, firstSeq: UInt64) -> [UInt8] {
        var w = BinaryWriter(capacity: headerSize)
        w.raw(segmentMagic)
        w.u32(version)
        encode(machine, &w)
        w.u64(firstSeq)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    static func encode(_ m: Machine, _ w: inout BinaryWriter) {
        w.u64(UInt64(m.pageSize)); w.u64(UInt64(m.frames)); w.u64(UInt64(m.swapSlots))
        w.u8(m.cgroup == .v1 ? 1 : 2); w.u8(m.lru == .seed ? 1 : 2); w.u8(UInt8(m.swappiness))
    }

    /// A segment header as read back: the machine fields as stored, so that
    /// a header naming a machine this build cannot build is still reported.
    struct SegmentHeader {
        var pageSize: Int, frames: Int, swapSlots: Int
        var cgroup: UInt8, lru: UInt8, swappiness: UInt8
        var firstSeq: UInt64, version: UInt32

        func matches(_ m: Machine) -> Bool {
            pageSize == m.pageSize && frames == m.frames && swapSlots == m.swapSlots
                && cgroup == (m.cgroup == .v1 ? 1 : 2) && lru == (m.lru == .seed ? 1 : 2) && Int(swappiness) == m.swappiness
        }

        /// The machine the header names.
        func machine() throws(EngineError) -> Machine {
            let (mem, o1) = frames.multipliedReportingOverflow(by: pageSize)
            let (swap, o2) = swapSlots.multipliedReportingOverflow(by: pageSize)
            guard !o1, !o2, cgroup == 1 || cgroup == 2, lru == 1 || lru == 2 else {
                throw EngineError(.EINVAL, "the header names no machine this build knows")
            }
            return try Machine(pageSize: pageSize, memoryBytes: mem, swapBytes: swap, cgroup: cgroup == 1 ? .v1 : .v2,
                               lru: lru == 1 ? .seed : .split, swappiness: Int(swappiness))
        }

        var described: String {
            RecordFormat.describe(pageSize: pageSize, frames: frames, swapSlots: swapSlots, cgroup: cgroup, lru: lru, swappiness: swappiness)
        }
    }

    /// The header's machine and first sequence number; nil when the header
    /// does not hold (wrong magic or checksum, or cut short).
    static func readHeader(_ bytes: [UInt8]) -> SegmentHeader? {
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == segmentMagic,
              CRC32C.checksum(bytes[0..<(headerSize - 4)]) == (try? { var r = BinaryReader(bytes, from: headerSize - 4); return try r.u32() }()) else { return nil }
        var r = BinaryReader(bytes, from: 8)
        guard let v = try? r.u32(), let p = try? r.u64(), let f = try? r.u64(), let s = try? r.u64(),
              let c = try? r.u8(), let l = try? r.u8(), let sw = try? r.u8(), let first = try? r.u64()
        else { return nil }
        return SegmentHeader(pageSize: Int(truncatingIfNeeded: p), frames: Int(truncatingIfNeeded: f), swapSlots: Int(truncatingIfNeeded: s),
                             cgroup: c, lru: l, swappiness: sw, firstSeq: first, version: v)
    }

    static func describe(_ m: Machine) -> String {
        describe(pageSize: m.pageSize, frames: m.frames, swapSlots: m.swapSlots, cgroup: m.cgroup == .v1 ? 1 : 2,
                 lru: m.lru == .seed ? 1 : 2, swappiness: UInt8(m.swappiness))
    }

    static func describe(pageSize: Int, frames: Int, swapSlots: Int, cgroup: UInt8, lru: UInt8, swappiness: UInt8) -> String {
        "--memory \(frames &* pageSize) --swap \(swapSlots &* pageSize) --page-size \(pageSize) --cgroup \(cgroup == 1 ? "v1" : "v2")"
            + " --lru \(lru == 1 ? "seed" : "split") --swappiness \(swappiness)"
    }

    /// Appends one framed record for `entry` with sequence number `seq`.
    static func appendRecord(seq: UInt64, _ entry: JournalEntry, to w: inout BinaryWriter) {
        let start = w.bytes.count
        w.u32(0); w.u32(0); w.u32(0)
        w.u64(seq)
        CommandCodec.encode(entry, into: &w)
        let length = UInt32(w.bytes.count - start - recordHeader)
        let (lengthCRC, payloadCRC) = w.bytes.withUnsafeBytes { b in
            (withUnsafeBytes(of: length.littleEndian) { CRC32C.checksum($0) },
             CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[(start + recordHeader)...])))
        }
        w.patchU32(length, at: start)
        w.patchU32(lengthCRC, at: start + 4)
        w.patchU32(payloadCRC, at: start + 8)
    }

    /// What scanning a segment's records found.
    enum Scan {
        /// Every record whole; `records` are (sequence number, payload range).
        case clean
        /// The final record is cut short or fails its checksum, at `offset`.
        case tornTail(offset: Int)
        /// A damaged record with data after it, at `offset`.
        case corrupt(offset: Int, why: String)
    }

    /// Walks the records of a segment's bytes (after its header), calling
    /// `body` with each whole record's sequence number and payload reader
    /// (positioned after the sequence number). Stops at the first damage.
    static func scan(_ bytes: [UInt8], _ body: (UInt64, inout BinaryReader) throws(StoreError) -> Void) throws(StoreError) -> Scan {
        var at = headerSize
        let n = bytes.count
        while at < n {
            guard n - at >= recordHeader else { return .tornTail(offset: at) }
            var r = BinaryReader(bytes, from: at)
            let length = Int((try? r.u32()) ?? 0), lengthCRC = (try? r.u32()) ?? 0, payloadCRC = (try? r.u32()) ?? 0
            let lengthOK = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[at..<(at + 4)])) } == lengthCRC
            if !lengthOK {
                // Zeros to the end: space the file system gave but no write reached.
                if bytes[at...].allSatisfy({ $0 == 0 }) { return .tornTail(offset: at) }
                return .corrupt(offset: at, why: "record length fails its checksum")
            }
            guard length >= 9, length <= maxPayload else { return .corrupt(offset: at, why: "record length \(length) out of range") }
            let end = at + recordHeader + length
            if end > n { return .tornTail(offset: at) }
            let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(at + recordHeader)..<end])) }
            if crc != payloadCRC {
                return end == n ? .tornTail(offset: at) : .corrupt(offset: at, why: "record fails its checksum")
            }
            var payload = BinaryReader(bytes, from: at + recordHeader, to: end)
            guard let seq = try? payload.u64() else { return .corrupt(offset: at, why: "record too short") }
            do { try body(seq, &payload) } catch { throw StoreError("\(error.message) (record at offset \(at))") }
            at = end
        }
        return .clean
    }
}
