/// Writes JSON straight into bytes, without an intermediate tree.
struct JSONWriter {
    var bytes: [UInt8] = []
    /// Whether a comma is due before the next member or element.
    private var needComma = false

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    @inline(__always) private mutating func separate() {
        if needComma { bytes.append(UInt8(ascii: ",")) }
        needComma = true
    }

    mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needComma = false }
    mutating func endObject() { bytes.append(UInt8(ascii: "}")); needComma = true }
    mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needComma = false }
    mutating func endArray() { bytes.append(UInt8(ascii: "]")); needComma = true }

    /// Writes `"name":` (names are plain ASCII chosen by us).
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needComma = false
    }

    mutating func key(dynamic name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needComma = false
    }

    mutating func int(_ v: Int) {
        separate()
        if v == 0 { bytes.append(0x30); return }
        var x = v.magnitude
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            while x > 0 {
                buf[19 - n] = UInt8(x % 10) + 0x30
                x /= 10
                n += 1
            }
            bytes.append(contentsOf: buf[(20 - n)...])
        }
    }

    mutating func int(_ v: Int?) { if let v { int(v) } else { null() } }
    mutating func null() { separate(); bytes.append(contentsOf: Array("null".utf8)) }
    mutating func bool(_ v: Bool) { separate(); bytes.append(contentsOf: v ? Array("true".utf8) : Array("false".utf8)) }

    mutating func string(_ s: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func string(_ s: String?) { if let s { string(s) } else { null() } }

    // Members.
    mutating func member(_ k: StaticString, _ v: Int) { key(k); int(v) }
    mutating func member(_ k: StaticString, _ v: Int?) { key(k); int(v) }
    mutating func member(_ k: StaticString, _ v: String) { key(k); string(v) }
    mutating func member(_ k: StaticString, _ v: String?) { key(k); string(v) }
    mutating func member(_ k: StaticString, _ v: Bool) { key(k); bool(v) }
}
