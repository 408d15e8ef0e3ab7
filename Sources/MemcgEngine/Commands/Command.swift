/// Everything that changes engine state. Every mutation goes through
/// `MemcgEngine.apply(_:)`, so a sequence of commands can be journaled,
/// replayed and benchmarked.
public enum Command: Sendable {
    /// `labels`: free-form key/value pairs the engine stores and reports
    /// (the service derives Kubernetes-style metric labels from them).
    case createContainer(name: String, parent: String?, limitPages: Int?, chargeType: ChargeType, labels: [String: String] = [:])
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
}

/// Seed patch 8/8: `mapped` containers are not charged for page-cache and
/// swap-cache insertions.
public enum ChargeType: String, Sendable, CaseIterable {
    case all, mapped
}

/// What happened to one single-page event.
public enum EventResult: Int, CaseIterable, Sendable {
    case ok, noop, ENOMEM, ESRCH, EINVAL, EBUSY

    public var name: String {
        switch self {
        case .ok: "ok"
        case .noop: "noop"
        case .ENOMEM: "ENOMEM"
        case .ESRCH: "ESRCH"
        case .EINVAL: "EINVAL"
        case .EBUSY: "EBUSY"
        }
    }
}

/// A failed single-page event of a batch.
public struct EventFailure: Sendable, Equatable {
    /// Index of the event in the batch.
    public var index: Int
    public var page: Int
    public var result: EventResult
    /// For ENOMEM: the container whose limit refused the charge.
    public var container: String?
}

/// A process killed by the container OOM killer.
public struct OOMKill: Sendable, Equatable {
    public var pid: Int
    public var container: String
    /// The victim's score: distinct pages it mapped that were owned in the
    /// refusing level's subtree.
    public var pages: Int
}

/// The value every applied command returns.
public struct Outcome: Sendable {
    /// Single-page events applied (ok or no-op) and failed.
    public var applied = 0
    public var failed = 0
    public var failures: [EventFailure] = []
    public var oomKills: [OOMKill] = []
    public var evictedCount = 0
    /// Page numbers in eviction order, when asked for (always for non-batch
    /// commands).
    public var evicted: [Int] = []
    public init() {}
}
