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

/// A run of failed single-page events of one event of a batch: `count`
/// pages from `page` on, consecutive both in the event and in page number,
/// that failed the same way for the same container.
public struct EventFailure: Sendable, Equatable {
    /// Index of the event in the batch.
    public var index: Int
    /// The first page of the run.
    public var page: Int
    /// Pages in the run (1 for a single page).
    public var count: Int
    public var result: EventResult
    /// For ENOMEM: the container whose limit refused the charge.
    public var container: String?

    public init(index: Int, page: Int, count: Int = 1, result: EventResult, container: String? = nil) {
        self.index = index
        self.page = page
        self.count = count
        self.result = result
        self.container = container
    }
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
    /// Runs of failed pages, in batch order (see `EventFailure`).
    public var failures: [EventFailure] = []
    public var oomKills: [OOMKill] = []
    public var evictedCount = 0
    /// Page numbers in eviction order, when asked for (always for non-batch
    /// commands).
    public var evicted: [Int] = []
    /// Proactive reclaim: pages asked for.
    public var requested = 0
    /// move_charge: the pages that moved with the process, ascending.
    public var moved: [Int] = []
    public init() {}

    /// Position in its event just past the last failed page noted.
    var runEnd = 0

    /// Adds `count` failed pages from position `position` of event `index`
    /// (pages `page`, `page + 1`, ...), extending the last run when they
    /// continue it in the event and in page number.
    mutating func noteFailure(index: Int, position: Int, page: Int, count: Int = 1, _ result: EventResult, container: String?) {
        failed += count
        if let last = failures.last, last.index == index, runEnd == position, last.result == result,
           last.page &+ last.count == page, last.container == container {
            failures[failures.count - 1].count += count
        } else {
            failures.append(EventFailure(index: index, page: page, count: count, result: result, container: container))
        }
        runEnd = position + count
    }
}
