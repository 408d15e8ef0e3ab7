/// The page events of the model: the charge and uncharge hooks of the seed
/// series plus the LRU hooks (`access`, `mlock`, `munlock`).
public enum PageOp: Int, CaseIterable, Sendable {
    case anonFault, cow, fileFault, swapin, swapoff, insertPage
    case pagecacheAdd, pagecacheRemove, swapcacheAdd, swapcacheRemove, swapFree
    case unmap, migrate, free, access, mlock, munlock

    /// The wire name (`anon_fault`, ...).
    public var name: String {
        switch self {
        case .anonFault: "anon_fault"
        case .cow: "cow"
        case .fileFault: "file_fault"
        case .swapin: "swapin"
        case .swapoff: "swapoff"
        case .insertPage: "insert_page"
        case .pagecacheAdd: "pagecache_add"
        case .pagecacheRemove: "pagecache_remove"
        case .swapcacheAdd: "swapcache_add"
        case .swapcacheRemove: "swapcache_remove"
        case .swapFree: "swap_free"
        case .unmap: "unmap"
        case .migrate: "migrate"
        case .free: "free"
        case .access: "access"
        case .mlock: "mlock"
        case .munlock: "munlock"
        }
    }

    public init?(name: String) {
        guard let op = PageOp.allCases.first(where: { $0.name == name }) else { return nil }
        self = op
    }

    /// Events a process does: `pid` is required.
    public var needsPid: Bool {
        switch self {
        case .anonFault, .cow, .fileFault, .swapin, .swapoff, .insertPage, .unmap, .mlock, .munlock, .swapFree: true
        default: false
        }
    }

    /// `old_page` is required (cow, migrate) or allowed (swapin, swapoff).
    public var needsOldPage: Bool { self == .cow || self == .migrate }
    public var allowsOldPage: Bool { needsOldPage || self == .swapin || self == .swapoff }

    /// Fault events counted in `pgfault` (model.md section 8).
    public var isFault: Bool { self == .anonFault || self == .cow || self == .fileFault || self == .swapin }
}

/// One event of a batch: a single page, a contiguous range (`page` +
/// `count`) or a list (`pages`). A range or list stands for that many
/// single-page events in order.
public struct PageEvent: Sendable, Equatable {
    public enum Pages: Sendable, Equatable {
        case range(first: Int, count: Int)
        case list([Int])
    }
    public var op: PageOp
    public var pid: Int?
    public var pages: Pages
    /// Base of a parallel range, or a list as long as `pages`.
    public var oldPages: Pages?
    public var shmem: Bool

    public init(op: PageOp, pid: Int? = nil, pages: Pages, oldPages: Pages? = nil, shmem: Bool = false) {
        self.op = op
        self.pid = pid
        self.pages = pages
        self.oldPages = oldPages
        self.shmem = shmem
    }

    /// A single-page event.
    public init(_ op: PageOp, pid: Int? = nil, page: Int, oldPage: Int? = nil, shmem: Bool = false) {
        self.init(op: op, pid: pid, pages: .range(first: page, count: 1),
                  oldPages: oldPage.map { .range(first: $0, count: 1) }, shmem: shmem)
    }

    /// Number of single-page events this stands for.
    public var pageCount: Int {
        switch pages {
        case .range(_, let count): count
        case .list(let list): list.count
        }
    }

    @inline(__always) func page(at i: Int) -> Int {
        switch pages {
        case .range(let first, _): first &+ i
        case .list(let list): list[i]
        }
    }

    @inline(__always) func oldPage(at i: Int) -> Int? {
        switch oldPages {
        case nil: nil
        case .range(let first, _)?: first &+ i
        case .list(let list)?: list[i]
        }
    }
}
