/// Little-endian fixed-width encoding for the engine's snapshot (and the
/// store's journal records, which reuse it): integers as 8 bytes unless a
/// narrower width is named, strings as a 4-byte length and UTF-8.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always) public mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    /// A signed integer in 8 bytes.
    @inline(__always) public mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    @inline(__always) public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            u32(UInt32(u.count))
            bytes.append(contentsOf: u)
        }
    }

    /// A count then the integers.
    public mutating func ints(_ a: [Int]) {
        int(a.count)
        for v in a { int(v) }
    }

    public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    /// Overwrites 4 bytes at `offset` (a length known only afterwards).
    public mutating func patchU32(_ v: UInt32, at offset: Int) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<4 { bytes[offset + i] = $0[i] } }
    }
}

/// Reads what `BinaryWriter` wrote, checking every length against what is
/// left: a short or inconsistent input throws, it never traps.
public struct BinaryReader {
    private let bytes: [UInt8]
    public private(set) var offset: Int
    private let end: Int

    public init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = start
        self.end = end ?? bytes.count
    }

    public var remaining: Int { end - offset }

    @inline(__always) private mutating func take(_ n: Int) throws(EngineError) -> Int {
        guard n >= 0, n <= end - offset else { throw Self.short(offset) }
        let at = offset
        offset += n
        return at
    }

    static func short(_ at: Int) -> EngineError { EngineError(.EINVAL, "data ends early at byte \(at)") }

    @inline(__always) public mutating func u8() throws(EngineError) -> UInt8 { bytes[try take(1)] }

    @inline(__always) public mutating func u16() throws(EngineError) -> UInt16 {
        let at = try take(2)
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    @inline(__always) public mutating func u32() throws(EngineError) -> UInt32 {
        let at = try take(4)
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    @inline(__always) public mutating func u64() throws(EngineError) -> UInt64 {
        let at = try take(8)
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    }

    @inline(__always) public mutating func int() throws(EngineError) -> Int { Int(Int64(bitPattern: try u64())) }

    /// An integer that must lie in `range` (what a table index or count needs).
    public mutating func int(in range: ClosedRange<Int>, _ what: String) throws(EngineError) -> Int {
        let at = offset
        let v = try int()
        guard range.contains(v) else { throw EngineError(.EINVAL, "\(what) \(v) out of range at byte \(at)") }
        return v
    }

    public mutating func bool() throws(EngineError) -> Bool {
        let at = offset
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw EngineError(.EINVAL, "bad flag at byte \(at)")
        }
    }

    public mutating func string(max: Int = 1 << 20) throws(EngineError) -> String {
        let n = Int(try u32())
        guard n <= max else { throw EngineError(.EINVAL, "string of \(n) bytes at byte \(offset)") }
        let at = try take(n)
        return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
    }

    public mutating func ints(max: Int = Int(Int32.max)) throws(EngineError) -> [Int] {
        let n = try int(in: 0...max, "count")
        guard n <= remaining / 8 else { throw Self.short(offset) }
        var out: [Int] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try int()) }
        return out
    }

    public mutating func raw(_ n: Int) throws(EngineError) -> ArraySlice<UInt8> {
        let at = try take(n)
        return bytes[at..<(at + n)]
    }
}
