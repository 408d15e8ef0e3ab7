/// Everything that changes engine state. Every mutation goes through
/// `MemcgEngine.apply(_:)`, so a sequence of commands can be journaled,
/// replayed and benchmarked.
public enum Command: Sendable {
    /// cgroup_mkdir with initial controls (pages) and flags; `oomGroup` is v2 only.
    /// `labels`: free-form key/value pairs the engine stores and reports
    /// (the service derives Kubernetes-style metric labels from them).
    case createContainer(name: String, parent: String?, limits: ControlValues = ControlValues(),
                         chargeType: ChargeType = .all, oomGroup: Bool = false, labels: [String: String] = [:])
    case deleteContainer(name: String)
    /// Writes some controls (pages; `Int.max` unlimited), in `Control` order.
    case setLimits(name: String, ControlValues)
    /// Changes `charge_type` (future charges) and `oom_group` (future OOMs; v2).
    case updateContainer(name: String, chargeType: ChargeType? = nil, oomGroup: Bool? = nil)
    /// `max_usage` resets `swap_peak` too.
    case resetStats(name: String, maxUsage: Bool, failcnt: Bool)
    case forceEmpty(name: String)
    /// memory.reclaim (v2): proactive reclaim of up to `pages`.
    case reclaim(name: String, pages: Int)
    case createProcess(pid: Int, container: String)
    case fork(pid: Int, parentPid: Int)
    /// `moveCharge` is the v1 move_charge_at_immigrate mask (1 anon, 2 file).
    case moveProcess(pid: Int, container: String, moveCharge: Int = 0)
    case exitProcess(pid: Int)
    case events([PageEvent], listEvicted: Bool)

    /// A `max` write alone (nil: unlimited).
    public static func setLimit(name: String, limitPages: Int?) -> Command { .setLimits(name: name, .max(limitPages)) }

    /// A short name for messages.
    public var name: String {
        switch self {
        case .createContainer: "createContainer"
        case .deleteContainer: "deleteContainer"
        case .setLimits: "setLimits"
        case .updateContainer: "updateContainer"
        case .resetStats: "resetStats"
        case .forceEmpty: "forceEmpty"
        case .reclaim: "reclaim"
        case .createProcess: "createProcess"
        case .fork: "fork"
        case .moveProcess: "moveProcess"
        case .exitProcess: "exitProcess"
        case .events: "events"
        }
    }
}

/// Seed patch 8/8: `mapped` containers are not charged for page-cache and
/// swap-cache insertions.
public enum ChargeType: String, Sendable, CaseIterable {
    case all, mapped
}

