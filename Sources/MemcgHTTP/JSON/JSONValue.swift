/// A parsed JSON value. Numbers keep whether they were written as integers,
/// so `4096.0` can be refused where the model wants an integer.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number with a fraction or exponent, or an integer beyond Int64.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Why a body could not be read; becomes a 400 EINVAL.
public struct JSONError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A strict recursive-descent JSON reader over raw bytes (RFC 8259), with a
/// nesting limit so no body can exhaust the stack.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    static let maxDepth = 64

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @inline(__always) mutating func skipSpace() {
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
        }
    }

    @inline(__always) mutating func peek() -> UInt8? {
        skipSpace()
        return i < bytes.count ? bytes[i] : nil
    }

    mutating func expect(_ c: UInt8) throws(JSONError) {
        guard peek() == c else { throw error("expected '\(Character(UnicodeScalar(c)))'") }
        i += 1
    }

    /// Consumes `c` if it is next.
    @inline(__always) mutating func consume(_ c: UInt8) -> Bool {
        if peek() == c { i += 1; return true }
        return false
    }

    func error(_ what: String) -> JSONError { JSONError("invalid JSON at byte \(i): \(what)") }

    mutating func end() throws(JSONError) {
        skipSpace()
        guard i == bytes.count else { throw error("unexpected data after the value") }
    }

    mutating func parseValue(depth: Int = 0) throws(JSONError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        guard let c = peek() else { throw error("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"):
            i += 1
            var obj: [String: JSONValue] = [:]
            if consume(UInt8(ascii: "}")) { return .object(obj) }
            repeat {
                let key = try parseString()
                try expect(UInt8(ascii: ":"))
                guard obj[key] == nil else { throw error("duplicate key \"\(key.prefix(40))\"") }
                obj[key] = try parseValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
            return .object(obj)
        case UInt8(ascii: "["):
            i += 1
            var arr: [JSONValue] = []
            if consume(UInt8(ascii: "]")) { return .array(arr) }
            repeat { arr.append(try parseValue(depth: depth + 1)) } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
            return .array(arr)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return try parseNumber()
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw error("bad literal") }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw error("bad literal") }
        i += n
    }

    /// A number. Integers that fit in Int are `.int`; everything else valid is `.number`.
    mutating func parseNumber() throws(JSONError) -> JSONValue {
        skipSpace()
        let start = i
        var negative = false
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let digitsStart = i
        var value = 0
        var overflow = false
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[i] - 0x30))
            if o1 || o2 { overflow = true }
            value = a
            i += 1
        }
        let digits = i - digitsStart
        guard digits > 0 else { throw error("unexpected character") }
        if digits > 1 && bytes[digitsStart] == 0x30 { throw error("leading zero") }
        var isInteger = true
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            let f = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            guard i > f else { throw error("digit expected after '.'") }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            isInteger = false
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            let e = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            guard i > e else { throw error("digit expected in exponent") }
        }
        if isInteger && !overflow { return .int(negative ? -value : value) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        let d = Double(text) ?? .infinity
        // An integral value written with a fraction or exponent (`4096.0`,
        // `4.096e3`) is the same integer, as JSON Schema's `integer` says;
        // only where the double holds it exactly (|d| <= 2^53).
        if d.rounded() == d && d.magnitude <= 9_007_199_254_740_992 { return .int(Int(d)) }
        return .number(d)
    }

    mutating func parseString() throws(JSONError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw error("string expected") }
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = UnsafeBufferPointer(rebasing: bytes[start..<i])
                i += 1
                guard let str = String(validating: s, as: UTF8.self) else { throw error("invalid UTF-8") }
                return str
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character in string") }
            i += 1
        }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: "\"") {
                guard let str = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8") }
                return str
            }
            if b < 0x20 { throw error("control character in string") }
            if b != UInt8(ascii: "\\") { out.append(b); continue }
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw error("lone surrogate")
                    }
                    i += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("bad surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw error("lone surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("bad escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("bad escape")
            }
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(JSONError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("bad \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            i += 1
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("bad \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }

    /// Compares the next string token with `key` without allocating; on a
    /// match consumes it. The caller has checked that a '"' is next.
    mutating func matchKey(_ key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        guard i + n + 2 <= bytes.count, bytes[i] == UInt8(ascii: "\""), bytes[i + n + 1] == UInt8(ascii: "\"") else { return false }
        for k in 0..<n where bytes[i + 1 + k] != key.utf8Start[k] { return false }
        i += n + 2
        return true
    }
}

extension JSONValue {
    /// Parses a whole body.
    public static func parse(_ body: [UInt8]) throws(JSONError) -> JSONValue {
        guard !body.isEmpty else { throw JSONError("the request body is empty; a JSON object is expected") }
        return try body.withUnsafeBufferPointer { buf throws(JSONError) -> JSONValue in
            var s = JSONScanner(buf)
            let v = try s.parseValue()
            try s.end()
            return v
        }
    }
}
