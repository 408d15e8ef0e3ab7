/// The memory controller: containers with hierarchical page counters,
/// per-page charge records with exact reference counts, per-container LRU
/// lists, reclaim, swap and the container OOM killer (model.md).
///
/// Not thread-safe; callers serialise (the HTTP layer holds it in a Mutex).
/// Deterministic: the same commands give the same state and results.
public final class MemcgEngine {
    public let machine: Machine

    var frames: FrameTable
    /// Pages charged, i.e. frames in use.
    var chargedPages = 0

    // Containers (index 0 is the root); freed indices are reused.
    let containers = SlotStore<Container>()
    var containerAlive: [Bool]
    var freeContainerSlots: [Int] = []
    var containerIndex: [String: Int]
    var nextSerial = 1

    // Processes.
    /// Process slots; a free slot has pid 0.
    let processes = SlotStore<ProcessEntry>()
    var freeProcessSlots: [Int] = []
    var pidIndex: [Int: Int] = [:]

    // Pages mapped by several processes.
    var overflow: [[MapEntry]] = []
    var freeOverflow: [UInt32] = []

    // Swap slots.
    var swapUsed = 0
    var swapSlots: [Int: SwapSlot] = [:]
    var swapByPage: [Int: [Int]] = [:]
    var nextSwapID = 1

    /// Engine-wide counters.
    public internal(set) var counters = EngineCounters()

    /// The root container's name.
    public static let rootName = "root"
    /// Highest number of containers alive at once (owner indices are 16-bit).
    public static let maxContainers = 65535
    /// Deepest nesting below the root (the role of cgroup v2's
    /// `cgroup.max.depth`); creating a container deeper is EINVAL. No real
    /// hierarchy comes near it; it keeps paths, and so listings and the
    /// cAdvisor `id` labels, short.
    public static let maxDepth = 64

    public init(machine: Machine) {
        self.machine = machine
        self.frames = FrameTable(count: machine.frames)
        self.containers.append(Container(name: Self.rootName, parent: -1, chargeType: .all, serial: 0))
        self.containerAlive = [true]
        self.containerIndex = [Self.rootName: 0]
    }

    deinit { frames.deallocate() }

    /// The single entry for every mutation.
    @discardableResult
    public func apply(_ command: Command) throws(EngineError) -> Outcome {
        var out = Outcome()
        switch command {
        case let .createContainer(name, parent, limit, chargeType):
            try createContainer(name: name, parent: parent ?? Self.rootName, limit: limit, chargeType: chargeType)
        case let .deleteContainer(name):
            try deleteContainer(name: name)
        case let .setLimit(name, limit):
            try setLimit(name: name, limit: limit, out: &out)
        case let .resetStats(name, maxUsage, failcnt):
            let c = try lookupContainer(name)
            if maxUsage { containers[c].counter.resetWatermark() }
            if failcnt { containers[c].counter.failcnt = 0 }
        case let .forceEmpty(name):
            try forceEmpty(name: name, out: &out)
        case let .createProcess(pid, container):
            try createProcess(pid: pid, container: try lookupContainer(container))
        case let .fork(pid, parentPid):
            try fork(pid: pid, parentPid: parentPid)
        case let .moveProcess(pid, container):
            let c = try lookupContainer(container)
            let slot = try lookupProcess(pid)
            containers[processes[slot].container].processCount -= 1
            containers[c].processCount += 1
            processes[slot].container = c
        case let .exitProcess(pid):
            exitProcess(slot: try lookupProcess(pid))
        case let .events(events, listEvicted):
            try validate(events)
            out.evicted.reserveCapacity(listEvicted ? 64 : 0)
            applyEvents(events, listEvicted: listEvicted, out: &out)
        }
        #if MEMCG_INTERNAL_CHECKS
        if checksAfterEachCommand { checkInvariants() }
        #endif
        return out
    }

    // MARK: lookups

    func lookupContainer(_ name: String) throws(EngineError) -> Int {
        guard let c = containerIndex[name] else { throw EngineError(.ENOENT, "no container named \"\(name.prefix(80))\"") }
        return c
    }

    func lookupProcess(_ pid: Int) throws(EngineError) -> Int {
        guard let slot = pidIndex[pid] else { throw EngineError(.ESRCH, "no process with pid \(pid)") }
        return slot
    }

    /// Container names are `[A-Za-z0-9._-]{1,64}`, neither "." nor holding "..".
    public static func isValidName(_ name: String) -> Bool {
        let u = name.utf8
        guard !u.isEmpty, u.count <= 64, name != "." else { return false }
        var previous: UInt8 = 0
        for b in u {
            let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
            if !ok || (b == 0x2E && previous == 0x2E) { return false }
            previous = b
        }
        return true
    }
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
