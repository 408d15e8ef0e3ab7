/// A process (a thread-group leader and its mm).
struct ProcessEntry {
    var pid: Int
    var container: Int
    /// Pages this process has mapped, possibly stale or repeated (entries are
    /// checked against the frame table when used, and the vector is compacted
    /// when it grows to twice the live count).
    var pages: [UInt32] = []
    /// Distinct pages it maps now.
    var distinct = 0
    /// Swap slots that remember it, possibly stale.
    var swapSlots: [Int] = []
    /// Swap slots that remember it now.
    var swapLive = 0
}

/// A swap slot holding an evicted anonymous or shmem page.
struct SwapSlot {
    /// The page number the page had.
    var page: Int
    var owner: Int
    /// Pids of the processes that mapped it and have not yet swapped it back
    /// in or exited.
    var pids: [Int]
}
