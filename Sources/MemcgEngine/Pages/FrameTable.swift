#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bits of `FrameTable.flags`.
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
    /// The single mapper (see `mapper`) pins the page.
    static let pinned: UInt16 = 1 << 8
    /// Scratch bit for de-duplicating walks; always clear between commands.
    static let visited: UInt16 = 1 << 9
    /// A `file` page-cache page mapped by at least one process (counted in
    /// `mapped_file`).
    static let mappedFile: UInt16 = 1 << 10
}

/// One field of the interleaved per-frame record: reads and writes at
/// `index * stride + offset`.
struct FrameField<T> {
    let base: UnsafeMutableRawPointer
    let offset: Int

    @inline(__always) subscript(_ pfn: Int) -> T {
        get { base.load(fromByteOffset: pfn &* FrameTable.hotStride &+ offset, as: T.self) }
        nonmutating set { base.storeBytes(of: newValue, toByteOffset: pfn &* FrameTable.hotStride &+ offset, as: T.self) }
    }
}

/// Per-frame state, one slot per page frame, mapped zero-filled with `mmap`:
/// frames never touched are never resident, so a 16 GiB machine starts at
/// once. 18 bytes per frame, the counterpart of the kernel's per-page
/// `page_cgroup` / `memcg_data`. The fields every LRU operation touches
/// (links, owner, flags) sit together in one 12-byte record, so a list step
/// costs one cache miss, not four.
struct FrameTable {
    let count: Int
    /// Interleaved records of `hotStride` bytes: prev, next, owner, flags.
    let hot: UnsafeMutableRawPointer
    /// Previous / next page on the owner's LRU list, stored as pfn + 1 (0: none).
    let lruPrev: FrameField<UInt32>
    let lruNext: FrameField<UInt32>
    /// Owner container index + 1; 0 means the page is not charged.
    let owner: FrameField<UInt16>
    let flags: FrameField<UInt16>
    /// Who maps the page: 0 nobody; `slot + 1` one process (its number of
    /// mappings in `mapCount`); `overflowBit | index` several processes, in
    /// `MappingOverflow`.
    let mapper: UnsafeMutablePointer<UInt32>
    let mapCount: UnsafeMutablePointer<UInt16>

    static let overflowBit: UInt32 = 1 << 31
    static let hotStride = 12

    init(count: Int) {
        self.count = count
        // Anonymous mappings: zero pages that become resident only when written.
        func zeroed(_ bytes: Int) -> UnsafeMutableRawPointer {
            guard let raw = mmap(nil, max(bytes, 4096), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  raw != MAP_FAILED else {
                preconditionFailure("cannot map the frame table for \(count) frames")
            }
            return raw
        }
        hot = zeroed(count * Self.hotStride)
        lruPrev = FrameField(base: hot, offset: 0)
        lruNext = FrameField(base: hot, offset: 4)
        owner = FrameField(base: hot, offset: 8)
        flags = FrameField(base: hot, offset: 10)
        mapper = zeroed(count * 4).bindMemory(to: UInt32.self, capacity: count)
        mapCount = zeroed(count * 2).bindMemory(to: UInt16.self, capacity: count)
    }

    func deallocate() {
        munmap(hot, max(count * Self.hotStride, 4096))
        munmap(mapper, max(count * 4, 4096))
        munmap(mapCount, max(count * 2, 4096))
    }

    static let bytesPerFrame = hotStride + 4 + 2
}

/// One process's mappings of a page shared by several processes.
struct MapEntry: Equatable {
    var slot: UInt32
    var count: Int
    var pinned: Bool
}

extension FrameTable {
    /// Can this host map the frame table for `count` frames? Maps and unmaps
    /// the three regions `init` needs, so a machine larger than the host's
    /// overcommit allows is refused with a message instead of trapping.
    static func canMap(count: Int) -> Bool {
        var mapped: [(UnsafeMutableRawPointer, Int)] = []
        defer { for (p, n) in mapped { munmap(p, n) } }
        for bytes in [count * hotStride, count * 4, count * 2] {
            let n = max(bytes, 4096)
            guard let p = mmap(nil, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else { return false }
            mapped.append((p, n))
        }
        return true
    }
}

extension MemcgEngine {
    /// Whether `MemcgEngine(machine:)` can map its per-frame tables on this
    /// host (check before creating an engine from untrusted sizes).
    public static func canMapFrames(of machine: Machine) -> Bool { FrameTable.canMap(count: machine.frames) }
}
