/// Typed indices of the engine's tables. Each wraps a plain integer so that
/// a container index cannot be passed where a process slot or a page is
/// meant, and "none" is an optional, never a `-1`.

/// A container's index in the container table; the root is index 0.
/// Indices of deleted containers are reused.
public struct ContainerID: Hashable, Comparable, Sendable {
    let raw: Int

    @inline(__always) init(_ raw: Int) { self.raw = raw }

    static let root = ContainerID(0)

    public static func < (a: ContainerID, b: ContainerID) -> Bool { a.raw < b.raw }
}

/// A process's slot in the process table (not its pid). Slots of exited
/// processes are reused.
struct ProcessSlot: Hashable, Sendable {
    let raw: Int
    @inline(__always) init(_ raw: Int) { self.raw = raw }
}

/// A page frame number, `0 <= raw < machine.frames`. Made from untrusted
/// page numbers only by `Machine.pfn(_:)`, which checks the range; the
/// engine's own tables hand back the ones they store.
struct PFN: Hashable, Comparable, Sendable {
    let raw: Int
    /// For values the engine read back from its own tables (LRU links,
    /// page vectors), which only ever hold checked frame numbers.
    @inline(__always) init(unchecked raw: Int) { self.raw = raw }

    static func < (a: PFN, b: PFN) -> Bool { a.raw < b.raw }
}

/// Limits that follow from how frame records store their fields, checked in
/// one place (`Machine.init` and `ContainerTable.create`).
enum EngineLimits {
    /// Frames of the largest machine: LRU links store `pfn + 1` in 32 bits
    /// and process page vectors store pfns in 32 bits.
    static let maxFrames = Int(Int32.max)
    /// Containers alive at once: a frame's owner is stored as `id + 1` in 16 bits.
    static let maxContainers = Int(UInt16.max)
    /// Deepest container (cgroup.max.depth's role): the root is depth 0.
    static let maxDepth = 64
    /// Highest pid (pid_max on 64-bit kernels is at most 2^22; memcgd allows
    /// any positive 32-bit value).
    static let maxPid = Int(Int32.max)
}
