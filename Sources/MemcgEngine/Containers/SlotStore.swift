/// A growable array of slots whose elements are mutated in place through
/// their address: no copy-on-write uniqueness check on every access. The
/// engine's container and process tables are read and written on every page
/// event, where `Array`'s checks cost more than the work.
final class SlotStore<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always) subscript(_ i: Int) -> Element {
        unsafeAddress {
            precondition(i >= 0 && i < count, "slot index out of range")
            return UnsafePointer(base + i)
        }
        unsafeMutableAddress {
            precondition(i >= 0 && i < count, "slot index out of range")
            return base + i
        }
    }

    var indices: Range<Int> { 0..<count }

    func append(_ element: Element) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        (base + count).initialize(to: element)
        count += 1
    }
}
