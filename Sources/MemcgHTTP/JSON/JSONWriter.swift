/// Bytes appended straight into a growable buffer: the text both the JSON
/// writer and the Prometheus renderer produce. `bytes` hands it over.
struct ByteWriter {
    /// The buffer; a class so that the memory is freed exactly once. Its
    /// fields skip dynamic exclusivity checks: a writer is used by one
    /// request on one thread, and the checks cost 15% of the server's CPU.
    final class Storage {
        @exclusivity(unchecked) var base: UnsafeMutablePointer<UInt8>
        @exclusivity(unchecked) var count = 0
        @exclusivity(unchecked) var capacity: Int
        init(_ capacity: Int) {
            self.capacity = max(capacity, 64)
            base = .allocate(capacity: self.capacity)
        }
        deinit { base.deallocate() }

        @inline(__always) func reserve(_ n: Int) {
            if count + n > capacity {
                var c = capacity * 2
                while count + n > c { c *= 2 }
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
                bigger.update(from: base, count: count)
                base.deallocate()
                base = bigger
                capacity = c
            }
        }
        @inline(__always) func append(_ b: UInt8) {
            reserve(1)
            base[count] = b
            count += 1
        }
        @inline(__always) func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
            reserve(n)
            (base + count).update(from: p, count: n)
            count += n
        }
    }

    let storage: Storage

    init(capacity: Int = 512) { storage = Storage(capacity) }

    /// The bytes written so far.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) }

    @inline(__always) func append(_ s: StaticString) { storage.append(s.utf8Start, s.utf8CodeUnitCount) }
    @inline(__always) func append(_ b: UInt8) { storage.append(b) }

    /// A string's bytes as they are; the caller knows they need no escaping.
    func append(text s: String) {
        var s = s
        s.withUTF8 { storage.append($0.baseAddress!, $0.count) }
    }

    /// A decimal integer, optionally after one separator byte.
    @inline(__always) func append(_ v: Int, after separator: UInt8? = nil) {
        storage.reserve(22)
        let p = storage.base + storage.count
        var off = 0
        if let separator { p[0] = separator; off = 1 }
        if v < 0 { p[off] = UInt8(ascii: "-"); off += 1 }
        var x = v.magnitude
        var digits = 1
        var t = x / 10
        while t > 0 { digits += 1; t /= 10 }
        var i = off + digits
        repeat {
            i -= 1
            p[i] = UInt8(truncatingIfNeeded: x % 10) &+ 0x30
            x /= 10
        } while x > 0
        storage.count += off + digits
    }
}

/// Writes JSON straight into a `ByteWriter`, without an intermediate tree.
struct JSONWriter {
    private var out: ByteWriter
    private var storage: ByteWriter.Storage { out.storage }
    /// Whether a comma is due before the next member or element.
    private var needComma = false

    init(capacity: Int = 512) { out = ByteWriter(capacity: capacity) }

    /// The JSON written so far.
    var bytes: [UInt8] { out.bytes }

    @inline(__always) private mutating func separate() {
        if needComma { storage.append(UInt8(ascii: ",")) }
        needComma = true
    }

    @inline(__always) private func raw(_ s: StaticString) { out.append(s) }

    mutating func beginObject() { separate(); storage.append(UInt8(ascii: "{")); needComma = false }
    mutating func endObject() { storage.append(UInt8(ascii: "}")); needComma = true }
    mutating func beginArray() { separate(); storage.append(UInt8(ascii: "[")); needComma = false }
    mutating func endArray() { storage.append(UInt8(ascii: "]")); needComma = true }
    /// Ends a line of JSON lines (the next value starts without a comma).
    mutating func newline() { storage.append(0x0A); needComma = false }

    /// Writes `"name":` (names are plain ASCII chosen by us).
    mutating func key(_ name: StaticString) {
        let n = name.utf8CodeUnitCount
        storage.reserve(n + 4)
        let p = storage.base + storage.count
        var off = 0
        if needComma { p[0] = UInt8(ascii: ","); off = 1 }
        p[off] = UInt8(ascii: "\"")
        (p + off + 1).update(from: name.utf8Start, count: n)
        p[off + 1 + n] = UInt8(ascii: "\"")
        p[off + 2 + n] = UInt8(ascii: ":")
        storage.count += off + n + 3
        needComma = false
    }

    mutating func key(dynamic name: String) {
        string(name)
        storage.append(UInt8(ascii: ":"))
        needComma = false
    }

    mutating func int(_ v: Int) {
        out.append(v, after: needComma ? UInt8(ascii: ",") : nil)
        needComma = true
    }

    mutating func int(_ v: Int?) { if let v { int(v) } else { null() } }
    mutating func null() { separate(); raw("null") }
    mutating func bool(_ v: Bool) { separate(); raw(v ? "true" : "false") }

    mutating func string(_ s: String) {
        separate()
        storage.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { u in
            storage.reserve(u.count)
            var plain = 0  // bytes that need no escaping, copied in runs
            for (i, b) in u.enumerated() {
                if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { continue }
                if i > plain { storage.append(u.baseAddress! + plain, i - plain) }
                plain = i + 1
                switch b {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    raw("\\u00")
                    storage.append(hex.utf8Start[Int(b >> 4)])
                    storage.append(hex.utf8Start[Int(b & 15)])
                }
            }
            if u.count > plain { storage.append(u.baseAddress! + plain, u.count - plain) }
        }
        storage.append(UInt8(ascii: "\""))
    }

    mutating func string(_ s: String?) { if let s { string(s) } else { null() } }

    /// A finite number with millisecond precision (non-finite ones as null).
    mutating func number(_ v: Double) {
        guard v.isFinite else { return null() }
        separate()
        var text = String((v * 1000).rounded() / 1000)
        if text.hasSuffix(".0") { text.removeLast(2) }
        text.withUTF8 { storage.append($0.baseAddress!, $0.count) }
    }

    // Members.
    mutating func member(_ k: StaticString, _ v: Int) { key(k); int(v) }
    mutating func member(_ k: StaticString, _ v: Int?) { key(k); int(v) }
    mutating func member(_ k: StaticString, _ v: String) { key(k); string(v) }
    mutating func member(_ k: StaticString, _ v: String?) { key(k); string(v) }
    mutating func member(_ k: StaticString, _ v: Bool) { key(k); bool(v) }
}
