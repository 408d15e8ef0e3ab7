/// A growable array of slots whose elements are mutated in place through
/// their address: no copy-on-write uniqueness check on every access. The
/// engine's tables are read and written on every page event, where
/// `Array`'s checks cost more than the work. Freed slots are handed out
/// again by `reuseOrAppend`.
final class SlotStore<Element> {
    @exclusivity(unchecked) private var base: UnsafeMutablePointer<Element>
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var free: [Int] = []

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always) subscript(_ i: Int) -> Element {
        unsafeAddress { UnsafePointer(address(i)) }
        unsafeMutableAddress { address(i) }
    }

    var indices: Range<Int> { 0..<count }

    /// The address of slot `i`, for tables that vend their own accessors.
    @inline(__always) func address(_ i: Int) -> UnsafeMutablePointer<Element> {
        precondition(i >= 0 && i < count, "slot index out of range")
        return base + i
    }

    /// Stores `element` in a freed slot (the most recently freed) or a new
    /// one at the end; returns its index.
    func reuseOrAppend(_ element: Element) -> Int {
        if let i = free.popLast() {
            base[i] = element
            return i
        }
        if count == capacity {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        (base + count).initialize(to: element)
        count += 1
        return count - 1
    }

    /// Puts `vacant` in slot `i` and lets `reuseOrAppend` hand it out again.
    func release(_ i: Int, leaving vacant: Element) {
        base[i] = vacant
        free.append(i)
    }

    /// Slots handed back and not reused yet.
    var freeSlots: [Int] { free }

    /// Every slot, in index order (a snapshot's copy).
    var all: [Element] { (0..<count).map { base[$0] } }

    /// Replaces every slot and the free list (a snapshot's restore); the
    /// free list keeps its order, so ids are handed out as before.
    func replaceAll(_ elements: [Element], free freed: [Int]) {
        base.deinitialize(count: count)
        base.deallocate()
        capacity = Swift.max(elements.count, 16)
        base = .allocate(capacity: capacity)
        base.initialize(from: elements, count: elements.count)
        count = elements.count
        free = freed
    }
}
