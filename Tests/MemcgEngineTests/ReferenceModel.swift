@testable import MemcgEngine

/// A deliberately simple second implementation of model.md: dictionaries and
/// arrays, no pointers, no incremental statistics. The differential test
/// applies the same random trace to it and to the engine.
final class ReferenceModel {
    struct RContainer {
        var name: String
        var parent: String?
        var children: [String] = []
        var limit = Int.max
        var usage = 0
        var watermark = 0
        var failcnt = 0
        var mapped = false
        var active: [Int] = []      // head first; with split, the anon LRU
        var inactive: [Int] = []
        var fileActive: [Int] = []  // with split, the file LRU
        var fileInactive: [Int] = []
        var unevictable: [Int] = []
        var pgpgin = 0, pgpgout = 0, pgfault = 0, pgsteal = 0
        var evMax = 0, evOOM = 0, evKill = 0
        // cgroup v2
        var high = Int.max, low = 0, min = 0, swapMax = Int.max
        var oomGroup = false
        var evLow = 0, evHigh = 0, evGroupKill = 0, pgscan = 0
        var swapPeak = 0
    }
    struct RMap { var pid: Int; var count: Int; var pinned: Bool }
    struct RPage {
        var owner: String
        var anon: Bool
        var shmem = false
        var driver = false
        var cache = false
        var swapCache = false
        var referenced = false
        var maps: [RMap] = []
    }
    struct RSlot { var page: Int; var owner: String; var pids: [Int] }

    let frames: Int
    let swapCapacity: Int
    var containers: [String: RContainer] = ["root": RContainer(name: "root", parent: nil)]
    var pages: [Int: RPage] = [:]
    var procs: [Int: String] = [:]
    var slots: [(id: Int, slot: RSlot)] = []
    var nextSlot = 1
    var evicted: [Int] = []
    var kills: [OOMKill] = []

    let v2: Bool
    /// `lru: split` (model.md 5.3) and its swappiness.
    let split: Bool
    let swappiness: Int

    init(frames: Int, swapSlots: Int, v2: Bool, split: Bool? = nil, swappiness: Int = 60) {
        self.frames = frames
        self.swapCapacity = swapSlots
        self.v2 = v2
        self.split = split ?? v2
        self.swappiness = swappiness
    }

    typealias List = WritableKeyPath<RContainer, [Int]>
    static var everyList: [List] { [\RContainer.active, \RContainer.inactive, \RContainer.fileActive, \RContainer.fileInactive, \RContainer.unevictable] }

    /// The active and inactive list a page belongs on.
    func lists(of p: Int) -> (active: List, inactive: List) {
        let pg = pages[p]!
        if split && !pg.anon && !pg.shmem { return (\RContainer.fileActive, \RContainer.fileInactive) }
        return (\RContainer.active, \RContainer.inactive)
    }

    // MARK: swap accounting (v2's memory.swap.*), the simple way

    /// Slots owned anywhere in the subtree.
    func swapUsage(_ name: String) -> Int {
        let members = Set(subtree(name))
        return slots.filter { members.contains($0.slot.owner) }.count
    }

    /// A free slot, and room under swap_max at the owner and every ancestor.
    func canSwap(_ owner: String) -> Bool {
        slots.count < swapCapacity && ancestors(owner).allSatisfy { swapUsage($0) + 1 <= containers[$0]!.swapMax }
    }

    func updateSwapPeaks() {
        for name in containers.keys { containers[name]!.swapPeak = max(containers[name]!.swapPeak, swapUsage(name)) }
    }

    // MARK: tree

    func subtree(_ name: String) -> [String] {
        var out = [name]
        for ch in containers[name]!.children { out += subtree(ch) }
        return out
    }

    func ancestors(_ name: String) -> [String] {
        var out: [String] = []
        var x: String? = name
        while let n = x { out.append(n); x = containers[n]!.parent }
        return out
    }

    func owned(_ name: String) -> [Int] { pages.keys.filter { pages[$0]!.owner == name }.sorted() }

    // MARK: counters the engine reports

    var charges = 0, uncharges = 0, anomalies = 0, unbalanced = 0, evictions = 0, oomKills = 0

    /// Local kind counts, recounted from the pages (the simple way).
    func kinds(_ name: String) -> (rss: Int, cache: Int, shmem: Int, mappedFile: Int, swap: Int) {
        var rss = 0, cache = 0, shmem = 0, mapped = 0
        for pg in pages.values where pg.owner == name {
            if pg.anon { rss += 1 } else {
                cache += 1
                if pg.shmem { shmem += 1 }
                if !pg.maps.isEmpty { mapped += 1 }
            }
        }
        return (rss, cache, shmem, mapped, slots.filter { $0.slot.owner == name }.count)
    }

    /// What GET /processes/{pid} shows, recounted.
    func processView(_ pid: Int) -> (mapped: Int, mappings: Int, pinned: Int, swap: Int) {
        var mapped = 0, mappings = 0, pinned = 0
        for pg in pages.values {
            for m in pg.maps where m.pid == pid {
                mapped += 1
                mappings += m.count
                if m.pinned { pinned += 1 }
            }
        }
        return (mapped, mappings, pinned, slots.filter { $0.slot.pids.contains(pid) }.count)
    }

    // MARK: event classification, independent of the engine's

    static let faults: Set<PageOp> = [.anonFault, .cow, .fileFault, .swapin]
    static let mapping: Set<PageOp> = [.anonFault, .cow, .fileFault, .swapin, .swapoff, .insertPage]

    /// The single pages an event stands for, in order.
    static func pagesOf(_ e: PageEvent) -> [Int] {
        switch e.pages {
        case .range(let first, let count): return count == 0 ? [] : Array(first...(first + count - 1))
        case .list(let l): return l
        }
    }

    static func oldPagesOf(_ e: PageEvent) -> [Int?] {
        let n = pagesOf(e).count
        switch e.oldPages {
        case nil: return Array(repeating: nil, count: n)
        case .range(let first, _)?: return (0..<n).map { first + $0 }
        case .list(let l)?: return l
        }
    }

    // MARK: lists

    func removeFromLists(_ p: Int) {
        let o = pages[p]!.owner
        for l in Self.everyList { containers[o]![keyPath: l].removeAll { $0 == p } }
    }

    func shouldBeUnevictable(_ p: Int) -> Bool {
        let pg = pages[p]!
        return pg.driver || pg.maps.contains { $0.pinned }
    }

    func fixEvictability(_ p: Int) {
        let o = pages[p]!.owner
        let isOn = containers[o]!.unevictable.contains(p)
        let should = shouldBeUnevictable(p)
        if should && !isOn {
            removeFromLists(p)
            containers[o]!.unevictable.insert(p, at: 0)
        } else if !should && isOn {
            removeFromLists(p)
            containers[o]![keyPath: lists(of: p).active].insert(p, at: 0)
        }
    }

    // MARK: charge

    func tryCharge(_ c: String) -> String? {
        let path = ancestors(c)
        for x in path where containers[x]!.usage + 1 > containers[x]!.limit { return x }
        for x in path {
            containers[x]!.usage += 1
            containers[x]!.watermark = max(containers[x]!.watermark, containers[x]!.usage)
        }
        return nil
    }

    /// The retry loop of section 4 step 2: failcnt and `max` once per
    /// refusing level, a round after each refusal, five idle rounds give up.
    /// Returns nil once `attempt` charged, else the last refusing level.
    func retry(_ first: String, _ attempt: () -> String?) -> String? {
        var level = first
        var bumped = [level]
        containers[level]!.failcnt += 1
        containers[level]!.evMax += 1
        var idle = 0
        while true {
            idle = reclaimRound(level) == 0 ? idle + 1 : 0
            guard let again = attempt() else { return nil }
            if !bumped.contains(again) {
                bumped.append(again)
                containers[again]!.failcnt += 1
                containers[again]!.evMax += 1
            }
            level = again
            if idle >= 5 { return level }
        }
    }

    /// Returns nil on success or the refusing level.
    func charge(_ p: Int, to c: String, anon: Bool, shmem: Bool, driver: Bool) -> String? {
        if let first = tryCharge(c), let level = retry(first, { tryCharge(c) }) {
            oom(level)
            return level
        }
        pages[p] = RPage(owner: c, anon: anon, shmem: shmem, driver: driver)
        if driver { containers[c]!.unevictable.insert(p, at: 0) } else { containers[c]![keyPath: lists(of: p).active].insert(p, at: 0) }
        containers[c]!.pgpgin += 1
        charges += 1
        return nil
    }

    func unchargeIfUnreferenced(_ p: Int) {
        guard let pg = pages[p] else { return }
        if pg.maps.isEmpty && !pg.cache && !pg.swapCache { uncharge(p) }
    }

    func uncharge(_ p: Int) {
        let o = pages[p]!.owner
        removeFromLists(p)
        for x in ancestors(o) { containers[x]!.usage -= 1 }
        containers[o]!.pgpgout += 1
        uncharges += 1
        pages[p] = nil
    }

    // MARK: reclaim

    /// One round (section 5, 5.1): a pass within protection; when it
    /// evicted nothing but skipped some container for low, a low pass,
    /// with one `low` event per container skipped.
    func reclaimRound(_ target: String, want: Int = 32) -> Int {
        var skipped: [String] = []
        let got = reclaimPass(target, want: want, lowPass: false, skipped: &skipped)
        if got > 0 || skipped.isEmpty { return got }
        for c in skipped { containers[c]!.evLow += 1 }
        var none: [String] = []
        return reclaimPass(target, want: want, lowPass: true, skipped: &none)
    }

    func reclaimPass(_ target: String, want: Int, lowPass: Bool, skipped: inout [String]) -> Int {
        var e: [String: (min: Int, low: Int)] = [:]
        var got = 0
        for c in subtree(target) {
            var ask = want - got
            if v2 && c != target && c != "root" {  // v1 has no protection and no cap
                let parent = containers[c]!.parent!
                let k = containers[c]!
                var emin = k.min, elow = k.low
                if parent != target {
                    let sibs = containers[parent]!.children.map { containers[$0]! }
                    let sMin = sibs.reduce(0) { $0 + Swift.min($1.usage, $1.min) }
                    let sLow = sibs.reduce(0) { $0 + Swift.min($1.usage, $1.low) }
                    let pMin = Swift.min(k.usage, k.min), pLow = Swift.min(k.usage, k.low)
                    emin = sMin <= e[parent]!.min ? pMin : pMin * e[parent]!.min / sMin
                    elow = sLow <= e[parent]!.low ? pLow : pLow * e[parent]!.low / sLow
                }
                e[c] = (emin, elow)
                if k.usage <= emin { continue }
                if k.usage <= elow && !lowPass { skipped.append(c); continue }
                ask = Swift.min(ask, k.usage - (lowPass ? emin : Swift.max(emin, elow)))
            }
            got += scan(c, want: ask)
            if got >= want { break }
        }
        return got
    }

    /// The high check after a charge of `c` committed (v2).
    func highCheck(_ c: String) {
        guard v2 else { return }
        for x in ancestors(c) where x != "root" && containers[x]!.usage > containers[x]!.high {
            containers[x]!.evHigh += 1
            _ = reclaimRound(x)
        }
    }

    func balance(_ c: String, _ active: List, _ inactive: List) {
        while containers[c]![keyPath: inactive].count < containers[c]![keyPath: active].count {
            let p = containers[c]![keyPath: active].removeLast()
            pages[p]!.referenced = false
            containers[c]![keyPath: inactive].insert(p, at: 0)
        }
    }

    /// A visit wanting `want` pages of `c`: one pair with seed; with split
    /// the swappiness share of anon, then file, then anon again (5.3).
    func scan(_ c: String, want: Int) -> Int {
        let anon = (\RContainer.active, \RContainer.inactive), file = (\RContainer.fileActive, \RContainer.fileInactive)
        guard split else { return scan(c, anon, want: want) }
        let k = containers[c]!
        let a = k.active.count + k.inactive.count, f = k.fileActive.count + k.fileInactive.count
        if a + f == 0 { return 0 }
        if !canSwap(c) { return scan(c, file, want: want) }
        let denominator = swappiness * a + (200 - swappiness) * f
        let share = denominator == 0 ? 0 : want * swappiness * a / denominator
        let fromAnon = scan(c, anon, want: share)
        var got = fromAnon + scan(c, file, want: want - fromAnon)
        if got < want && fromAnon == share { got += scan(c, anon, want: want - got) }
        return got
    }

    func scan(_ c: String, _ pair: (active: List, inactive: List), want: Int) -> Int {
        if want == 0 { return 0 }
        let (active, inactive) = pair
        let budget = 2 * (containers[c]![keyPath: active].count + containers[c]![keyPath: inactive].count)
        var looks = 0, got = 0
        balance(c, active, inactive)
        while got < want && looks < budget {
            if containers[c]![keyPath: inactive].isEmpty {
                balance(c, active, inactive)
                if containers[c]![keyPath: inactive].isEmpty { break }
            }
            let p = containers[c]![keyPath: inactive].last!
            looks += 1
            containers[c]!.pgscan += 1
            let pg = pages[p]!
            let swapBacked = pg.anon || pg.shmem
            if !pg.referenced && (!swapBacked || canSwap(c)) {
                evict(p)
                got += 1
            } else {
                containers[c]![keyPath: inactive].removeLast()
                pages[p]!.referenced = false
                containers[c]![keyPath: active].insert(p, at: 0)
            }
        }
        return got
    }

    func evict(_ p: Int) {
        let pg = pages[p]!
        let pids = pg.maps.map(\.pid)
        if (pg.anon || pg.shmem) && !pids.isEmpty {
            slots.append((nextSlot, RSlot(page: p, owner: pg.owner, pids: pids)))
            nextSlot += 1
            updateSwapPeaks()
        }
        containers[pg.owner]!.pgsteal += 1
        evictions += 1
        evicted.append(p)
        pages[p]!.maps = []
        uncharge(p)
    }

    // MARK: OOM and processes

    func score(_ pid: Int, in members: Set<String>) -> Int {
        pages.values.filter { pg in members.contains(pg.owner) && pg.maps.contains { $0.pid == pid } }.count
    }

    /// The OOM killer of section 4 step 3, with oom_group; returns whether it killed.
    @discardableResult
    func oom(_ level: String, countAlways: Bool = true) -> Bool {
        let members = Set(subtree(level))
        var best: (pid: Int, score: Int)? = nil
        for pid in procs.keys.sorted() where members.contains(procs[pid]!) {
            let sc = score(pid, in: members)
            if best == nil || sc > best!.score { best = (pid, sc) }
        }
        guard let victim = best else {
            if countAlways { containers[level]!.evOOM += 1 }
            return false
        }
        containers[level]!.evOOM += 1
        var group: String? = nil
        for x in ancestors(procs[victim.pid]!) {
            if containers[x]!.oomGroup { group = x }
            if x == level { break }
        }
        kill(victim.pid, victim.score)
        if let group {
            containers[group]!.evGroupKill += 1
            let gm = Set(subtree(group))
            for pid in procs.keys.sorted() where gm.contains(procs[pid]!) { kill(pid, score(pid, in: members)) }
        }
        return true
    }

    func kill(_ pid: Int, _ score: Int) {
        let c = procs[pid]!
        containers[c]!.evKill += 1
        oomKills += 1
        kills.append(OOMKill(pid: pid, container: c, pages: score))
        exit(pid)
    }

    func exit(_ pid: Int) {
        for p in pages.keys.sorted() {
            if let i = pages[p]!.maps.firstIndex(where: { $0.pid == pid }) {
                let pinned = pages[p]!.maps[i].pinned
                pages[p]!.maps.remove(at: i)
                if pinned { fixEvictability(p) }
                unchargeIfUnreferenced(p)
            }
        }
        for i in slots.indices { slots[i].slot.pids.removeAll { $0 == pid } }
        slots.removeAll { $0.slot.pids.isEmpty }
        procs[pid] = nil
    }

    func addMap(_ p: Int, _ pid: Int) {
        if let i = pages[p]!.maps.firstIndex(where: { $0.pid == pid }) {
            pages[p]!.maps[i].count += 1
        } else {
            pages[p]!.maps.append(RMap(pid: pid, count: 1, pinned: false))
        }
    }

    /// Drops one (or all) mappings; false when there was none.
    func dropMap(_ p: Int, _ pid: Int, all: Bool = false) -> Bool {
        guard pages[p] != nil, let i = pages[p]!.maps.firstIndex(where: { $0.pid == pid }) else { return false }
        pages[p]!.maps[i].count -= all ? pages[p]!.maps[i].count : 1
        if pages[p]!.maps[i].count == 0 {
            let pinned = pages[p]!.maps[i].pinned
            pages[p]!.maps.remove(at: i)
            if pinned { fixEvictability(p) }
        }
        return true
    }

    // MARK: commands

    func apply(_ command: Command) -> Result<Void, EngineError.Code> {
        switch command {
        case let .createContainer(name, parent, limits, ct, group, _):
            let parent = parent ?? "root"
            guard containers[parent] != nil else { return .failure(.ENOENT) }
            if !v2 && (limits.given.contains { $0.0 != .max } || group) { return .failure(.EOPNOTSUPP) }
            guard containers[name] == nil else { return .failure(.EEXIST) }
            var c = RContainer(name: name, parent: parent)
            c.limit = limits[.max] ?? Int.max
            c.high = limits[.high] ?? Int.max
            c.low = limits[.low] ?? 0
            c.min = limits[.min] ?? 0
            c.swapMax = limits[.swapMax] ?? Int.max
            c.oomGroup = group
            c.mapped = ct == .mapped
            containers[name] = c
            containers[parent]!.children.append(name)
        case let .deleteContainer(name):
            guard let c = containers[name] else { return .failure(.ENOENT) }
            if procs.values.contains(name) || !c.children.isEmpty { return .failure(.EBUSY) }
            let p = c.parent!
            for pg in pages.keys where pages[pg]!.owner == name { pages[pg]!.owner = p }
            for l in Self.everyList { containers[p]![keyPath: l] = c[keyPath: l] + containers[p]![keyPath: l] }
            for i in slots.indices where slots[i].slot.owner == name { slots[i].slot.owner = p }
            containers[p]!.children.removeAll { $0 == name }
            containers[name] = nil
        case let .setLimits(name, values):
            guard containers[name] != nil else { return .failure(.ENOENT) }
            if !v2 && values.given.contains(where: { $0.0 != .max }) { return .failure(.EOPNOTSUPP) }
            if name == "root" && !values.isEmpty { return .failure(.EINVAL) }
            if let v = values[.swapMax] { containers[name]!.swapMax = v }
            if let v = values[.min] { containers[name]!.min = v }
            if let v = values[.low] { containers[name]!.low = v }
            if let v = values[.high] {
                containers[name]!.high = v
                var idle = 0
                while containers[name]!.usage > v && idle < 5 { idle = reclaimRound(name) == 0 ? idle + 1 : 0 }
            }
            if let l = values[.max] {
                if v2 {
                    containers[name]!.limit = l
                    var idle = 0
                    while containers[name]!.usage > l && idle < 5 { idle = reclaimRound(name) == 0 ? idle + 1 : 0 }
                    while containers[name]!.usage > l && oom(name, countAlways: false) {}
                } else {
                    var idle = 0
                    while containers[name]!.usage > l {
                        if reclaimRound(name) == 0 {
                            idle += 1
                            if idle >= 5 { return .failure(.EBUSY) }
                        } else { idle = 0 }
                    }
                    containers[name]!.limit = l
                }
            }
        case let .updateContainer(name, ct, group):
            if group != nil && !v2 { return .failure(.EOPNOTSUPP) }
            if let ct { containers[name]!.mapped = ct == .mapped }
            if let group { containers[name]!.oomGroup = group }
        case let .reclaim(name, want):
            guard v2 else { return .failure(.EOPNOTSUPP) }
            requested = want
            var got = 0, idle = 0
            while got < want && idle < 5 {
                let n = reclaimRound(name, want: min(32, want - got))
                got += n
                idle = n == 0 ? idle + 1 : 0
            }
        case let .forceEmpty(name):
            var idle = 0
            while containers[name]!.usage > 0 && idle < 5 {
                idle = reclaimRound(name) == 0 ? idle + 1 : 0
            }
        case let .resetStats(name, mu, fc):
            if mu {
                containers[name]!.watermark = containers[name]!.usage
                containers[name]!.swapPeak = swapUsage(name)
            }
            if fc { containers[name]!.failcnt = 0 }
        case let .createProcess(pid, c):
            guard procs[pid] == nil else { return .failure(.EEXIST) }
            procs[pid] = c
        case let .fork(pid, ppid):
            guard let c = procs[ppid] else { return .failure(.ESRCH) }
            guard procs[pid] == nil else { return .failure(.EEXIST) }
            procs[pid] = c
            for p in pages.keys.sorted() where pages[p]!.maps.contains(where: { $0.pid == ppid }) { addMap(p, pid) }
        case let .moveProcess(pid, c, mask):
            guard let from = procs[pid] else { return .failure(.ESRCH) }
            if mask != 0 {
                guard !v2 else { return .failure(.EOPNOTSUPP) }
                if from != c, !moveCharge(pid, from: from, to: c, mask: mask) { return .failure(.ENOMEM) }
            }
            procs[pid] = c
        case let .exitProcess(pid):
            guard procs[pid] != nil else { return .failure(.ESRCH) }
            exit(pid)
        case let .events(events, _):
            for e in events {
                let olds = Self.oldPagesOf(e)
                for (i, page) in Self.pagesOf(e).enumerated() {
                    results.append(event(e.op, pid: e.pid, page: page, old: olds[i], shmem: e.shmem))
                }
            }
        }
        return .success(())
    }

    var results: [(EventResult, String?)] = []
    var requested = 0
    var moved: [Int] = []

    /// v1 move_charge (section 3), the simple way.
    func moveCharge(_ pid: Int, from: String, to: String, mask: Int) -> Bool {
        let fromUp = ancestors(from), toUp = ancestors(to)
        let lca = fromUp.first { toUp.contains($0) }!
        let newSide = Array(toUp.prefix { $0 != lca }), oldSide = Array(fromUp.prefix { $0 != lca })
        let moving = pages.keys.sorted().filter { p in
            let pg = pages[p]!
            guard pg.owner == from, pg.maps.contains(where: { $0.pid == pid }) else { return false }
            return pg.anon ? (mask & 1 != 0 && pg.maps.allSatisfy { $0.pid == pid }) : mask & 2 != 0
        }
        var charged = 0
        for _ in moving {
            func tryNew() -> String? {
                if let x = newSide.first(where: { containers[$0]!.usage + 1 > containers[$0]!.limit }) { return x }
                for x in newSide {
                    containers[x]!.usage += 1
                    containers[x]!.watermark = max(containers[x]!.watermark, containers[x]!.usage)
                }
                return nil
            }
            if let first = tryNew(), retry(first, tryNew) != nil {
                for _ in 0..<charged { for x in newSide { containers[x]!.usage -= 1 } }
                return false
            }
            charged += 1
        }
        for p in moving {
            for x in oldSide { containers[x]!.usage -= 1 }
            let kp = Self.everyList.first { containers[from]![keyPath: $0].contains(p) }!
            containers[from]![keyPath: kp].removeAll { $0 == p }
            containers[to]![keyPath: kp].insert(p, at: 0)
            pages[p]!.owner = to
            moved.append(p)
        }
        if mask & 1 != 0 {
            for i in slots.indices where slots[i].slot.owner == from && slots[i].slot.pids == [pid] { slots[i].slot.owner = to }
            updateSwapPeaks()
        }
        return true
    }

    func event(_ op: PageOp, pid: Int?, page p: Int, old: Int?, shmem: Bool) -> (EventResult, String?) {
        if let pid, procs[pid] == nil { return (.ESRCH, nil) }
        if p >= frames || (old ?? 0) >= frames { return (.EINVAL, nil) }
        if Self.mapping.contains(op) {
            let c = procs[pid!]!
            if Self.faults.contains(op) { containers[c]!.pgfault += 1 }
            var committed: String? = nil
            if pages[p] == nil {
                if let level = charge(p, to: c, anon: op != .fileFault, shmem: false, driver: op == .insertPage) {
                    return (.ENOMEM, level)
                }
                committed = c
            } else if op == .insertPage && !pages[p]!.driver {
                pages[p]!.driver = true
                fixEvictability(p)
            }
            addMap(p, pid!)
            if let old {
                if op == .cow {
                    if dropMap(old, pid!) { unchargeIfUnreferenced(old) } else { unbalanced += 1 }
                } else if let i = slots.firstIndex(where: { $0.slot.page == old && $0.slot.pids.contains(pid!) }) {
                    slots[i].slot.pids.removeAll { $0 == pid! }
                    if slots[i].slot.pids.isEmpty { slots.remove(at: i) }
                }
            }
            if let committed { highCheck(committed) }
            return (.ok, nil)
        }
        switch op {
        case .pagecacheAdd, .swapcacheAdd:
            let isPC = op == .pagecacheAdd
            if pages[p] != nil {
                if isPC ? pages[p]!.cache : pages[p]!.swapCache { return (.noop, nil) }
                if isPC { pages[p]!.cache = true } else { pages[p]!.swapCache = true }
                return (.ok, nil)
            }
            let c = pid.map { procs[$0]! } ?? "root"
            if containers[c]!.mapped { return (.noop, nil) }
            if let level = charge(p, to: c, anon: !isPC, shmem: isPC && shmem, driver: false) { return (.ENOMEM, level) }
            defer { highCheck(c) }
            if isPC { pages[p]!.cache = true } else { pages[p]!.swapCache = true }
            return (.ok, nil)
        case .pagecacheRemove, .swapcacheRemove:
            let isPC = op == .pagecacheRemove
            guard let pg = pages[p], isPC ? pg.cache : pg.swapCache else { unbalanced += 1; return (.noop, nil) }
            if isPC { pages[p]!.cache = false } else { pages[p]!.swapCache = false }
            unchargeIfUnreferenced(p)
            return (.ok, nil)
        case .swapFree:
            guard let i = slots.firstIndex(where: { $0.slot.page == p && $0.slot.pids.contains(pid!) }) else { return (.noop, nil) }
            slots[i].slot.pids.removeAll { $0 == pid! }
            if slots[i].slot.pids.isEmpty { slots.remove(at: i) }
            return (.ok, nil)
        case .unmap:
            guard dropMap(p, pid!) else { unbalanced += 1; return (.noop, nil) }
            unchargeIfUnreferenced(p)
            return (.ok, nil)
        case .migrate:
            let old = old!
            if old == p || pages[p] != nil { return (.EBUSY, nil) }
            guard let pg = pages[old] else { return (.noop, nil) }
            let o = pg.owner
            for kp in Self.everyList {
                if let i = containers[o]![keyPath: kp].firstIndex(of: old) { containers[o]![keyPath: kp][i] = p }
            }
            pages[p] = pg
            pages[old] = nil
            return (.ok, nil)
        case .free:
            guard pages[p] != nil else { return (.noop, nil) }
            anomalies += 1
            pages[p]!.maps = []
            uncharge(p)
            return (.ok, nil)
        case .access:
            guard let pg = pages[p] else { return (.noop, nil) }
            let o = pg.owner
            let own = lists(of: p)
            if containers[o]![keyPath: own.inactive].contains(p) && pg.referenced {
                containers[o]![keyPath: own.inactive].removeAll { $0 == p }
                containers[o]![keyPath: own.active].insert(p, at: 0)
                pages[p]!.referenced = false
            } else {
                pages[p]!.referenced = true
            }
            return (.ok, nil)
        case .mlock, .munlock:
            guard let pg = pages[p], let i = pg.maps.firstIndex(where: { $0.pid == pid! }) else { return (.noop, nil) }
            let want = op == .mlock
            if pg.maps[i].pinned == want { return (.noop, nil) }
            pages[p]!.maps[i].pinned = want
            fixEvictability(p)
            return (.ok, nil)
        default:
            preconditionFailure("\(op) is a mapping event")
        }
    }
}
