import MemcgEngine

/// An object of a spec being read: its members, the path that names it in
/// errors, and which members were read (so an unknown one is named).
struct SpecObject {
    let members: [(String, JSONLineValue)]
    let path: String
    private var used: Set<String> = []

    init(_ value: JSONLineValue, path: String) throws(SpecError) {
        guard case .object(let m) = value else { throw SpecError(path, "must be an object (a mapping), not \(value.typeName)") }
        var seen: Set<String> = []
        for (k, _) in m where !seen.insert(k).inserted { throw SpecError(Self.join(path, k), "given twice") }
        self.members = m
        self.path = path
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func field(_ key: String) -> String { Self.join(path, key) }
    func has(_ key: String) -> Bool { members.contains { $0.0 == key } }

    mutating func value(_ key: String) -> JSONLineValue? {
        guard let v = members.first(where: { $0.0 == key })?.1 else { return nil }
        used.insert(key)
        return v
    }

    /// Fails on a member that was not read, listing the known ones.
    func finish(known: [String]) throws(SpecError) {
        for (k, _) in members where !used.contains(k) {
            throw SpecError(field(String(k.prefix(40))), "unknown field; known here: \(known.joined(separator: ", "))")
        }
    }

    mutating func string(_ key: String) throws(SpecError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw SpecError(field(key), "must be a string, not \(v.typeName)") }
        return s
    }

    mutating func bool(_ key: String) throws(SpecError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw SpecError(field(key), "must be true or false, not \(v.typeName)") }
        return b
    }

    mutating func number(_ key: String) throws(SpecError) -> Double? {
        guard let v = value(key) else { return nil }
        switch v {
        case .int(let n): return Double(n)
        case .double(let d): return d
        default: throw SpecError(field(key), "must be a number, not \(v.typeName)")
        }
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(SpecError) -> Int? {
        guard let v = value(key) else { return nil }
        guard case .int(let n) = v else { throw SpecError(field(key), "must be an integer, not \(v.typeName)") }
        guard range.contains(n) else { throw SpecError(field(key), "must be from \(range.lowerBound) to \(range.upperBound), not \(n)") }
        return n
    }

    mutating func array(_ key: String) throws(SpecError) -> [JSONLineValue]? {
        guard let v = value(key) else { return nil }
        guard case .array(let a) = v else { throw SpecError(field(key), "must be a list, not \(v.typeName)") }
        return a
    }

    /// A size: bytes as an integer, or a string with a K/M/G/T suffix.
    mutating func size(_ key: String, max: UInt64) throws(SpecError) -> UInt64? {
        guard let v = value(key) else { return nil }
        return try SpecValues.size(v, field: field(key), max: max)
    }

    /// A duration: seconds as a number, or a string such as `30s`, `500ms`, `5m`, `2h`.
    mutating func seconds(_ key: String, max: Double) throws(SpecError) -> Double? {
        guard let v = value(key) else { return nil }
        return try SpecValues.seconds(v, field: field(key), max: max)
    }
}

/// Sizes, durations and rates as written in a spec.
enum SpecValues {
    static func size(_ v: JSONLineValue, field: String, max: UInt64) throws(SpecError) -> UInt64 {
        let bytes: Int
        switch v {
        case .int(let n):
            guard n >= 0 else { throw SpecError(field, "must not be negative") }
            bytes = n
        case .string(let s):
            guard s != "max", s != "-1", let b = try? LimitParser.parse(s, pageSize: 1) else {
                throw SpecError(field, "must be bytes or a size such as \"256M\" (K, M, G, T), not \"\(s.prefix(40))\"")
            }
            bytes = b
        default: throw SpecError(field, "must be bytes or a size such as \"256M\", not \(v.typeName)")
        }
        guard UInt64(bytes) <= max else { throw SpecError(field, "must be at most \(max) bytes, not \(bytes)") }
        return UInt64(bytes)
    }

    static func seconds(_ v: JSONLineValue, field: String, max: Double) throws(SpecError) -> Double {
        let s: Double
        switch v {
        case .int(let n): s = Double(n)
        case .double(let d): s = d
        case .string(let text):
            guard let x = parseDuration(text) else {
                throw SpecError(field, "must be seconds or a duration such as \"30s\", \"500ms\", \"5m\", \"2h\"; not \"\(text.prefix(40))\"")
            }
            s = x
        default: throw SpecError(field, "must be a duration such as \"30s\", not \(v.typeName)")
        }
        guard s.isFinite, s >= 0 else { throw SpecError(field, "must be a non-negative duration") }
        guard s <= max else { throw SpecError(field, "must be at most \(Int(max)) seconds, not \(s)") }
        return s
    }

    /// `30s`, `1.5s`, `500ms`, `5m`, `2h`, `1d`.
    static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let num = text.dropLast(suffix.count)
            // "5ms" also ends in "s": the longer suffix is tried first.
            guard let x = decimal(num) else { continue }
            return x * scale
        }
        return decimal(Substring(text))
    }

    /// A plain decimal number: digits with at most one point, nothing else.
    static func decimal(_ s: Substring) -> Double? {
        guard !s.isEmpty, s.utf8.count <= 24, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }),
              s.utf8.filter({ $0 == 46 }).count <= 1, s.first != ".", s.last != "." else { return nil }
        return Double(s)
    }

    /// `20000/s` (accesses), `64M/s` (bytes), `/min` and `/h` too; a bare number is accesses per second.
    static func rate(_ v: JSONLineValue, field: String, maxPerSecond: Double) throws(SpecError) -> Rate {
        let why = "must be a rate such as \"20000/s\" (accesses) or \"64M/s\" (bytes), per s, min or h"
        let r: Rate
        switch v {
        case .int(let n): r = .accesses(Double(n))
        case .double(let d): r = .accesses(d)
        case .string(let text):
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let amountText = parts.first else { throw SpecError(field, why) }
            var per = 1.0
            if parts.count == 2 {
                switch parts[1] {
                case "s": per = 1
                case "min", "m": per = 60
                case "h": per = 3600
                default: throw SpecError(field, "\(why); not \"\(text.prefix(40))\"")
                }
            }
            if let n = decimal(amountText) {
                r = .accesses(n / per)
            } else if let b = try? LimitParser.parse(String(amountText), pageSize: 1), amountText.last?.isLetter == true {
                r = .bytes(Double(b) / per)
            } else {
                throw SpecError(field, "\(why); not \"\(text.prefix(40))\"")
            }
        default: throw SpecError(field, "\(why); not \(v.typeName)")
        }
        let n: Double = switch r { case .accesses(let x): x; case .bytes(let x): x / 4096 }
        guard n.isFinite, n > 0 else { throw SpecError(field, "must be a positive rate") }
        guard n <= maxPerSecond else { throw SpecError(field, "must be at most \(Int(maxPerSecond)) accesses per second") }
        return r
    }
}
