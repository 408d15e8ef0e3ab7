/// One LRU list of a container, doubly linked through the frame table
/// (the seed's `mem_container->active_list` / `inactive_list`).
struct LRUList {
    private(set) var head: PFN?
    private(set) var tail: PFN?
    private(set) var count = 0
    /// Pages on the list that are swap-backed (anonymous or shmem).
    private(set) var anon = 0

    @inline(__always) mutating func pushHead(_ pfn: PFN, anon isAnon: Bool, _ f: FrameTable) {
        f.setPrev(pfn, nil)
        f.setNext(pfn, head)
        if let h = head { f.setPrev(h, pfn) } else { tail = pfn }
        head = pfn
        count &+= 1
        if isAnon { anon &+= 1 }
    }

    @inline(__always) mutating func remove(_ pfn: PFN, anon isAnon: Bool, _ f: FrameTable) {
        let prev = f.prev(pfn), next = f.next(pfn)
        if let p = prev { f.setNext(p, next) } else { head = next }
        if let n = next { f.setPrev(n, prev) } else { tail = prev }
        f.setPrev(pfn, nil)
        f.setNext(pfn, nil)
        count &-= 1
        if isAnon { anon &-= 1 }
    }

    /// `new` takes the place of the page whose links it was given (migration).
    @inline(__always) mutating func relink(_ new: PFN, _ f: FrameTable) {
        if let p = f.prev(new) { f.setNext(p, new) } else { head = new }
        if let n = f.next(new) { f.setPrev(n, new) } else { tail = new }
    }

    /// Puts a whole list, in its order, in front of this one.
    mutating func prepend(_ other: LRUList, _ f: FrameTable) {
        guard let otherHead = other.head, let otherTail = other.tail else { return }
        if let h = head {
            f.setNext(otherTail, h)
            f.setPrev(h, otherTail)
        } else {
            tail = otherTail
        }
        head = otherHead
        count += other.count
        anon += other.anon
    }

    /// Calls `body` for each page from head to tail.
    func forEach(_ f: FrameTable, _ body: (PFN) -> Void) {
        var node = head
        while let p = node {
            body(p)
            node = f.next(p)
        }
    }

    /// Page numbers from head to tail (for stats, tests and invariants).
    func pages(_ f: FrameTable) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        forEach(f) { out.append($0.raw) }
        return out
    }
}

/// Which list of a container a page is on.
enum LRUKind: Int, CaseIterable {
    case inactive, active, unevictable

    /// Read off the page's flags.
    @inline(__always) init(flags fl: UInt16) {
        self = fl & FrameFlag.unevictable != 0 ? .unevictable : (fl & FrameFlag.active != 0 ? .active : .inactive)
    }
}

/// A container's three lists (shrink_list's inputs).
struct ContainerLRU {
    var inactive = LRUList()
    var active = LRUList()
    var unevictable = LRUList()

    @inline(__always) subscript(kind: LRUKind) -> LRUList {
        get {
            switch kind {
            case .inactive: inactive
            case .active: active
            case .unevictable: unevictable
            }
        }
        _modify {
            switch kind {
            case .inactive: yield &inactive
            case .active: yield &active
            case .unevictable: yield &unevictable
            }
        }
    }

    /// Pages on all three lists.
    var count: Int { inactive.count + active.count + unevictable.count }

    /// Takes the page off whichever list its flags say it is on.
    @inline(__always) mutating func remove(_ pfn: PFN, _ f: FrameTable) {
        let fl = f.flags(pfn)
        self[LRUKind(flags: fl)].remove(pfn, anon: fl & FrameFlag.swapBacked != 0, f)
    }

    /// Puts the page on the head of `kind`, setting the list bits of its
    /// flags to match (other bits are kept, `referenced` is cleared when asked).
    @inline(__always) mutating func pushHead(_ pfn: PFN, on kind: LRUKind, clearReferenced: Bool, _ f: FrameTable) {
        var fl = f.flags(pfn) & ~(FrameFlag.active | FrameFlag.unevictable)
        if clearReferenced { fl &= ~FrameFlag.referenced }
        switch kind {
        case .active: fl |= FrameFlag.active
        case .unevictable: fl |= FrameFlag.unevictable
        case .inactive: break
        }
        f.setFlags(pfn, fl)
        self[kind].pushHead(pfn, anon: fl & FrameFlag.swapBacked != 0, f)
    }

    /// Moves the page from its list to the head of `kind`.
    @inline(__always) mutating func move(_ pfn: PFN, to kind: LRUKind, clearReferenced: Bool, _ f: FrameTable) {
        remove(pfn, f)
        pushHead(pfn, on: kind, clearReferenced: clearReferenced, f)
    }

    /// Puts another container's lists, in their order, in front of these.
    mutating func prepend(_ other: ContainerLRU, _ f: FrameTable) {
        for k in LRUKind.allCases { self[k].prepend(other[k], f) }
    }
}
