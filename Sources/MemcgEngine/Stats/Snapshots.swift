/// Statistic values of one container, local or summed over its subtree
/// (model.md section 6). Amounts in pages, events as counts.
public struct StatValues: Sendable, Equatable {
    public var cache = 0
    public var rss = 0
    public var shmem = 0
    public var mappedFile = 0
    public var swap = 0
    public var activeAnon = 0
    public var inactiveAnon = 0
    public var activeFile = 0
    public var inactiveFile = 0
    public var unevictable = 0
    public var pgpgin = 0
    public var pgpgout = 0
    public var pgfault = 0
    public var pgsteal = 0
    public var eventsMax = 0
    public var eventsOOM = 0
    public var eventsOOMKill = 0
    public var pgscan = 0
    public var eventsLow = 0
    public var eventsHigh = 0
    public var eventsOOMGroupKill = 0
    public init() {}

    mutating func add(_ o: StatValues) {
        pgscan += o.pgscan; eventsLow += o.eventsLow; eventsHigh += o.eventsHigh; eventsOOMGroupKill += o.eventsOOMGroupKill
        cache += o.cache; rss += o.rss; shmem += o.shmem; mappedFile += o.mappedFile; swap += o.swap
        activeAnon += o.activeAnon; inactiveAnon += o.inactiveAnon
        activeFile += o.activeFile; inactiveFile += o.inactiveFile; unevictable += o.unevictable
        pgpgin += o.pgpgin; pgpgout += o.pgpgout; pgfault += o.pgfault; pgsteal += o.pgsteal
        eventsMax += o.eventsMax; eventsOOM += o.eventsOOM; eventsOOMKill += o.eventsOOMKill
    }
}

/// A consistent picture of one container.
public struct ContainerSnapshot: Sendable, Equatable {
    public var name: String
    public var parent: String?
    public var children: [String]
    public var chargeType: ChargeType
    /// Labels given at creation.
    public var labels: [String: String] = [:]
    /// Pages; nil when unlimited.
    public var limit: Int?
    public var usage: Int
    public var maxUsage: Int
    public var failcnt: Int
    public var processes: Int
    /// Smallest limit on the path to the root; nil when none.
    public var hierarchicalLimit: Int?
    public var local: StatValues
    public var total: StatValues
    /// `usage - total inactive_file`, as cAdvisor reports it.
    public var workingSet: Int { max(0, usage - total.inactiveFile) }
    /// Depth-first path from the root, e.g. `/web/frontend` (root is `/`).
    public var path: String
    /// The v2 controls and flags; nil is unlimited (for `low` and `min`:
    /// protect everything).
    public var controls: ControlSnapshot
    public var oomGroup: Bool
    /// The root is 0, its children 1.
    public var depth: Int
}

/// A process as the API shows it.
public struct ProcessSnapshot: Sendable, Equatable {
    public var pid: Int
    public var container: String
    /// Distinct pages it maps.
    public var mappedPages: Int
    /// Mappings in all (a page mapped twice counts twice).
    public var mappings: Int
    public var pinnedPages: Int
    public var swapSlots: Int
}

/// Engine-wide state for GET /machine and GET /stats.
public struct EngineSnapshot: Sendable, Equatable {
    public var chargedPages: Int
    public var freePages: Int
    public var swapUsed: Int
    public var swapFree: Int
    public var processes: Int
    public var containers: Int
    public var counters: EngineCounters
}

/// The counters and statistics of one container, without names or tree
/// (what GET /containers/{name}/stats needs; cheap to take under the lock).
public struct StatsSnapshot: Sendable, Equatable {
    public var limit: Int?
    public var usage: Int
    public var maxUsage: Int
    public var failcnt: Int
    public var hierarchicalLimit: Int?
    public var local: StatValues
    public var total: StatValues
    public var workingSet: Int { max(0, usage - total.inactiveFile) }
    public var controls: ControlSnapshot
}

/// A container's controls as stored, in pages, and its hierarchical swap.
public struct ControlSnapshot: Sendable, Equatable {
    /// nil: unlimited.
    public var max: Int?
    public var high: Int?
    /// nil: protect everything ("max").
    public var low: Int?
    public var min: Int?
    public var swapMax: Int?
    /// Swap held by the subtree (memory.swap.current) and its watermark.
    public var swapUsage: Int
    public var swapPeak: Int

    /// The stored value of one control (nil: unlimited / "max").
    public subscript(_ c: Control) -> Int? {
        switch c {
        case .max: max
        case .high: high
        case .low: low
        case .min: min
        case .swapMax: swapMax
        }
    }
}
