/// One LRU list of a container, doubly linked through the frame table
/// (the seed's `mem_container->active_list` / `inactive_list`).
struct LRUList {
    /// pfn + 1 of the head (most recent) and tail; 0 when empty.
    var head: UInt32 = 0
    var tail: UInt32 = 0
    var count = 0
    /// Pages on the list that are anonymous or shmem (the "anon" LRU kind).
    var anon = 0

    @inline(__always) mutating func pushHead(_ pfn: Int, anon isAnon: Bool, _ f: FrameTable) {
        let node = UInt32(truncatingIfNeeded: pfn + 1)
        f.lruPrev[pfn] = 0
        f.lruNext[pfn] = head
        if head != 0 { f.lruPrev[Int(head) - 1] = node } else { tail = node }
        head = node
        count += 1
        if isAnon { anon += 1 }
    }

    @inline(__always) mutating func remove(_ pfn: Int, anon isAnon: Bool, _ f: FrameTable) {
        let prev = f.lruPrev[pfn], next = f.lruNext[pfn]
        if prev != 0 { f.lruNext[Int(prev) - 1] = next } else { head = next }
        if next != 0 { f.lruPrev[Int(next) - 1] = prev } else { tail = prev }
        f.lruPrev[pfn] = 0
        f.lruNext[pfn] = 0
        count -= 1
        if isAnon { anon -= 1 }
    }

    /// Puts a whole list, in its order, in front of this one.
    mutating func prepend(_ other: LRUList, _ f: FrameTable) {
        guard other.count > 0 else { return }
        if head != 0 {
            f.lruNext[Int(other.tail) - 1] = head
            f.lruPrev[Int(head) - 1] = other.tail
        } else {
            tail = other.tail
        }
        head = other.head
        count += other.count
        anon += other.anon
    }

    /// Page numbers from head to tail (for stats, tests and invariants).
    func pages(_ f: FrameTable) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        var node = head
        while node != 0 {
            out.append(Int(node) - 1)
            node = f.lruNext[Int(node) - 1]
        }
        return out
    }
}
