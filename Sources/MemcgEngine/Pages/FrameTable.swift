#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bits of a frame record's `flags`.
enum FrameFlag {
    /// The page holds a page-cache reference.
    static let pageCache: UInt16 = 1 << 0
    /// The page holds a swap-cache reference.
    static let swapCache: UInt16 = 1 << 1
    /// Kind `anon` (else `file`).
    static let anon: UInt16 = 1 << 2
    /// Swap-backed page-cache page (tmpfs, shm).
    static let shmem: UInt16 = 1 << 3
    /// On the active list (else inactive, unless `unevictable`).
    static let active: UInt16 = 1 << 4
    static let referenced: UInt16 = 1 << 5
    /// On the unevictable list.
    static let unevictable: UInt16 = 1 << 6
    /// Mapped by `insert_page`: a driver page, never evictable.
    static let driver: UInt16 = 1 << 7
    /// Scratch bit of the engine's own walks over a process's pages
    /// (de-duplication); clear between commands. Queries never set it.
    static let visited: UInt16 = 1 << 9
    /// A `file` page-cache page mapped by at least one process (counted in
    /// `mapped_file`).
    static let mappedFile: UInt16 = 1 << 10

    /// Swap-backed pages (anonymous or shmem): the "anon" LRU kind.
    static let swapBacked: UInt16 = anon | shmem
}

/// The per-frame charge record, the counterpart of the kernel's
/// `page_cgroup` / `page->memcg_data`: LRU links, owner and flags of every
/// frame, interleaved in one 12-byte record so that a list step costs one
/// cache miss. Mapped zero-filled with `mmap`, so frames never touched are
/// never resident and a 16 GiB machine starts at once. (Who maps a page is
/// in `ReverseMap`, 6 more bytes per frame.)
///
/// A value type over memory the engine owns; `deallocate()` once.
struct FrameTable {
    let count: Int
    private let base: UnsafeMutableRawPointer

    static let stride = 12
    private static let prevOffset = 0, nextOffset = 4, ownerOffset = 8, flagsOffset = 10

    /// Maps the table, or returns nil when the host refuses the mapping.
    init?(count: Int) {
        guard count > 0, count <= EngineLimits.maxFrames,
              let raw = mapZeroed(count * Self.stride) else { return nil }
        self.count = count
        self.base = raw
    }

    func deallocate() { unmapZeroed(base, count * Self.stride) }

    @inline(__always) private func load<T>(_ pfn: PFN, _ offset: Int, as: T.Type) -> T {
        base.load(fromByteOffset: pfn.raw &* Self.stride &+ offset, as: T.self)
    }

    @inline(__always) private func store<T>(_ value: T, _ pfn: PFN, _ offset: Int) {
        base.storeBytes(of: value, toByteOffset: pfn.raw &* Self.stride &+ offset, as: T.self)
    }

    /// Previous page on the owner's LRU list (toward the head).
    @inline(__always) func prev(_ pfn: PFN) -> PFN? { Self.decode(load(pfn, Self.prevOffset, as: UInt32.self)) }
    /// Next page on the owner's LRU list (toward the tail).
    @inline(__always) func next(_ pfn: PFN) -> PFN? { Self.decode(load(pfn, Self.nextOffset, as: UInt32.self)) }
    @inline(__always) func setPrev(_ pfn: PFN, _ v: PFN?) { store(Self.encode(v), pfn, Self.prevOffset) }
    @inline(__always) func setNext(_ pfn: PFN, _ v: PFN?) { store(Self.encode(v), pfn, Self.nextOffset) }

    /// The owner container, nil when the page is not charged.
    @inline(__always) func owner(_ pfn: PFN) -> ContainerID? {
        let o = load(pfn, Self.ownerOffset, as: UInt16.self)
        return o == 0 ? nil : ContainerID(Int(o) &- 1)
    }
    @inline(__always) func isCharged(_ pfn: PFN) -> Bool { load(pfn, Self.ownerOffset, as: UInt16.self) != 0 }
    /// `ContainerTable` keeps ids below `EngineLimits.maxContainers`, so `id + 1` fits.
    @inline(__always) func setOwner(_ pfn: PFN, _ c: ContainerID?) {
        store(c.map { UInt16($0.raw &+ 1) } ?? 0, pfn, Self.ownerOffset)
    }

    @inline(__always) func flags(_ pfn: PFN) -> UInt16 { load(pfn, Self.flagsOffset, as: UInt16.self) }
    @inline(__always) func setFlags(_ pfn: PFN, _ v: UInt16) { store(v, pfn, Self.flagsOffset) }
    @inline(__always) func has(_ pfn: PFN, _ flag: UInt16) -> Bool { flags(pfn) & flag != 0 }
    @inline(__always) func insert(_ pfn: PFN, _ flag: UInt16) { setFlags(pfn, flags(pfn) | flag) }
    @inline(__always) func remove(_ pfn: PFN, _ flag: UInt16) { setFlags(pfn, flags(pfn) & ~flag) }

    /// Clears the whole record (the frame is free).
    @inline(__always) func clear(_ pfn: PFN) {
        base.storeBytes(of: UInt64(0), toByteOffset: pfn.raw &* Self.stride, as: UInt64.self)
        base.storeBytes(of: UInt32(0), toByteOffset: pfn.raw &* Self.stride &+ 8, as: UInt32.self)
    }

    /// Copies the record of `from` to `to` and clears `from` (migration).
    @inline(__always) func move(from: PFN, to: PFN) {
        let a = base.load(fromByteOffset: from.raw &* Self.stride, as: UInt64.self)
        let b = base.load(fromByteOffset: from.raw &* Self.stride &+ 8, as: UInt32.self)
        base.storeBytes(of: a, toByteOffset: to.raw &* Self.stride, as: UInt64.self)
        base.storeBytes(of: b, toByteOffset: to.raw &* Self.stride &+ 8, as: UInt32.self)
        clear(from)
    }

    /// Is the record all zero (a free frame)?
    func isClear(_ pfn: PFN) -> Bool {
        base.load(fromByteOffset: pfn.raw &* Self.stride, as: UInt64.self) == 0
            && base.load(fromByteOffset: pfn.raw &* Self.stride &+ 8, as: UInt32.self) == 0
    }

    /// Look-ahead for a batch of scattered pages: the frame's record.
    @inline(__always) func prefetch(_ pfn: PFN) {
        prefetchForWrite(UnsafeRawPointer(base + pfn.raw &* Self.stride))
    }

    /// Look-ahead: the records of the frame's LRU neighbours, which taking
    /// it off its list writes (its own record should be in cache by now).
    @inline(__always) func prefetchNeighbours(_ pfn: PFN) {
        let p = load(pfn, Self.prevOffset, as: UInt32.self), n = load(pfn, Self.nextOffset, as: UInt32.self)
        if p != 0 { prefetchForWrite(UnsafeRawPointer(base + Int(p &- 1) &* Self.stride)) }
        if n != 0 { prefetchForWrite(UnsafeRawPointer(base + Int(n &- 1) &* Self.stride)) }
    }

    @inline(__always) private static func encode(_ p: PFN?) -> UInt32 { p.map { UInt32(truncatingIfNeeded: $0.raw &+ 1) } ?? 0 }
    @inline(__always) private static func decode(_ v: UInt32) -> PFN? { v == 0 ? nil : PFN(unchecked: Int(v) &- 1) }
}

/// Zero-filled private anonymous memory: pages become resident only when
/// written. Nil when the host refuses (overcommit limits).
func mapZeroed(_ bytes: Int) -> UnsafeMutableRawPointer? {
    guard let raw = mmap(nil, max(bytes, 4096), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
          raw != MAP_FAILED else { return nil }
    adviseHugePages(raw, max(bytes, 4096))
    return raw
}

/// Asks the host to back the 2 MiB-aligned part of a region with huge
/// pages (MADV_HUGEPAGE, for hosts whose transparent huge pages are set to
/// `madvise`): the per-frame tables are read at random, and with 4 KiB
/// pages nearly every scattered access also misses the TLB. A hint only;
/// the region reads the same either way.
public func adviseHugePages(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
    let huge = 2 << 20
    let start = (Int(bitPattern: p) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: p) + bytes) & ~(huge - 1)
    guard end > start else { return }
    _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE)
}

func unmapZeroed(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
    munmap(p, max(bytes, 4096))
}

extension MemcgEngine {
    /// Whether `MemcgEngine(machine:)` can map its per-frame tables on this
    /// host (check before creating an engine from untrusted sizes): maps and
    /// unmaps them, so a machine larger than the host's overcommit allows is
    /// refused with a message instead of failing later.
    public static func canMapFrames(of machine: Machine) -> Bool {
        guard let f = FrameTable(count: machine.frames) else { return false }
        defer { f.deallocate() }
        return ReverseMap(frames: machine.frames) != nil
    }
}
