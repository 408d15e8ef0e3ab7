/// How a container's pages are listed for reclaim (model.md sections 1 and 5.3).
public enum LRUMode: String, Sendable, CaseIterable {
    /// One active/inactive pair for every kind of page (seed patch 6/8).
    case seed
    /// Anonymous and shmem pages on one pair, file pages on another, with
    /// swappiness deciding how a visit's pages are divided (the kernel
    /// since 2.6.28, get_scan_count).
    case split
}

/// The simulated machine: page size, number of page frames and swap slots,
/// the interface modelled and the reclaim lists.
public struct Machine: Sendable, Equatable {
    public let pageSize: Int
    public let frames: Int
    public let swapSlots: Int
    /// The interface modelled.
    public let cgroup: CgroupVersion
    /// The reclaim lists; by default `split` with v2 and `seed` with v1.
    public let lru: LRUMode
    /// vm.swappiness, 0 to 200: with `split`, the weight of anonymous pages
    /// against file pages (200 - swappiness) in each reclaim visit.
    public let swappiness: Int

    /// The default `swappiness` (vm.swappiness).
    public static let defaultSwappiness = 60

    /// Builds a machine from byte amounts. The page size must be a power of
    /// two from 4 KiB to 64 KiB; memory must hold at least one frame and at
    /// most 2^31 frames; both amounts are rounded down to whole pages.
    public init(pageSize: Int = 4096, memoryBytes: Int = 16 << 30, swapBytes: Int = 0, cgroup: CgroupVersion = .v2,
                lru: LRUMode? = nil, swappiness: Int = Machine.defaultSwappiness) throws(EngineError) {
        guard pageSize >= 4096, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
            throw EngineError(.EINVAL, "page size \(pageSize) is not a power of two from 4096 to 65536")
        }
        guard memoryBytes >= pageSize else {
            throw EngineError(.EINVAL, "memory \(memoryBytes) holds no page of \(pageSize) bytes")
        }
        guard memoryBytes / pageSize <= EngineLimits.maxFrames, swapBytes >= 0, swapBytes / pageSize <= EngineLimits.maxFrames else {
            throw EngineError(.EINVAL, "memory or swap is too large (at most 2^31 pages)")
        }
        guard (0...200).contains(swappiness) else {
            throw EngineError(.EINVAL, "swappiness \(swappiness) is not in 0...200")
        }
        self.pageSize = pageSize
        self.frames = memoryBytes / pageSize
        self.swapSlots = swapBytes / pageSize
        self.cgroup = cgroup
        self.lru = lru ?? (cgroup == .v2 ? .split : .seed)
        self.swappiness = swappiness
    }

    public var memoryBytes: Int { frames * pageSize }

    /// The frame a page number names, or nil when it is outside the machine.
    @inline(__always) func pfn(_ page: Int) -> PFN? {
        page >= 0 && page < frames ? PFN(unchecked: page) : nil
    }
    public var swapBytes: Int { swapSlots * pageSize }
}
