/// The members of one record, read by name with typed accessors that name
/// the field and the line on every error. `finish()` refuses fields nobody
/// read, so a typo (`"adr"`) is an error rather than a silent default.
struct Fields {
    var members: [(String, JSONLineValue)]
    var used: [Bool]
    let line: Int
    let context: String?

    init(_ members: [(String, JSONLineValue)], line: Int, context: String? = nil) {
        self.members = members
        self.used = Array(repeating: false, count: members.count)
        self.line = line
        self.context = context
    }

    func error(_ message: String) -> TraceError {
        TraceError(line: line, context.map { "\($0): \(message)" } ?? opPrefix + message)
    }

    private var opPrefix: String {
        if let i = members.firstIndex(where: { $0.0 == "op" }), case .string(let op) = members[i].1 { return op.prefix(40) + ": " }
        return ""
    }

    func has(_ name: String) -> Bool { members.contains { $0.0 == name } }

    func peekString(_ name: String) throws(TraceError) -> String? {
        guard let i = members.firstIndex(where: { $0.0 == name }) else { return nil }
        guard case .string(let s) = members[i].1 else { throw error("\"\(name)\" must be a string, not \(members[i].1.typeName)") }
        return s
    }

    mutating func take(_ name: String) -> JSONLineValue? {
        guard let i = members.firstIndex(where: { $0.0 == name }) else { return nil }
        used[i] = true
        return members[i].1
    }

    mutating func required(_ name: String) throws(TraceError) -> JSONLineValue {
        guard let v = take(name) else { throw error("missing field \"\(name)\"") }
        return v
    }

    mutating func string(_ name: String) throws(TraceError) -> String {
        let v = try required(name)
        guard case .string(let s) = v else { throw error("\"\(name)\" must be a string, not \(v.typeName)") }
        guard !s.isEmpty, s.utf8.count <= 4096 else { throw error("\"\(name)\" must be 1 to 4096 bytes long") }
        return s
    }

    mutating func optionalString(_ name: String) throws(TraceError) -> String? {
        guard has(name) else { return nil }
        return try string(name)
    }

    mutating func int(_ name: String) throws(TraceError) -> Int {
        let v = try required(name)
        guard case .int(let n) = v else {
            if case .double = v { throw error("\"\(name)\" must be an integer") }
            throw error("\"\(name)\" must be an integer, not \(v.typeName)")
        }
        return n
    }

    mutating func optionalInt(_ name: String) throws(TraceError) -> Int? {
        guard has(name) else { return nil }
        return try int(name)
    }

    /// A pid: 1 to 2^31-1.
    mutating func pid(_ name: String) throws(TraceError) -> UInt32 {
        let n = try int(name)
        guard n >= 1, n <= Int(Int32.max) else { throw error("\"\(name)\" must be a pid from 1 to 2147483647, not \(n)") }
        return UInt32(n)
    }

    mutating func optionalNumber(_ name: String) throws(TraceError) -> Double? {
        guard let v = take(name) else { return nil }
        switch v {
        case .int(let n): return Double(n)
        case .double(let d): return d
        default: throw error("\"\(name)\" must be a number, not \(v.typeName)")
        }
    }

    mutating func optionalBool(_ name: String) throws(TraceError) -> Bool? {
        guard let v = take(name) else { return nil }
        guard case .bool(let b) = v else { throw error("\"\(name)\" must be true or false, not \(v.typeName)") }
        return b
    }

    mutating func object(_ name: String) throws(TraceError) -> [(String, JSONLineValue)] {
        let v = try required(name)
        guard case .object(let m) = v else { throw error("\"\(name)\" must be an object, not \(v.typeName)") }
        return m
    }

    mutating func optionalObject(_ name: String) throws(TraceError) -> [(String, JSONLineValue)]? {
        guard has(name) else { return nil }
        return try object(name)
    }

    mutating func optionalArray(_ name: String) throws(TraceError) -> [JSONLineValue]? {
        guard let v = take(name) else { return nil }
        guard case .array(let a) = v else { throw error("\"\(name)\" must be an array, not \(v.typeName)") }
        return a
    }

    /// Bytes as an integer or a size string (`"4G"`).
    mutating func optionalSize(_ name: String) throws(TraceError) -> Int? {
        guard let v = take(name) else { return nil }
        guard let n = try TraceReader.sizeOrMax(v, what: name, line: line) else { throw error("\(name) must be a size, not unlimited") }
        return n
    }

    /// Refuses any field that was not read.
    func finish() throws(TraceError) {
        if let i = used.firstIndex(of: false) { throw error("unknown field \"\(members[i].0.prefix(40))\"") }
    }
}
