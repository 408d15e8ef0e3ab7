/// A JSON value as the trace reader sees it: one line of JSON Lines.
/// Objects keep their members in order (a list, not a dictionary), so the
/// reader is deterministic and can name the first unknown field.
public indirect enum JSONLineValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integral number that fits in Int (`4096`, `4096.0`).
    case int(Int)
    /// Any other number (`0.5`, `1e400` is refused as out of range).
    case double(Double)
    case string(String)
    case array([JSONLineValue])
    case object([(String, JSONLineValue)])

    public static func == (a: JSONLineValue, b: JSONLineValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.double(x), .double(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// A short name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Strict JSON parser for one line (RFC 8259), over raw bytes. Bounded:
/// nesting depth and array length are limited so no input makes it recurse
/// or allocate without bound.
public struct JSONLineParser {
    public static let maxDepth = 16
    /// Longest line the reader accepts (bytes).
    public static let maxLineBytes = 1 << 20

    public struct Failure: Error, Equatable, Sendable {
        public var message: String
    }

    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    /// Parses exactly one JSON value (surrounding whitespace allowed).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONLineValue {
        var p = JSONLineParser(bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw p.fail("unexpected text after the JSON value") }
        return v
    }

    public static func parse(_ text: String) throws(Failure) -> JSONLineValue {
        var copy = text
        let r: Result<JSONLineValue, Failure> = copy.withUTF8 { buf in
            do throws(Failure) { return .success(try parse(buf)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    private func fail(_ why: String) -> Failure { Failure(message: "\(why) at column \(i + 1)") }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0A { i += 1 }
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONLineValue {
        guard i < b.count else { throw fail("the line ends where a value was expected (truncated?)") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw fail("truncated literal") }
        let w = word.utf8Start
        for k in 0..<n where b[i + k] != w[k] { throw fail("invalid literal") }
        i += n
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONLineValue {
        guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
        i += 1
        var members: [(String, JSONLineValue)] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a field name") }
            let key = try string()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            let v = try value(depth: depth)
            if members.contains(where: { $0.0 == key }) { throw fail("duplicate field \"\(key.prefix(40))\"") }
            members.append((key, v))
            skipSpace()
            guard i < b.count else { throw fail("the object is not closed (truncated?)") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONLineValue {
        guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
        i += 1
        var items: [JSONLineValue] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth))
            skipSpace()
            guard i < b.count else { throw fail("the array is not closed (truncated?)") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func string() throws(Failure) -> String {
        i += 1
        let start = i
        var plain = true
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                if plain {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                    i += 1
                    return s
                }
                break
            }
            if c < 0x20 { throw fail("control character in a string") }
            if c == UInt8(ascii: "\\") { plain = false; i += 2; continue }
            i += 1
        }
        guard i < b.count else { throw fail("the string is not closed (truncated?)") }
        // Slow path: decode escapes.
        var out: [UInt8] = []
        var k = start
        while k < i {
            let c = b[k]
            if c != UInt8(ascii: "\\") { out.append(c); k += 1; continue }
            k += 1
            guard k < i else { throw fail("bad escape") }
            switch b[k] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard k + 4 < i else { throw fail("bad \\u escape") }
                var code: UInt32 = 0
                for d in 1...4 {
                    let h = b[k + d]
                    let v: UInt32
                    switch h {
                    case 0x30...0x39: v = UInt32(h - 0x30)
                    case 0x41...0x46: v = UInt32(h - 0x41 + 10)
                    case 0x61...0x66: v = UInt32(h - 0x61 + 10)
                    default: throw fail("bad \\u escape")
                    }
                    code = code << 4 | v
                }
                k += 4
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw fail("bad escape")
            }
            k += 1
        }
        i += 1
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func number() throws(Failure) -> JSONLineValue {
        let start = i
        if b[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        guard i > intStart else { throw fail("bad number") }
        if i - intStart > 1 && b[intStart] == 0x30 { throw fail("bad number (leading zero)") }
        var integral = true
        if i < b.count, b[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            let f = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > f else { throw fail("bad number") }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            integral = false
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let e = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > e else { throw fail("bad number") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if integral {
            guard let v = Int(text) else { throw fail("number out of range") }
            return .int(v)
        }
        guard let d = Double(text), d.isFinite else { throw fail("number out of range") }
        if d == d.rounded(), abs(d) < 9.0e18 { return .int(Int(d)) }
        return .double(d)
    }
}
