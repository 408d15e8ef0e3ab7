/// Everything that changes engine state. Every mutation goes through
/// `MemcgEngine.apply(_:)`, so a sequence of commands can be journaled,
/// replayed and benchmarked.
public enum Command: Sendable {
    case createContainer(name: String, parent: String?, limitPages: Int?, chargeType: ChargeType)
    case deleteContainer(name: String)
    /// `limitPages == nil` is unlimited.
    case setLimit(name: String, limitPages: Int?)
    case resetStats(name: String, maxUsage: Bool, failcnt: Bool)
    case forceEmpty(name: String)
    case createProcess(pid: Int, container: String)
    case fork(pid: Int, parentPid: Int)
    case moveProcess(pid: Int, container: String)
    case exitProcess(pid: Int)
    case events([PageEvent], listEvicted: Bool)

    /// A short name for messages.
    public var name: String {
        switch self {
        case .createContainer: "createContainer"
        case .deleteContainer: "deleteContainer"
        case .setLimit: "setLimit"
        case .resetStats: "resetStats"
        case .forceEmpty: "forceEmpty"
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

