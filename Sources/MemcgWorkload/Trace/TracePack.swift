import MemcgEngine

#if canImport(Glibc)
import Glibc
#endif

/// `memcgd trace pack`: a compact binary form of a logical trace, read
/// back without JSON parsing. Little-endian; every value is checked on
/// load, so a damaged file is refused, never trusted.
///
/// Layout: magic `MCGTRC01`; header (memory, swap, page size: i64, -1 for
/// none; cgroup string); containers, objects (+ shm flag), container specs,
/// limit specs; record count, touched bytes; records of 30 bytes
/// (a u64, b u64, pid u32, id u32, line u32, op u8, flags u8).
public enum TracePack {
    static let magic = Array("MCGTRC01".utf8)

    public static func isPacked(path: String) -> Bool {
        guard let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var m = [UInt8](repeating: 0, count: 8)
        return fread(&m, 1, 8, f) == 8 && m == magic
    }

    public static func pack(_ t: Trace) throws(TraceError) -> [UInt8] {
        guard t.kind == .logical else { throw TraceError(line: nil, "only logical traces can be packed") }
        var o = magic
        func u64(_ v: UInt64) { for i in 0..<8 { o.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        func u32(_ v: UInt32) { for i in 0..<4 { o.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        func i64(_ v: Int?) { u64(UInt64(bitPattern: Int64(v ?? -1))) }
        func str(_ s: String) { u32(UInt32(s.utf8.count)); o.append(contentsOf: s.utf8) }
        func controls(_ c: Controls) {
            u32(UInt32(c.values.count))
            for (k, v) in c.values { o.append(UInt8(Control.allCases.firstIndex(of: k)!)); i64(v) }
        }
        i64(t.header.memoryBytes); i64(t.header.swapBytes); i64(t.header.pageSize); str(t.header.cgroup ?? "")
        u32(UInt32(t.containers.count)); t.containers.forEach(str)
        u32(UInt32(t.objects.count))
        for (n, s) in zip(t.objects, t.objectIsShm) { str(n); o.append(s ? 1 : 0) }
        u32(UInt32(t.containerSpecs.count))
        for s in t.containerSpecs { str(s.name); str(s.parent); controls(s.controls); o.append((s.oomGroup ? 1 : 0) | (s.mappedOnly ? 2 : 0)) }
        u32(UInt32(t.limitSpecs.count))
        for s in t.limitSpecs { str(s.container); controls(s.controls) }
        u64(UInt64(t.recordCount)); u64(t.touchedBytes); u64(UInt64(t.records.count))
        o.reserveCapacity(o.count + t.records.count * 30)
        for r in t.records { u64(r.a); u64(r.b); u32(r.pid); u32(r.id); u32(r.line); o.append(r.op.rawValue); o.append(r.flags) }
        return o
    }

    public static func unpack(_ bytes: [UInt8]) throws(TraceError) -> Trace {
        var result: Result<Trace, TraceError>? = nil
        bytes.withUnsafeBytes { raw in result = Result { () throws(TraceError) in try unpack(raw: raw) } }
        return try result!.get()
    }

    /// Unpacks from memory the caller keeps valid (an array, a mapped file).
    static func unpack(raw b: UnsafeRawBufferPointer) throws(TraceError) -> Trace {
        var i = 0
        func bad(_ why: String) -> TraceError { TraceError(line: nil, "damaged packed trace at byte \(i): \(why)") }
        func need(_ n: Int) throws(TraceError) { guard n >= 0, i + n <= b.count else { throw bad("truncated") } }
        func u64() throws(TraceError) -> UInt64 {
            try need(8)
            let v = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
            return v
        }
        func u32() throws(TraceError) -> UInt32 {
            try need(4)
            let v = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i += 4
            return v
        }
        func u8() throws(TraceError) -> UInt8 { try need(1); i += 1; return b[i - 1] }
        func i64() throws(TraceError) -> Int? {
            let v = Int64(bitPattern: try u64())
            guard v >= -1 else { throw bad("negative amount") }
            return v == -1 ? nil : Int(v)
        }
        func str() throws(TraceError) -> String {
            let n = Int(try u32())
            guard n <= 4096 else { throw bad("string too long") }
            try need(n)
            defer { i += n }
            return String(decoding: b[i..<(i + n)], as: UTF8.self)
        }
        func count(_ limit: Int) throws(TraceError) -> Int {
            let n = Int(try u32())
            guard n <= limit, n <= b.count else { throw bad("count too large") }
            return n
        }
        func controls() throws(TraceError) -> Controls {
            var c = Controls()
            for _ in 0..<(try count(Control.allCases.count)) {
                let k = Int(try u8())
                guard k < Control.allCases.count else { throw bad("unknown control") }
                c[Control.allCases[k]] = try i64()
            }
            return c
        }
        guard b.count >= 8, Array(b[0..<8]) == magic else { throw TraceError(line: nil, "not a packed memcgd trace") }
        i = 8
        var h = TraceHeader()
        h.memoryBytes = try i64(); h.swapBytes = try i64(); h.pageSize = try i64()
        let cg = try str()
        h.cgroup = cg.isEmpty ? nil : cg
        var containers: [String] = []
        for _ in 0..<(try count(1 << 22)) { containers.append(try str()) }
        var objects: [String] = [], shm: [Bool] = []
        for _ in 0..<(try count(1 << 22)) { objects.append(try str()); shm.append(try u8() != 0) }
        var specs: [ContainerSpec] = []
        for _ in 0..<(try count(1 << 22)) {
            let n = try str(), p = try str(), c = try controls(), f = try u8()
            specs.append(ContainerSpec(name: n, parent: p, controls: c, oomGroup: f & 1 != 0, mappedOnly: f & 2 != 0))
        }
        var limits: [LimitSpec] = []
        for _ in 0..<(try count(1 << 30)) { limits.append(LimitSpec(container: try str(), controls: try controls())) }
        let recordCount = Int(try u64()), touched = try u64(), n = try u64()
        guard n <= UInt64((b.count - i) / 30), recordCount >= 0 else { throw bad("record count does not match the file") }
        var records: [Record] = []
        records.reserveCapacity(Int(n))
        for _ in 0..<Int(n) {
            var r = Record(op: .time)
            r.a = try u64(); r.b = try u64(); r.pid = try u32(); r.id = try u32(); r.line = try u32()
            guard let op = RecordOp(rawValue: try u8()) else { throw bad("unknown op") }
            r.op = op
            r.flags = try u8()
            switch op {
            case .time: guard Double(bitPattern: r.a).isFinite else { throw bad("bad time") }
            case .container: guard r.id < specs.count else { throw bad("bad container spec") }
            case .limits: guard r.id < limits.count else { throw bad("bad limit spec") }
            case .spawn, .move: guard r.id < containers.count, r.pid >= 1, r.pid <= UInt32(Int32.max) else { throw bad("bad process record") }
            case .fork: guard r.pid >= 1, r.pid <= UInt32(Int32.max), r.id >= 1, r.id <= UInt32(Int32.max) else { throw bad("bad fork") }
            case .exit: guard r.pid >= 1, r.pid <= UInt32(Int32.max) else { throw bad("bad exit") }
            case .anon, .unmap, .mlock, .munlock:
                guard r.pid >= 1, r.pid <= UInt32(Int32.max), r.a < TraceReader.addressLimit, r.b <= TraceReader.addressLimit - r.a else { throw bad("bad range") }
            case .file, .shm, .unmapFile, .drop:
                guard r.id < objects.count, r.pid <= UInt32(Int32.max), r.a < TraceReader.addressLimit,
                      r.b == Record.wholeObject || r.b <= TraceReader.addressLimit - r.a else { throw bad("bad object record") }
                guard op != .shm && op != .unmapFile || r.pid >= 1 else { throw bad("missing pid") }
                guard !r.isMapped || r.pid >= 1 else { throw bad("mapped access without pid") }
            }
            records.append(r)
        }
        guard i == b.count else { throw bad("trailing bytes") }
        return Trace(header: h, kind: .logical, records: records, containers: containers, objects: objects, objectIsShm: shm,
                     containerSpecs: specs, limitSpecs: limits, physical: [], recordCount: recordCount, touchedBytes: touched)
    }
}

extension TracePack {
    /// Reads a packed trace file: mapped read-only where the system can map
    /// it (no copy of the file into fresh memory), read in chunks otherwise.
    public static func read(path: String) throws(TraceError) -> Trace {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TraceError(line: nil, "cannot open \(path)") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size > 0,
           let m = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED {
            defer { munmap(m, Int(st.st_size)) }
            _ = madvise(m, Int(st.st_size), MADV_SEQUENTIAL)
            return try unpack(raw: UnsafeRawBufferPointer(start: m, count: Int(st.st_size)))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw TraceError(line: nil, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return try unpack(bytes)
    }
}
