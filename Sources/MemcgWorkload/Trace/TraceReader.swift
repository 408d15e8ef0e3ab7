import MemcgEngine

/// Reads a trace file into a `Trace`: the header, then logical records
/// (workloads.md section 2) or physical commands (section 1), told apart by
/// the first record. A bad record stops the reading with its line number.
public struct TraceReader {
    /// Addresses, offsets and ends of ranges stay below this (2^52 bytes:
    /// 2^40 pages of 4 KiB), so page numbers fit the driver's tables.
    public static let addressLimit: UInt64 = 1 << 52

    var header = TraceHeader()
    var kind: TraceKind?
    var records: [Record] = []
    var containers: [String] = [MemcgEngine.rootName]
    var containerIDs: [String: UInt32] = [MemcgEngine.rootName: 0]
    var objects: [String] = []
    var objectIsShm: [Bool] = []
    var objectIDs: [String: UInt32] = [:]
    var segmentIDs: [String: UInt32] = [:]
    var containerSpecs: [ContainerSpec] = []
    var limitSpecs: [LimitSpec] = []
    var physical: [(line: Int, item: PhysicalItem)] = []
    var recordCount = 0
    var touched: UInt64 = 0
    var time = 0.0
    var sawRecord = false
    /// Whether page-access records may take the fast path
    /// (`addFast`); off only in the tests that compare the two.
    var fastPath = true

    public init() {}

    /// Reads a whole file. `progress` is called now and then with
    /// (bytes read, file size if known, records so far).
    public static func read(path: String, progress: ((Int, Int?, Int) -> Void)? = nil) throws(TraceError) -> Trace {
        let lines = try LineReader(path: path)
        var reader = TraceReader()
        // Reserve the records once, from a guess at the count (one per 24
        // bytes: a page-access line is longer). Untouched capacity is never
        // backed by memory, so a guess too high costs address space only;
        // without it, appending copies the whole array (and faults in a
        // fresh one) at each doubling, most of a large read's system time.
        if let total = lines.totalBytes { reader.records.reserveCapacity(min(total / 24, 1 << 27)) }
        var n = 0
        while try lines.next({ (line) throws(TraceError) -> Bool in
            try reader.add(line: line, number: lines.lineNumber)
            return true
        }) != nil {
            n += 1
            if n & 0xFFFF == 0 { progress?(lines.bytesRead, lines.totalBytes, reader.recordCount) }
        }
        progress?(lines.bytesRead, lines.totalBytes, reader.recordCount)
        return reader.finish()
    }

    /// Reads a trace held in memory (tests, the live player).
    public static func read(text: String) throws(TraceError) -> Trace {
        var reader = TraceReader()
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var s = String(line)
            let r: Result<Void, TraceError> = s.withUTF8 { buf in
                do throws(TraceError) { try reader.add(line: buf, number: number); return .success(()) } catch { return .failure(error) }
            }
            try r.get()
        }
        return reader.finish()
    }

    public func finish() -> Trace {
        Trace(header: header, kind: kind ?? .logical, records: records, containers: containers, objects: objects,
              objectIsShm: objectIsShm, containerSpecs: containerSpecs, limitSpecs: limitSpecs, physical: physical,
              recordCount: recordCount, touchedBytes: touched)
    }

    /// Adds one line. Blank lines are allowed and skipped.
    public mutating func add(line: UnsafeBufferPointer<UInt8>, number: Int) throws(TraceError) {
        if fastPath && addFast(line: line, number: number) { return }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        guard number <= Int(UInt32.max) else { throw TraceError(line: number, "the trace has more than 2^32 lines") }
        let value: JSONLineValue
        do { value = try JSONLineParser.parse(line) } catch {
            throw TraceError(line: number, "not valid JSON: \(error.message)")
        }
        guard case .object(let members) = value else {
            throw TraceError(line: number, "a record must be a JSON object, not \(value.typeName)")
        }
        var f = Fields(members, line: number)
        if f.has("memcgd_trace") {
            guard !sawRecord else { throw f.error("the header (memcgd_trace) must be the first line") }
            try readHeader(&f)
            return
        }
        sawRecord = true
        let isPhysical = try classify(f)
        if kind == nil { kind = isPhysical ? .physical : .logical }
        if isPhysical != (kind == .physical) {
            throw f.error(isPhysical ? "a physical record (page frames) in a logical trace"
                                     : "a logical record in a physical trace (page frames)")
        }
        recordCount += 1
        if isPhysical { try readPhysical(&f) } else { try readLogical(&f) }
    }

    mutating func readHeader(_ f: inout Fields) throws(TraceError) {
        let v = try f.int("memcgd_trace")
        guard v == 1 else { throw f.error("unsupported trace version \(v) (this reader knows version 1)") }
        if let kindName = try f.optionalString("kind") {
            guard let k = TraceKind(rawValue: kindName) else { throw f.error("kind must be logical or physical") }
            kind = k
        }
        if let m = try f.optionalObject("machine") {
            var mf = Fields(m, line: f.line, context: "machine")
            header.memoryBytes = try mf.optionalSize("memory")
            header.swapBytes = try mf.optionalSize("swap")
            header.pageSize = try mf.optionalInt("page_size")
            if let c = try mf.optionalString("cgroup") {
                guard c == "v1" || c == "v2" else { throw mf.error("cgroup must be v1 or v2") }
                header.cgroup = c
            }
            try mf.finish()
        }
        _ = try f.optionalString("comment")
        try f.finish()
    }

    static let physicalOps: Set<String> = Set(PageOp.allCases.map(\.name)).union([
        "create_container", "delete_container", "set_limits", "reset_stats", "force_empty",
        "create_process", "move_process", "exit_process",
    ])
    static let logicalOps: Set<String> = Set(RecordOp.allCases.map(\.name)).subtracting(["t"])

    /// True for a physical record. `unmap`, `mlock` and `munlock` exist in
    /// both: a `page` or `pages` field makes them physical.
    func classify(_ f: Fields) throws(TraceError) -> Bool {
        if f.has("events") { return true }
        guard let op = try f.peekString("op") else { throw f.error("missing field \"op\"") }
        let logical = Self.logicalOps.contains(op), phys = Self.physicalOps.contains(op)
        if logical && phys { return f.has("page") || f.has("pages") }
        if logical { return false }
        if phys { return true }
        throw f.error("unknown op \"\(op.prefix(40))\"")
    }

    // MARK: logical records

    mutating func readLogical(_ f: inout Fields) throws(TraceError) {
        let opName = try f.string("op")
        let op = RecordOp.allCases.first { $0.name == opName }!
        if let t = try f.optionalNumber("t") {
            guard t >= 0, t.isFinite else { throw f.error("t must be a non-negative number of seconds") }
            guard t >= time else { throw f.error("t goes back in time (\(t) after \(time))") }
            if t > time {
                time = t
                records.append(Record(op: .time, a: t.bitPattern, line: UInt32(f.line)))
            }
        }
        var r = Record(op: op, line: UInt32(f.line))
        switch op {
        case .time: break
        case .container:
            let name = try f.string("name")
            guard MemcgEngine.isValidName(name), name != MemcgEngine.rootName else {
                throw f.error("invalid container name \"\(name.prefix(80))\": use 1 to 64 of [A-Za-z0-9._-], not root")
            }
            let parent = try f.optionalString("parent") ?? MemcgEngine.rootName
            let controls = try f.optionalObject("limits").map { (m) throws(TraceError) in try Self.controls(m, line: f.line) } ?? Controls()
            let group = try f.optionalBool("oom_group") ?? false
            let ct = try f.optionalString("charge_type") ?? "all"
            guard ct == "all" || ct == "mapped" else { throw f.error("charge_type must be all or mapped") }
            r.id = UInt32(containerSpecs.count)
            containerSpecs.append(ContainerSpec(name: name, parent: parent, controls: controls, oomGroup: group, mappedOnly: ct == "mapped"))
            _ = containerID(name)
        case .limits:
            let name = try f.string("container")
            let controls = try Self.controls(try f.object("limits"), line: f.line)
            r.id = UInt32(limitSpecs.count)
            limitSpecs.append(LimitSpec(container: name, controls: controls))
        case .spawn, .move:
            r.pid = try f.pid("pid")
            r.id = containerID(try f.string("container"))
        case .fork:
            r.pid = try f.pid("pid")
            r.id = try f.pid("parent")
        case .exit:
            r.pid = try f.pid("pid")
        case .anon, .unmap, .mlock, .munlock:
            r.pid = try f.pid("pid")
            try range(&f, &r, "addr", "len", optional: false)
            if op == .anon, try f.optionalBool("write") == true { r.flags |= Record.write }
        case .file:
            if f.has("pid") { r.pid = try f.pid("pid") }
            r.id = objectID(try f.string("file"), shm: false)
            try range(&f, &r, "offset", "len", optional: false)
            if try f.optionalBool("mapped") == true {
                guard r.pid != 0 else { throw f.error("a mapped file access needs a pid") }
                r.flags |= Record.mapped
            }
            if try f.optionalBool("write") == true { r.flags |= Record.write }
        case .shm:
            r.pid = try f.pid("pid")
            r.id = objectID(try f.string("segment"), shm: true)
            try range(&f, &r, "offset", "len", optional: false)
            r.flags |= Record.mapped
            if try f.optionalBool("write") == true { r.flags |= Record.write }
        case .unmapFile, .drop:
            if op == .unmapFile { r.pid = try f.pid("pid") }
            let file = try f.optionalString("file"), seg = try f.optionalString("segment")
            switch (file, seg) {
            case let (name?, nil): r.id = objectID(name, shm: false)
            case let (nil, name?): r.id = objectID(name, shm: true)
            default: throw f.error("give exactly one of \"file\" and \"segment\"")
            }
            try range(&f, &r, "offset", "len", optional: true)
        }
        try f.finish()
        if op == .anon || op == .file || op == .shm { touched = touched &+ r.b }
        records.append(r)
    }

    /// Reads `[addr, addr+len)` into `a`, `b`; with `optional`, both may be absent (whole object).
    func range(_ f: inout Fields, _ r: inout Record, _ addr: String, _ len: String, optional: Bool) throws(TraceError) {
        let a = optional ? try f.optionalInt(addr) ?? 0 : try f.int(addr)
        let l: Int? = optional ? try f.optionalInt(len) : try f.int(len)
        guard a >= 0, UInt64(a) < Self.addressLimit else { throw f.error("\(addr) must be an integer from 0 to 2^52-1, not \(a)") }
        if let l {
            guard l >= 0, UInt64(l) <= Self.addressLimit - UInt64(a) else {
                throw f.error("\(len) must be a non-negative integer with \(addr)+\(len) at most 2^52, not \(l)")
            }
            r.b = UInt64(l)
        } else {
            r.b = Record.wholeObject
        }
        r.a = UInt64(a)
    }

    mutating func containerID(_ name: String) -> UInt32 {
        if let id = containerIDs[name] { return id }
        let id = UInt32(containers.count)
        containers.append(name)
        containerIDs[name] = id
        return id
    }

    mutating func objectID(_ name: String, shm: Bool) -> UInt32 {
        if let id = shm ? segmentIDs[name] : objectIDs[name] { return id }
        let id = UInt32(objects.count)
        objects.append(name)
        objectIsShm.append(shm)
        if shm { segmentIDs[name] = id } else { objectIDs[name] = id }
        return id
    }

    /// A `limits` object: control name -> bytes, size string, `max`, -1 or null.
    static func controls(_ m: [(String, JSONLineValue)], line: Int) throws(TraceError) -> Controls {
        var out = Controls()
        for (name, v) in m {
            guard let c = Control(name: name) else {
                throw TraceError(line: line, "unknown control \"\(name.prefix(40))\" in limits (known: max, high, low, min, swap_max)")
            }
            out[c] = try sizeOrMax(v, what: "limits.\(name)", line: line)
        }
        return out
    }

    /// Bytes (integer or string with K/M/G/T), or nil for `max`, -1, null.
    static func sizeOrMax(_ v: JSONLineValue, what: String, line: Int) throws(TraceError) -> Int? {
        switch v {
        case .null: return nil
        case .int(let n):
            if n == -1 { return nil }
            guard n >= 0 else { throw TraceError(line: line, "\(what) must not be negative") }
            return n
        case .string(let s):
            do { return try LimitParser.parse(s, pageSize: 1) } catch {
                throw TraceError(line: line, "\(what): \(error.detail)")
            }
        default: throw TraceError(line: line, "\(what) must be bytes, a size such as \"512M\", or \"max\"; not \(v.typeName)")
        }
    }
}
