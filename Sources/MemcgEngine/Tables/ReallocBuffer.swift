import Glibc

/// A growable run of plain records in one `malloc` block that grows by
/// `realloc`. A large block is its own mapping, which glibc moves with
/// `mremap` instead of copying it: a list that only grows (a process's
/// swap claims while nothing exits) costs its records once, where an
/// `Array` doubling copies everything into fresh pages each time (a quarter
/// of the swap-out case's page faults were that copy).
///
/// A value with manual lifetime: it owns its block, copies of it alias the
/// same block, and its owner calls `deallocate` exactly once. Not
/// thread-safe; the engine serialises.
struct ReallocBuffer<Element: BitwiseCopyable> {
    private var base: UnsafeMutablePointer<Element>? = nil
    private(set) var count = 0
    private var capacity = 0

    init() {}

    /// The records, valid until the next mutation.
    @inline(__always) var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always) mutating func append(_ e: Element) {
        if count == capacity { grow(to: Swift.max(16, 2 * capacity)) }
        (base! + count).initialize(to: e)
        count += 1
    }

    mutating func reserveCapacity(_ n: Int) {
        if n > capacity { grow(to: n) }
    }

    /// Keeps the records for which `remove` is false, in order.
    mutating func removeAll(where remove: (Element) throws -> Bool) rethrows {
        guard let b = base else { return }
        var kept = 0
        for i in 0..<count where try !remove(b[i]) {
            b[kept] = b[i]
            kept += 1
        }
        count = kept
    }

    /// Frees the block; the value is empty afterwards.
    mutating func deallocate() {
        free(base)
        self = ReallocBuffer()
    }

    private mutating func grow(to n: Int) {
        let (bytes, overflow) = n.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        precondition(!overflow, "buffer size overflows")
        guard let raw = realloc(base, bytes) else { fatalError("out of memory growing a buffer to \(bytes) bytes") }
        base = raw.bindMemory(to: Element.self, capacity: n)
        capacity = n
    }
}
