/// A memory container (a memory cgroup): its counter, LRU lists and local
/// statistics, all in pages.
struct Container {
    var name: String
    /// Index of the parent; -1 for the root.
    var parent: Int
    /// Children in creation order.
    var children: [Int] = []
    var chargeType: ChargeType
    var counter = PageCounter()
    var inactive = LRUList()
    var active = LRUList()
    var unevictable = LRUList()
    var stat = LocalStat()
    var processCount = 0
    /// Monotonic creation number (creation order across index reuse).
    var serial: Int
    /// Full path from the root (`/a/b`; the root is `/`), built once at
    /// creation so listings and scrapes never rebuild it (cgroup_path).
    var path = "/"
    /// Levels below the root (the root is 0); bounded by `MemcgEngine.maxDepth`.
    var depth = 0
}

/// Local statistics of a container (pages or counts).
public struct LocalStat: Sendable, Equatable {
    public var rss = 0
    public var cache = 0
    public var shmem = 0
    public var mappedFile = 0
    public var swap = 0
    public var pgpgin = 0
    public var pgpgout = 0
    public var pgfault = 0
    public var pgsteal = 0
    public var eventsMax = 0
    public var eventsOOM = 0
    public var eventsOOMKill = 0
    public init() {}
}
