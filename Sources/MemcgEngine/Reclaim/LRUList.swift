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

/// Which pair of a container's LRU lists an evictable page is on: the
/// anon and file halves of the kernel's `enum lru_list`. With `lru: split`,
/// `main` holds the anonymous and shmem pages and `file` the page cache;
/// with `lru: seed` every evictable page is on `main` and `file` stays empty.
enum LRUPairID: Int, CaseIterable {
    case main, file
}

/// One active/inactive pair (a `struct lruvec` half).
struct LRUPair {
    var inactive = LRUList()
    var active = LRUList()

    /// Pages on both lists.
    var count: Int { inactive.count + active.count }

    @inline(__always) subscript(kind: LRUKind) -> LRUList {
        get { kind == .active ? active : inactive }
        _modify {
            if kind == .active { yield &active } else { yield &inactive }
        }
    }
}

/// A container's lists (its lruvec): one or two active/inactive pairs,
/// as the machine's `lru` setting says, and the unevictable list.
struct ContainerLRU {
    /// `lru: split` (model.md 5.3): file pages on their own pair.
    let split: Bool
    var main = LRUPair()
    var file = LRUPair()
    var unevictable = LRUList()

    init(split: Bool) { self.split = split }

    /// Every list, in a fixed order (invariants, snapshots): the main pair,
    /// the file pair (empty with `lru: seed`), the unevictable list.
    static let allLists: [(LRUKind, LRUPairID)] = [(.inactive, .main), (.active, .main), (.inactive, .file), (.active, .file),
                                                   (.unevictable, .main)]

    /// The pair a page with these flags belongs on (page_lru_base_type).
    @inline(__always) func pairID(flags fl: UInt16) -> LRUPairID {
        split && fl & FrameFlag.swapBacked == 0 ? .file : .main
    }

    @inline(__always) subscript(pair: LRUPairID) -> LRUPair {
        get { pair == .file ? file : main }
        _modify {
            if pair == .file { yield &file } else { yield &main }
        }
    }

    /// The list of `kind` in `pair` (the unevictable list has no pair).
    @inline(__always) subscript(kind: LRUKind, pair: LRUPairID) -> LRUList {
        get {
            switch kind {
            case .unevictable: unevictable
            case .active, .inactive: self[pair][kind]
            }
        }
        _modify {
            switch kind {
            case .unevictable: yield &unevictable
            case .active, .inactive: yield &self[pair][kind]
            }
        }
    }

    // Direct reads of one pair for the scan loop (no copy of the pair).
    @inline(__always) func count(_ pair: LRUPairID) -> Int {
        pair == .file ? file.inactive.count &+ file.active.count : main.inactive.count &+ main.active.count
    }
    @inline(__always) func inactiveCount(_ pair: LRUPairID) -> Int { pair == .file ? file.inactive.count : main.inactive.count }
    @inline(__always) func activeCount(_ pair: LRUPairID) -> Int { pair == .file ? file.active.count : main.active.count }
    @inline(__always) func inactiveTail(_ pair: LRUPairID) -> PFN? { pair == .file ? file.inactive.tail : main.inactive.tail }
    @inline(__always) func activeTail(_ pair: LRUPairID) -> PFN? { pair == .file ? file.active.tail : main.active.tail }

    /// Pages on every list.
    var count: Int { main.count + file.count + unevictable.count }

    // The sizes the statistics report, by kind of page whatever the mode.
    var activeCount: Int { main.active.count + file.active.count }
    var activeAnon: Int { main.active.anon + file.active.anon }
    var inactiveCount: Int { main.inactive.count + file.inactive.count }
    var inactiveAnon: Int { main.inactive.anon + file.inactive.anon }

    /// Runs `body` on the list of `kind` in `pair`: a plain switch over the
    /// stored lists, which inlines where the `_modify` accessors above stay
    /// calls to a coroutine (10% of a reclaim-heavy run).
    @inline(__always) mutating func withList<R>(_ kind: LRUKind, _ pair: LRUPairID, _ body: (inout LRUList) -> R) -> R {
        switch kind {
        case .unevictable: return body(&unevictable)
        case .active: return pair == .file ? body(&file.active) : body(&main.active)
        case .inactive: return pair == .file ? body(&file.inactive) : body(&main.inactive)
        }
    }

    /// Takes the page off whichever list its flags say it is on.
    @inline(__always) mutating func remove(_ pfn: PFN, _ f: FrameTable) {
        let fl = f.flags(pfn)
        withList(LRUKind(flags: fl), pairID(flags: fl)) { $0.remove(pfn, anon: fl & FrameFlag.swapBacked != 0, f) }
    }

    /// Puts the page on the head of `kind` in its own pair, setting the
    /// list bits of its flags to match (other bits are kept, `referenced`
    /// is cleared when asked).
    @inline(__always) mutating func pushHead(_ pfn: PFN, on kind: LRUKind, clearReferenced: Bool, _ f: FrameTable) {
        var fl = f.flags(pfn) & ~(FrameFlag.active | FrameFlag.unevictable)
        if clearReferenced { fl &= ~FrameFlag.referenced }
        switch kind {
        case .active: fl |= FrameFlag.active
        case .unevictable: fl |= FrameFlag.unevictable
        case .inactive: break
        }
        f.setFlags(pfn, fl)
        withList(kind, pairID(flags: fl)) { $0.pushHead(pfn, anon: fl & FrameFlag.swapBacked != 0, f) }
    }

    /// Moves the page from its list to the head of `kind` in its own pair.
    @inline(__always) mutating func move(_ pfn: PFN, to kind: LRUKind, clearReferenced: Bool, _ f: FrameTable) {
        remove(pfn, f)
        pushHead(pfn, on: kind, clearReferenced: clearReferenced, f)
    }

    /// `new` has taken the flags and links of a page of this container
    /// (migration): it takes that page's place on its list.
    @inline(__always) mutating func relink(_ new: PFN, _ f: FrameTable) {
        let fl = f.flags(new)
        withList(LRUKind(flags: fl), pairID(flags: fl)) { $0.relink(new, f) }
    }

    /// Calls `body` for each page on every list.
    func forEachPage(_ f: FrameTable, _ body: (PFN) -> Void) {
        for list in [main.inactive, main.active, file.inactive, file.active, unevictable] { list.forEach(f, body) }
    }

    /// Puts another container's lists, each in its order, in front of these.
    mutating func prepend(_ other: ContainerLRU, _ f: FrameTable) {
        main.inactive.prepend(other.main.inactive, f)
        main.active.prepend(other.main.active, f)
        file.inactive.prepend(other.file.inactive, f)
        file.active.prepend(other.file.active, f)
        unevictable.prepend(other.unevictable, f)
    }
}
