/// The simulated machine: page size, number of page frames and swap slots.
public struct Machine: Sendable, Equatable {
    public let pageSize: Int
    public let frames: Int
    public let swapSlots: Int
    /// The interface modelled.
    public let cgroup: CgroupVersion

    /// Builds a machine from byte amounts. The page size must be a power of
    /// two from 4 KiB to 64 KiB; memory must hold at least one frame and at
    /// most 2^31 frames; both amounts are rounded down to whole pages.
    public init(pageSize: Int = 4096, memoryBytes: Int = 16 << 30, swapBytes: Int = 0, cgroup: CgroupVersion = .v2) throws(EngineError) {
        guard pageSize >= 4096, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
            throw EngineError(.EINVAL, "page size \(pageSize) is not a power of two from 4096 to 65536")
        }
        guard memoryBytes >= pageSize else {
            throw EngineError(.EINVAL, "memory \(memoryBytes) holds no page of \(pageSize) bytes")
        }
        guard memoryBytes / pageSize <= EngineLimits.maxFrames, swapBytes >= 0, swapBytes / pageSize <= EngineLimits.maxFrames else {
            throw EngineError(.EINVAL, "memory or swap is too large (at most 2^31 pages)")
        }
        self.pageSize = pageSize
        self.frames = memoryBytes / pageSize
        self.swapSlots = swapBytes / pageSize
        self.cgroup = cgroup
    }

    public var memoryBytes: Int { frames * pageSize }

    /// The frame a page number names, or nil when it is outside the machine.
    @inline(__always) func pfn(_ page: Int) -> PFN? {
        page >= 0 && page < frames ? PFN(unchecked: page) : nil
    }
    public var swapBytes: Int { swapSlots * pageSize }
}
