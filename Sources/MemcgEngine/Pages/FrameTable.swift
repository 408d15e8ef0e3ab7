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

/// Per-frame state, one slot per page frame, in parallel arrays allocated
/// zero-filled with `calloc`: frames never touched are never resident, so a
/// 16 GiB machine starts at once. 18 bytes per frame, the counterpart of the
/// kernel's per-page `page_cgroup` / `memcg_data`.
struct FrameTable {
    let count: Int
    /// Previous / next page on the owner's LRU list, stored as pfn + 1 (0: none).
    let lruPrev: UnsafeMutablePointer<UInt32>
    let lruNext: UnsafeMutablePointer<UInt32>
    /// Who maps the page: 0 nobody; `slot + 1` one process (its number of
    /// mappings in `mapCount`); `overflowBit | index` several processes, in
    /// `MappingOverflow`.
    let mapper: UnsafeMutablePointer<UInt32>
    /// Owner container index + 1; 0 means the page is not charged.
    let owner: UnsafeMutablePointer<UInt16>
    let flags: UnsafeMutablePointer<UInt16>
    let mapCount: UnsafeMutablePointer<UInt16>

    static let overflowBit: UInt32 = 1 << 31

    init(count: Int) {
        self.count = count
        func zeroed<T>(_: T.Type) -> UnsafeMutablePointer<T> {
            guard let raw = calloc(max(count, 1), MemoryLayout<T>.stride) else {
                preconditionFailure("cannot allocate the frame table for \(count) frames")
            }
            return raw.bindMemory(to: T.self, capacity: max(count, 1))
        }
        lruPrev = zeroed(UInt32.self)
        lruNext = zeroed(UInt32.self)
        mapper = zeroed(UInt32.self)
        owner = zeroed(UInt16.self)
        flags = zeroed(UInt16.self)
        mapCount = zeroed(UInt16.self)
    }

    func deallocate() {
        free(lruPrev); free(lruNext); free(mapper); free(owner); free(flags); free(mapCount)
    }

    static let bytesPerFrame = 4 + 4 + 4 + 2 + 2 + 2
}

/// One process's mappings of a page shared by several processes.
struct MapEntry: Equatable {
    var slot: UInt32
    var count: Int
    var pinned: Bool
}
