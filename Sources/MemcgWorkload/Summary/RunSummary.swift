import MemcgEngine

/// A process the OOM killer took, with when and where in the trace.
public struct KillEvent: Sendable, Equatable {
    /// Virtual time (seconds).
    public var time: Double
    /// 1-based record number (time records not counted) and trace line.
    public var record: Int
    public var line: Int
    public var pid: Int
    public var container: String
    /// The victim's score: distinct pages it mapped in the refusing subtree.
    public var pages: Int

    public init(time: Double, record: Int, line: Int, pid: Int, container: String, pages: Int) {
        self.time = time
        self.record = record
        self.line = line
        self.pid = pid
        self.container = container
        self.pages = pages
    }
}

/// What one container went through in a replay. Amounts in bytes.
public struct ContainerCounts: Sendable, Equatable {
    public var name = ""
    public var records = 0
    public var pages = 0
    public var recordsSkipped = 0
    public var pagesSkipped = 0
    public var firstTouches = 0
    public var refaults = 0
    public var failedCharges = 0
    public var oomKills = 0
    /// From the engine: pgfault, pgsteal (hierarchical), failcnt.
    public var faults = 0
    public var evictions = 0
    public var failcnt = 0
    /// memory.events of the subtree: high and low (cgroup v2).
    public var highEvents = 0
    public var lowEvents = 0
    public var usage = 0
    public var peakUsage = 0
    /// Hierarchical swap, peak and at the end.
    public var peakSwap = 0
    public var swap = 0
    public var limit: Int?

    public init() {}
}

/// The result of one replay (workloads.md section 3, "Counted").
public struct RunSummary: Sendable, Equatable {
    public var machine: Machine
    public var cgroup: String
    public var kind: TraceKind
    /// Records in the trace, applied, and skipped (their process was OOM-killed).
    public var records = 0
    public var recordsApplied = 0
    public var recordsSkipped = 0
    /// Pages the applied records cover, and pages skipped.
    public var pages = 0
    public var pagesSkipped = 0
    /// How the pages went: first touches, refaults (from swap, or a file
    /// re-read after eviction), hits (access events sent), collapsed
    /// repeats, reads of the zero page, copy-on-write copies, charges that
    /// failed even after the retry.
    public var firstTouches = 0
    public var refaults = 0
    public var hits = 0
    public var collapsed = 0
    public var zeroPageReads = 0
    public var cows = 0
    public var failedCharges = 0
    public var unmappedPages = 0
    public var droppedPages = 0
    public var evictions = 0
    public var limitWritesRefused = 0
    public var kills: [KillEvent] = []
    public var containers: [ContainerCounts] = []
    public var endTime = 0.0
    /// Highest number of frames in use at once.
    public var peakFrames = 0

    public init(machine: Machine, cgroup: String, kind: TraceKind) {
        self.machine = machine
        self.cgroup = cgroup
        self.kind = kind
    }

    public func container(_ name: String) -> ContainerCounts? { containers.first { $0.name == name } }
}
