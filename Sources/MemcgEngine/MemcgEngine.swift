/// The memory controller: containers with hierarchical page counters,
/// per-page charge records with exact reference counts, per-container LRU
/// lists, reclaim, swap and the container OOM killer (model.md).
///
/// The engine is the policy (charge path, reclaim, OOM, events) above its
/// tables, each with private storage: `FrameTable` (charge records),
/// `ReverseMap` (who maps a page), `ContainerTable`, `PageCounterTree`,
/// `ProcessTable` and `SwapTable`.
///
/// Not thread-safe; callers serialise (the HTTP layer holds it in a lock
/// box and reads through `view`). Deterministic: the same commands give
/// the same state and results.
public final class MemcgEngine {
    public let machine: Machine

    let frames: FrameTable
    let rmap: ReverseMap
    let containers: ContainerTable
    let pageCounters = PageCounterTree()
    /// Hierarchical swap usage against `swap_max` (the kernel's
    /// `memcg->swap` page counter); its watermark is `swap_peak`.
    let swapCounters = PageCounterTree()
    let processes = ProcessTable()
    let swap: SwapTable

    /// Pages charged, i.e. frames in use.
    @exclusivity(unchecked) var chargedPages = 0
    /// Engine-wide counters.
    @exclusivity(unchecked) public internal(set) var counters = EngineCounters()

    /// Whether any container ever set `high`, `min`/`low` or `swap_max`:
    /// until then the charge path skips the high check and reclaim the
    /// protection arithmetic (the results are the same either way).
    @exclusivity(unchecked) var highInUse = false
    @exclusivity(unchecked) var protectionInUse = false
    @exclusivity(unchecked) var swapMaxInUse = false
    /// Effective protection of the containers a reclaim round visited
    /// (scratch, indexed by container id; see `effectiveProtection`).
    @exclusivity(unchecked) var emin: [Int] = [0]
    @exclusivity(unchecked) var elow: [Int] = [0]

    /// In builds with MEMCG_INTERNAL_CHECKS, `apply` checks every invariant
    /// after every command and keeps the first broken state here: which
    /// command, then what broke. Tests assert it stays empty. Always empty
    /// in other builds.
    @exclusivity(unchecked) public private(set) var brokenInvariants: [String] = []
    @exclusivity(unchecked) private var commandsApplied = 0

    /// The root container's name.
    public static let rootName = ContainerTable.rootName
    /// Highest number of containers alive at once, the root included.
    public static let maxContainers = EngineLimits.maxContainers
    /// Deepest container: children of the root are at depth 1.
    public static let maxDepth = EngineLimits.maxDepth

    /// Builds an engine for the machine. Fails with EINVAL when the host
    /// cannot map the frame tables (the machine is too large for it).
    public init(machine: Machine) throws(EngineError) {
        let f = FrameTable(count: machine.frames)
        guard let f, let r = ReverseMap(frames: machine.frames),
              let s = SwapTable(capacity: machine.swapSlots, frames: machine.frames) else {
            f?.deallocate()
            throw EngineError(.EINVAL, "cannot map the frame tables of \(machine.frames) frames "
                + "(\((machine.frames * Self.bytesPerFrame) >> 20) MiB of address space): "
                + "the host refuses the mapping; give less memory")
        }
        self.machine = machine
        self.containers = ContainerTable(splitLRU: machine.lru == .split)
        self.frames = f
        self.rmap = r
        self.swap = s
    }

    deinit { frames.deallocate() }

    /// Bytes of engine memory per frame of the machine, before any is touched.
    public static let bytesPerFrame = FrameTable.stride + ReverseMap.bytesPerFrame + SwapTable.bytesPerFrame

    /// The single entry for every mutation.
    @discardableResult
    public func apply(_ command: Command) throws(EngineError) -> Outcome {
        var out = Outcome()
        // Runs of charges are added up the hierarchy before anyone reads.
        defer {
            pageCounters.settle()
            swapCounters.settle()
        }
        switch command {
        case let .createContainer(name, parent, limits, chargeType, oomGroup, labels):
            try createContainer(name: name, parent: parent ?? Self.rootName, limits: limits, chargeType: chargeType,
                                oomGroup: oomGroup, labels: labels)
        case let .deleteContainer(name):
            try deleteContainer(try lookupContainer(name))
        case let .setLimits(name, values):
            try setLimits(try lookupContainer(name), values, out: &out)
        case let .updateContainer(name, chargeType, oomGroup):
            try updateContainer(try lookupContainer(name), chargeType: chargeType, oomGroup: oomGroup)
        case let .resetStats(name, maxUsage, failcnt):
            let c = try lookupContainer(name)
            if maxUsage {
                pageCounters.resetWatermark(c)
                swapCounters.resetWatermark(c)
            }
            if failcnt { pageCounters.resetFailcnt(c) }
        case let .forceEmpty(name):
            try forceEmpty(try lookupContainer(name), out: &out)
        case let .reclaim(name, pages):
            try proactiveReclaim(try lookupContainer(name), pages: pages, out: &out)
        case let .createProcess(pid, container):
            try createProcess(pid: pid, container: try lookupContainer(container))
        case let .fork(pid, parentPid):
            try fork(pid: pid, parentPid: parentPid)
        case let .moveProcess(pid, container, moveCharge):
            let c = try lookupContainer(container)
            try moveProcess(try lookupProcess(pid), to: c, moveCharge: moveCharge, out: &out)
        case let .exitProcess(pid):
            exitProcess(try lookupProcess(pid))
        case let .events(events, listEvicted):
            try validate(events)
            applyEvents(events, listEvicted: listEvicted, out: &out)
        }
        #if MEMCG_INTERNAL_CHECKS
        commandsApplied += 1
        if brokenInvariants.isEmpty {
            let broken = invariantViolations()
            if !broken.isEmpty { brokenInvariants = ["after command \(commandsApplied) (\(command.name))"] + broken }
        }
        #endif
        return out
    }

    // MARK: lookups

    func lookupContainer(_ name: String) throws(EngineError) -> ContainerID {
        guard let c = containers.lookup(name) else { throw EngineError(.ENOENT, "no container named \"\(name.prefix(80))\"") }
        return c
    }

    func lookupProcess(_ pid: Int) throws(EngineError) -> ProcessSlot {
        guard let slot = processes.lookup(pid) else { throw EngineError(.ESRCH, "no process with pid \(pid)") }
        return slot
    }

    /// Container names are `[A-Za-z0-9._-]{1,64}`, neither `.` nor containing "..".
    public static func isValidName(_ name: String) -> Bool { ContainerTable.isValidName(name) }

    /// The read-only view for queries.
    public var view: EngineView { EngineView(engine: self) }
}

/// Engine-wide counters (GET /stats and the metrics).
public struct EngineCounters: Sendable, Equatable {
    /// Single-page events by op and result, flat: `op.rawValue * results + result.rawValue`.
    var eventCounts = [Int](repeating: 0, count: PageOp.allCases.count * EventResult.allCases.count)
    /// Single-page events by op and result: `[op.rawValue][result.rawValue]`.
    public var events: [[Int]] {
        let n = EventResult.allCases.count
        return PageOp.allCases.map { Array(eventCounts[($0.rawValue * n)..<($0.rawValue * n + n)]) }
    }
    public var charges = 0
    public var uncharges = 0
    /// Frees of pages that still held references (dropped and counted).
    public var anomalies = 0
    /// Reference drops of references the page did not hold.
    public var unbalancedUncharges = 0
    public var evictions = 0
    public var oomKills = 0
    public var commands = 0
    public init() {}
}
