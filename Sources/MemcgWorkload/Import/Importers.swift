#if canImport(Glibc)
import Glibc
#endif

/// Buffered output of JSON lines to a file descriptor.
public final class LineWriter {
    let fd: Int32
    var buf: [UInt8] = []
    public private(set) var lines = 0

    public init(fd: Int32) {
        self.fd = fd
        buf.reserveCapacity(1 << 16)
    }

    public func line(_ s: String) {
        buf.append(contentsOf: s.utf8)
        buf.append(0x0A)
        lines += 1
        if buf.count >= 1 << 16 { flush() }
    }

    public func flush() {
        var off = 0
        while off < buf.count {
            let n = buf.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, buf.count - off) }
            if n <= 0 { break }
            off += n
        }
        buf.removeAll(keepingCapacity: true)
    }
}

/// What an importer saw.
public struct ImportStats: Sendable, Equatable {
    public var inputLines = 0
    public var records = 0
    public var processes = 0
    public var skippedLines = 0
}

/// Importers of real programs' traces (workloads.md section 5). Both
/// stream their input: lackey output runs to gigabytes.
public enum Importer {
    /// `valgrind --tool=lackey --trace-mem=yes PROG`: `I  addr,size`
    /// (instruction fetch) becomes a mapped read of a file named after the
    /// program; ` L`, ` S`, ` M` become anonymous reads and writes. Runs of
    /// one page are cut to two records: the driver collapses the rest.
    public static func lackey(input: LineReader, out: LineWriter, container: String, pageSize: UInt64 = 4096,
                              progress: ((Int, Int?) -> Void)? = nil) throws(TraceError) -> ImportStats {
        var st = ImportStats()
        var pid = 1
        var program = "program"
        var started = false
        var lastKind: UInt8 = 0, lastPage: UInt64 = .max, run = 0
        func start() {
            out.line(#"{"memcgd_trace":1,"comment":"imported from valgrind lackey: instruction fetches are mapped reads of \#(JSONText.quote(program).dropFirst().dropLast()), data accesses anonymous"}"#)
            out.line(#"{"op":"container","name":\#(JSONText.quote(container))}"#)
            out.line(#"{"op":"spawn","pid":\#(pid),"container":\#(JSONText.quote(container))}"#)
            st.processes = 1
            st.records += 3
            started = true
        }
        while let line = try input.next({ (b: UnsafeBufferPointer<UInt8>) -> [UInt8] in Array(b) }) {
            st.inputLines += 1
            if st.inputLines & 0xFFFFF == 0 { progress?(input.bytesRead, input.totalBytes) }
            guard line.count >= 4 else { st.skippedLines += 1; continue }
            if line[0] == UInt8(ascii: "=") {
                // ==PID== Command: PROG ARGS
                let s = String(decoding: line, as: UTF8.self)
                if !started, let r = s.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).dropFirst().first, r == "Command:" {
                    let parts = s.split(separator: " ", omittingEmptySubsequences: true)
                    if parts.count >= 3 { program = String(parts[2].split(separator: "/").last ?? "program") }
                    let p = s.split(separator: "=", omittingEmptySubsequences: true).first.flatMap { Int($0) }
                    if let p, p > 0, p < Int(Int32.max) { pid = p }
                }
                continue
            }
            let kind: UInt8
            if line[0] == UInt8(ascii: "I") { kind = UInt8(ascii: "I") } else if line[0] == 0x20 { kind = line[1] } else { st.skippedLines += 1; continue }
            guard kind == UInt8(ascii: "I") || kind == UInt8(ascii: "L") || kind == UInt8(ascii: "S") || kind == UInt8(ascii: "M") else {
                st.skippedLines += 1
                continue
            }
            var i = 2
            while i < line.count, line[i] == 0x20 { i += 1 }
            var addr: UInt64 = 0, digits = 0
            while i < line.count, let h = hex(line[i]) {
                guard digits < 15 else { throw TraceError(line: input.lineNumber, "address too large") }
                addr = addr << 4 | UInt64(h)
                digits += 1
                i += 1
            }
            guard digits > 0, i < line.count, line[i] == UInt8(ascii: ",") else { st.skippedLines += 1; continue }
            i += 1
            var size: UInt64 = 0
            while i < line.count, line[i] >= 0x30, line[i] <= 0x39, size < 1 << 20 { size = size * 10 + UInt64(line[i] - 0x30); i += 1 }
            if size == 0 { size = 1 }
            if !started { start() }
            let page = addr / pageSize
            if kind == lastKind && page == lastPage && (addr + size - 1) / pageSize == page {
                run += 1
                if run > 2 { continue }
            } else {
                lastKind = kind
                lastPage = page
                run = 1
            }
            switch kind {
            case UInt8(ascii: "I"):
                out.line(#"{"op":"file","pid":\#(pid),"file":\#(JSONText.quote(program)),"offset":\#(addr),"len":\#(size),"mapped":true}"#)
            case UInt8(ascii: "L"):
                out.line(#"{"op":"anon","pid":\#(pid),"addr":\#(addr),"len":\#(size)}"#)
            default:
                out.line(#"{"op":"anon","pid":\#(pid),"addr":\#(addr),"len":\#(size),"write":true}"#)
            }
            st.records += 1
        }
        if !started { throw TraceError(line: nil, "no lackey memory trace found (run valgrind --tool=lackey --trace-mem=yes)") }
        out.line(#"{"op":"exit","pid":\#(pid)}"#)
        st.records += 1
        out.flush()
        return st
    }

    @inline(__always) static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    /// `perf script -F pid,tid,time,addr --show-task-events` of a
    /// `perf record -e page-faults -c 1 -d` run: every fault is a first
    /// touch (anonymous write) at its data address, in its process;
    /// PERF_RECORD_FORK and _EXIT of processes (not threads) become fork and
    /// exit; time stamps become `t` (seconds since the first event).
    public static func perf(input: LineReader, out: LineWriter, container: String) throws(TraceError) -> ImportStats {
        var st = ImportStats()
        var known = Set<Int>()
        var t0: Double?
        var lastT = 0.0
        out.line(#"{"memcgd_trace":1,"comment":"imported from perf page-faults: it sees first touches only, not re-references, so refaults under a limit are a lower bound"}"#)
        out.line(#"{"op":"container","name":\#(JSONText.quote(container))}"#)
        st.records += 2
        func time(_ s: Substring) -> String {
            guard let v = Double(s.dropLast()) else { return "" }
            if t0 == nil { t0 = v }
            let t = max(lastT, ((v - t0!) * 1e6).rounded() / 1e6)
            lastT = t
            return ",\"t\":\(t)"
        }
        func ensure(_ pid: Int, _ t: String) {
            guard !known.contains(pid) else { return }
            known.insert(pid)
            out.line(#"{"op":"spawn","pid":\#(pid),"container":\#(JSONText.quote(container))\#(t)}"#)
            st.records += 1
            st.processes += 1
        }
        func ids(_ s: Substring) -> (Int, Int)? {
            let p = s.split(separator: ":")
            guard p.count == 2, let a = Int(p[0]), let b = Int(p[1]) else { return nil }
            return (a, b)
        }
        while let line = try input.next({ (b: UnsafeBufferPointer<UInt8>) -> String in String(decoding: b, as: UTF8.self) }) {
            st.inputLines += 1
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 3, let pt = ids(f[0].replacingSlash()), let pid = Optional(pt.0), pid > 0, pid < Int(Int32.max), f[1].hasSuffix(":") else {
                st.skippedLines += 1
                continue
            }
            let rest = f[2]
            if rest.hasPrefix("PERF_RECORD_FORK(") {
                // PERF_RECORD_FORK(child:ctid):(parent:ptid)
                let inner = rest.dropFirst("PERF_RECORD_FORK(".count).split(separator: ")")
                guard inner.count >= 2, let c = ids(inner[0]), let p = ids(inner[1].dropFirst(2)), c.0 != p.0, c.0 == c.1 else { continue }
                let t = time(f[1])
                ensure(p.0, t)
                if !known.contains(c.0) {
                    known.insert(c.0)
                    out.line(#"{"op":"fork","pid":\#(c.0),"parent":\#(p.0)\#(t)}"#)
                    st.records += 1
                    st.processes += 1
                }
            } else if rest.hasPrefix("PERF_RECORD_EXIT(") {
                let inner = rest.dropFirst("PERF_RECORD_EXIT(".count).split(separator: ")")
                guard let c = inner.first.flatMap(ids), c.0 == c.1, known.contains(c.0) else { continue }
                out.line(#"{"op":"exit","pid":\#(c.0)\#(time(f[1]))}"#)
                known.remove(c.0)
                st.records += 1
            } else if rest.hasPrefix("PERF_RECORD") {
                continue
            } else if let addr = UInt64(rest, radix: 16) {
                guard addr < TraceReader.addressLimit else { st.skippedLines += 1; continue }
                let t = time(f[1])
                ensure(pid, t)
                out.line(#"{"op":"anon","pid":\#(pid),"addr":\#(addr),"len":1,"write":true\#(t)}"#)
                st.records += 1
            } else {
                st.skippedLines += 1
            }
        }
        out.flush()
        return st
    }
}

extension Substring {
    func replacingSlash() -> Substring { Substring(map { $0 == "/" ? ":" : $0 }) }
}
