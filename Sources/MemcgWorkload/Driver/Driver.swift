import MemcgEngine

/// How to replay: the machine and the controls set from the command line.
public struct ReplayConfig: Sendable {
    public var machine: Machine
    /// `v1` or `v2`, as asked (the engine's own interface decides what runs).
    public var cgroup: String
    /// `--set NAME.CONTROL=VALUE`: these win over what the trace sets.
    public var overrides: [Override]
    /// Seconds of virtual time between two rows of the time series; nil: none.
    public var seriesEvery: Double?

    public init(machine: Machine, cgroup: String = "v2", overrides: [Override] = [], seriesEvery: Double? = nil) {
        self.machine = machine
        self.cgroup = cgroup
        self.overrides = overrides
        self.seriesEvery = seriesEvery
    }
}

/// One `--set NAME.CONTROL=VALUE`.
public struct Override: Sendable, Equatable {
    public var container: String
    public var control: Control
    /// Bytes; nil for unlimited.
    public var bytes: Int?
    public init(container: String, control: Control, bytes: Int?) {
        self.container = container
        self.control = control
        self.bytes = bytes
    }
}

/// A process as the driver sees it: its page table lives in `Driver.ptes`
/// (space = the process's index), its file and shm mappings here.
struct DriverProcess {
    var pid: UInt32
    var container: Int
    var family: Int
    var alive = true
    var killed = false
    /// (object << 40 | page) -> frame + 1 while mapped; `holder` while the
    /// shm page is out in swap and this process's claim on the slot stands.
    var fileMaps: [UInt64: UInt32] = [:]
    /// Objects this process has mapped pages of.
    var attached: [Int] = []
    /// The collapse of repeated accesses: last page key and accesses sent.
    var lastKey: UInt64 = .max
    var run: UInt8 = 0
}

/// The memory manager's part (workloads.md section 3): page tables, page
/// cache index and frame allocator, turning each page of a logical record
/// into engine events through `apply`. The engine stays the single
/// authority on charges; the driver learns evictions and kills from its
/// results.
/// Its stored properties skip dynamic exclusivity checks: the driver is
/// used by one thread and touches them on every page (the checks cost a
/// third of replay time).
public final class Driver {
    public let engine: MemcgEngine
    public let trace: Trace
    public let config: ReplayConfig
    let pageSize: UInt64

    @exclusivity(unchecked) var ptes = PageIndex()
    @exclusivity(unchecked) var cache = PageIndex()
    @exclusivity(unchecked) var frames = FrameAllocator()
    @exclusivity(unchecked) var procs: [DriverProcess] = []
    @exclusivity(unchecked) var pidMap: [UInt32: Int] = [:] { didSet { lastPid = 0 } }
    /// The last pid `process` looked up and its process (pids are >= 1).
    @exclusivity(unchecked) var lastPid: UInt32 = 0
    @exclusivity(unchecked) var lastProcess = 0
    /// Look-ahead positions (`lookAhead`), by record index modulo 32.
    @exclusivity(unchecked) var ahead = [Int](repeating: -1, count: 32)
    @exclusivity(unchecked) var families: [[Int]] = []
    /// Per object: processes that map (or hold swap claims on) its pages.
    @exclusivity(unchecked) var attach: [[Int]]
    @exclusivity(unchecked) var containerIndex: [String: Int] = [:]
    @exclusivity(unchecked) var overrides: [String: Controls] = [:]
    /// Containers with `charge_type: mapped`.
    @exclusivity(unchecked) var mappedOnly: [Bool]
    /// Private copies of the trace's tables: parallel replays of one trace
    /// must not share reference counts on the hot path.
    let objectIsShm: [Bool]
    let containerNames: [String]
    @exclusivity(unchecked) var physicalSwapPeak: [String: Int] = [:]

    /// Accesses not yet sent: they never charge, so they wait for the next
    /// charging event and go to the engine in one batch.
    @exclusivity(unchecked) var pendingAccess: [PageEvent] = []
    @exclusivity(unchecked) var single: [PageEvent] = []
    /// Frames that memory.high's reclaim evicted in the very event that
    /// charged them: folded in once the caller has recorded the page.
    @exclusivity(unchecked) var evictedAtOnce: [Int] = []

    @exclusivity(unchecked) public internal(set) var summary: RunSummary
    @exclusivity(unchecked) var counts: [ContainerCounts]
    @exclusivity(unchecked) var recordIndex = 0
    @exclusivity(unchecked) var currentLine = 0
    @exclusivity(unchecked) var time = 0.0
    @exclusivity(unchecked) var series: SeriesRecorder?

    /// Plays into an engine that others use too (the live player): frames
    /// the engine holds for someone else are passed over, and an event the
    /// engine refuses (the workload's containers or processes changed
    /// through the API) stops the play with an error instead of trapping.
    let shared: Bool
    /// Told every command of a logical trace the driver applies, after the
    /// engine has (whether it succeeded or not, as a replay repeats a
    /// failure too): the live player journals them with the service's.
    @exclusivity(unchecked) public var onApply: ((Command) -> Void)?

    /// The engine's `apply`, then `onApply`.
    @inline(__always)
    func applyToEngine(_ c: Command) throws(EngineError) -> Outcome {
        defer { onApply?(c) }
        return try engine.apply(c)
    }

    /// An engine refusal met where no error can be thrown; `play` throws it.
    @exclusivity(unchecked) var fault: TraceError?

    /// A driver on a fresh engine of its own (replay, whatif).
    public convenience init(trace: Trace, config: ReplayConfig) throws(TraceError) {
        let engine: MemcgEngine
        do { engine = try MemcgEngine(machine: config.machine) } catch {
            throw TraceError(line: nil, "cannot build the machine: \(error.detail)")
        }
        try self.init(trace: trace, config: config, engine: engine, shared: false)
    }

    /// A driver on a given engine. With `shared`, the caller serialises
    /// access to the engine and holds its lock around every `play`.
    public init(trace: Trace, config: ReplayConfig, engine: MemcgEngine, shared: Bool) throws(TraceError) {
        self.trace = trace
        self.config = config
        self.engine = engine
        self.shared = shared
        self.pageSize = UInt64(config.machine.pageSize)
        self.attach = Array(repeating: [], count: trace.objects.count)
        self.objectIsShm = trace.objectIsShm.map { $0 }
        self.containerNames = trace.containers.map { $0 }
        for (i, name) in trace.containers.enumerated() { containerIndex[name] = i }
        self.counts = Array(repeating: ContainerCounts(), count: trace.containers.count)
        self.mappedOnly = Array(repeating: false, count: trace.containers.count)
        guard trace.objects.count < 1 << 22 else { throw TraceError(line: nil, "the trace names more than 4194303 files and segments") }
        self.summary = RunSummary(machine: config.machine, cgroup: config.cgroup, kind: trace.kind)
        let created = Set(trace.createdContainers)
        for o in config.overrides {
            guard created.contains(o.container) else {
                throw TraceError(line: nil, "--set \(o.container).\(o.control.name): the trace creates no container named \"\(o.container)\"")
            }
            overrides[o.container, default: Controls()][o.control] = o.bytes
        }
        if let every = config.seriesEvery { series = SeriesRecorder(every: every) }
        pendingAccess.reserveCapacity(256)
        single.reserveCapacity(1)
    }

    /// Replays every record and returns the summary.
    public func run(progress: ((Int, Int) -> Void)? = nil) throws(TraceError) -> RunSummary {
        if trace.kind == .physical { return try runPhysical(progress: progress) }
        let records = trace.records
        for i in records.indices {
            recordIndex = i
            if i + Self.aheadNear < records.count { lookAhead(records, i) }
            try apply(records[i])
            if i & 0x3FFFF == 0x3FFFF { progress?(i + 1, records.count) }
        }
        flushAccesses()
        progress?(records.count, records.count)
        return finish()
    }

    /// Look-ahead for page accesses of one page (the common record of a
    /// real trace, which jumps around memory): the page-table entry of the
    /// record 16 ahead is prefetched and its position kept; 8 records
    /// later, the entry is read and, when the page is resident, its
    /// frame's mapping count is prefetched. Hints only: a stale position
    /// (the tables changed in between) just prefetches the wrong line.
    @inline(__always) func lookAhead(_ records: [Record], _ i: Int) {
        let far = i + Self.aheadFar
        if far < records.count {
            let r = records[far]
            var pos = -1, file = false
            if r.op == .anon && r.b > 0 && r.b <= pageSize, let p = peekProcess(r.pid) {
                pos = ptes.position(p, r.a / pageSize)
                ptes.prefetch(position: pos)
            } else if r.op == .file && r.b > 0 && r.b <= pageSize {
                pos = cache.position(Int(r.id), r.a / pageSize)
                cache.prefetch(position: pos)
                file = true
            }
            ahead[far & Self.aheadMask] = pos < 0 ? -1 : (file ? -2 - pos : pos)
        }
        let near = i + Self.aheadNear
        if near < records.count {
            let a = ahead[near & Self.aheadMask]
            let e = a >= 0 ? ptes.peek(position: a) : (a <= -2 ? cache.peek(position: -2 - a) : 0)
            if e != 0 && e & PTE.out == 0 { frames.prefetch(Int(e - 1)) }
        }
    }

    static let aheadFar = 16, aheadNear = 8, aheadMask = 31

    /// The process of a pid for look-ahead (the last one looked up).
    @inline(__always) func peekProcess(_ pid: UInt32) -> Int? {
        pid == lastPid ? lastProcess : nil
    }

    func error(_ message: String) -> TraceError { TraceError(line: currentLine, message) }

    /// Applies one record of a trace fed record by record (a workload being
    /// generated as it plays); `finishPlay` then gives the summary.
    public func play(_ r: Record) throws(TraceError) {
        if r.op != .time { recordIndex += 1 }
        try apply(r)
        if let f = fault {
            fault = nil
            throw f
        }
    }

    /// Sends the accesses still queued, so the engine's state is complete
    /// (the player does so before it lets go of the engine's lock).
    public func settle() throws(TraceError) {
        flushAccesses()
        absorbEvictedAtOnce()
        if let f = fault {
            fault = nil
            throw f
        }
    }

    /// The summary of what was played so far.
    public func finishPlay() -> RunSummary { finish() }

    /// Virtual time of the last time record played.
    public var virtualTime: Double { time }

    /// One logical record.
    func apply(_ r: Record) throws(TraceError) {
        defer { absorbEvictedAtOnce() }
        currentLine = Int(r.line)
        if r.op == .time {
            time = r.time
            if series != nil { flushAccesses(); series!.advance(to: time, driver: self) }
            return
        }
        summary.records += 1
        switch r.op {
        case .time: break
        case .container: try createContainer(trace.containerSpecs[Int(r.id)])
        case .limits: try setLimits(trace.limitSpecs[Int(r.id)])
        case .spawn: try spawn(pid: r.pid, container: Int(r.id))
        case .fork: try fork(pid: r.pid, parent: r.id)
        case .exit:
            guard let p = try process(r.pid) else { return skip(r) }
            try exit(p)
        case .move:
            guard let p = try process(r.pid) else { return skip(r) }
            try move(p, to: Int(r.id))
        case .anon, .unmap, .mlock, .munlock:
            guard let p = try process(r.pid) else { return skip(r) }
            guard r.b > 0 else { return noteApplied(p, pages: 0) }
            let first = r.a / pageSize, last = (r.a + r.b - 1) / pageSize
            noteApplied(p, pages: Int(last - first + 1))
            switch r.op {
            case .anon: try touchAnon(p, first, last, write: r.isWrite)
            case .unmap: unmapAnon(p, first, last)
            case .mlock: try mlock(p, first, last)
            default: munlock(p, first, last)
            }
        case .file, .shm:
            var p = -1
            if r.pid != 0 {
                guard let q = try process(r.pid) else { return skip(r) }
                p = q
            }
            guard r.b > 0 else { return noteApplied(p, pages: 0) }
            let first = r.a / pageSize, last = (r.a + r.b - 1) / pageSize
            noteApplied(p, pages: Int(last - first + 1))
            try touchFile(p, object: Int(r.id), first, last, mapped: r.isMapped)
        case .unmapFile:
            guard let p = try process(r.pid) else { return skip(r) }
            noteApplied(p, pages: 0)
            unmapFile(p, object: Int(r.id), range(r))
        case .drop:
            summary.recordsApplied += 1
            drop(object: Int(r.id), range(r))
        }
    }

    /// Pages `first...last` of an object range with optional length.
    func range(_ r: Record) -> (UInt64, UInt64)? {
        if r.b == Record.wholeObject { return (r.a / pageSize, UInt64.max >> 1) }
        guard r.b > 0 else { return nil }
        return (r.a / pageSize, (r.a + r.b - 1) / pageSize)
    }

    /// The process of a record: nil when the OOM killer killed it (the
    /// record is skipped); an error when the pid was never spawned or exited.
    func process(_ pid: UInt32) throws(TraceError) -> Int? {
        let p: Int
        if pid == lastPid {
            p = lastProcess
        } else {
            guard let q = pidMap[pid] else { throw error("pid \(pid) was never spawned (or has exited)") }
            (lastPid, lastProcess, p) = (pid, q, q)
        }
        if procs[p].killed { return nil }
        return p
    }

    func skip(_ r: Record) {
        summary.recordsSkipped += 1
        var pages = 0
        if r.op == .anon || r.op == .file || r.op == .shm || r.op == .unmap || r.op == .mlock || r.op == .munlock, r.b > 0 {
            pages = Int((r.a + r.b - 1) / pageSize - r.a / pageSize + 1)
        }
        summary.pagesSkipped += pages
        if let p = pidMap[r.pid] {
            counts[procs[p].container].recordsSkipped += 1
            counts[procs[p].container].pagesSkipped += pages
        }
    }

    func noteApplied(_ p: Int, pages: Int) {
        summary.recordsApplied += 1
        summary.pages += pages
        let c = p >= 0 ? procs[p].container : 0
        counts[c].records += 1
        counts[c].pages += pages
    }
}

/// The frame allocator: a stack of freed frames, the most recently freed
/// first (like the kernel's per-CPU free lists), else the next never-used
/// frame. Per frame it keeps the reverse map and the mapping count.
struct FrameAllocator {
    var free: [UInt32] = []
    var nextNew = 0
    /// kind (2 bits) | id (22 bits) | page (40 bits); see `Rmap`.
    var rmap: [UInt64] = []
    /// Processes mapping the frame.
    var mapcount: [UInt32] = []

    /// Prefetches the frame's mapping count (a hint; out of range is ignored).
    @inline(__always) mutating func prefetch(_ f: Int) {
        mapcount.withUnsafeMutableBufferPointer { b in
            if f >= 0 && f < b.count { prefetchForWrite(UnsafeRawPointer(b.baseAddress! + f)) }
        }
    }
    /// Frames in use (taken and not freed).
    var inUse = 0
    var peakInUse = 0

    var bytes: Int { free.capacity * 4 + rmap.capacity * 8 + mapcount.capacity * 4 }

    mutating func take(limit: Int) -> Int? {
        let f: Int
        if let x = free.popLast() {
            f = Int(x)
        } else {
            guard nextNew < limit else { return nil }
            f = nextNew
            nextNew += 1
            rmap.append(0)
            mapcount.append(0)
        }
        inUse += 1
        if inUse > peakInUse { peakInUse = inUse }
        return f
    }

    /// A frame taken that someone else holds (a shared engine): it is not
    /// the driver's, so it is neither used nor put back on the free list.
    mutating func passOver(_ f: Int) {
        inUse -= 1
    }

    mutating func release(_ f: Int) {
        rmap[f] = 0
        mapcount[f] = 0
        free.append(UInt32(f))
        inUse -= 1
    }
}

/// Reverse map entries: what a frame holds.
enum Rmap {
    static let anon: UInt64 = 1, file: UInt64 = 2, shm: UInt64 = 3
    @inline(__always) static func make(_ kind: UInt64, _ id: Int, _ page: UInt64) -> UInt64 {
        kind << 62 | UInt64(id) << 40 | page
    }
    @inline(__always) static func kind(_ r: UInt64) -> UInt64 { r >> 62 }
    @inline(__always) static func id(_ r: UInt64) -> Int { Int((r >> 40) & 0x3FFFFF) }
    @inline(__always) static func page(_ r: UInt64) -> UInt64 { r & 0xFF_FFFF_FFFF }
}

/// Page table and page cache entries: 0 none; frame + 1 resident; with the
/// top bit: out (anon and shm: in swap, the low bits the frame it had;
/// file: evicted earlier, a shadow entry for refault counting).
enum PTE {
    static let out: UInt32 = 1 << 31
    static let holder: UInt32 = 1 << 31
    @inline(__always) static func resident(_ f: Int) -> UInt32 { UInt32(f + 1) }
    @inline(__always) static func swapped(_ f: Int) -> UInt32 { out | UInt32(f) }
}
