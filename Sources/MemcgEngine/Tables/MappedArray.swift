import Glibc

/// A growable array of plain records in one region mapped up front for the
/// most records it can ever hold (`maxCount`), lazily backed by the host as
/// pages are first written. Appending never moves the records: an `Array`
/// doubling under a swap-heavy run copies the whole table each time and
/// faults in a fresh copy (memmove plus page clearing were a fifth of a
/// swap-out's cost). The mapping asks for no reservation (MAP_NORESERVE),
/// so a large swap device costs address space only.
///
/// Records are reached through their address, with a bounds check; there
/// is no copy-on-write. Not thread-safe; the engine serialises.
final class MappedArray<Element: BitwiseCopyable>: RandomAccessCollection {
    let maxCount: Int
    private let base: UnsafeMutablePointer<Element>
    private let bytes: Int
    @exclusivity(unchecked) private(set) var count = 0

    /// Nil when the host refuses the mapping.
    init?(maxCount: Int) {
        let bytes = Swift.max(maxCount, 1) * MemoryLayout<Element>.stride
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              raw != MAP_FAILED else { return nil }
        self.maxCount = maxCount
        self.bytes = bytes
        base = raw.bindMemory(to: Element.self, capacity: Swift.max(maxCount, 1))
    }

    deinit { munmap(UnsafeMutableRawPointer(base), bytes) }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    @inline(__always) subscript(_ i: Int) -> Element {
        unsafeAddress {
            precondition(i >= 0 && i < count, "record index out of range")
            return UnsafePointer(base + i)
        }
        unsafeMutableAddress {
            precondition(i >= 0 && i < count, "record index out of range")
            return base + i
        }
    }

    /// Appends a record; there must be room (`count < maxCount`).
    @inline(__always) func append(_ e: Element) {
        precondition(count < maxCount, "mapped array is full")
        (base + count).initialize(to: e)
        count += 1
    }

    /// Forgets every record and gives the pages back to the host.
    func removeAll() {
        if count > 0 { madvise(UnsafeMutableRawPointer(base), count * MemoryLayout<Element>.stride, MADV_DONTNEED) }
        count = 0
    }
}
