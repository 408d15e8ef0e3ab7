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
        var active: [Int] = []      // head first
        var inactive: [Int] = []
        var unevictable: [Int] = []
        var pgpgin = 0, pgpgout = 0, pgfault = 0, pgsteal = 0
        var evMax = 0, evOOM = 0, evKill = 0
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

    init(frames: Int, swapSlots: Int) {
        self.frames = frames
        self.swapCapacity = swapSlots
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

    // MARK: lists

    func listOf(_ p: Int) -> KeyPath<RContainer, [Int]> { \.active }

    func removeFromLists(_ p: Int) {
        let o = pages[p]!.owner
        containers[o]!.active.removeAll { $0 == p }
        containers[o]!.inactive.removeAll { $0 == p }
        containers[o]!.unevictable.removeAll { $0 == p }
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
            containers[o]!.active.insert(p, at: 0)
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

    /// Returns nil on success or the refusing level.
    func charge(_ p: Int, to c: String, anon: Bool, shmem: Bool, driver: Bool) -> String? {
        if var level = tryCharge(c) {
            var bumped = [level]
            containers[level]!.failcnt += 1
            containers[level]!.evMax += 1
            var idle = 0
            var ok = false
            while true {
                let got = reclaimRound(level)
                idle = got == 0 ? idle + 1 : 0
                guard let again = tryCharge(c) else { ok = true; break }
                if !bumped.contains(again) {
                    bumped.append(again)
                    containers[again]!.failcnt += 1
                    containers[again]!.evMax += 1
                }
                level = again
                if idle >= 5 { break }
            }
            if !ok {
                oom(level)
                return level
            }
        }
        pages[p] = RPage(owner: c, anon: anon, shmem: shmem, driver: driver)
        if driver { containers[c]!.unevictable.insert(p, at: 0) } else { containers[c]!.active.insert(p, at: 0) }
        containers[c]!.pgpgin += 1
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
        pages[p] = nil
    }

    // MARK: reclaim

    func reclaimRound(_ level: String) -> Int {
        var got = 0
        for c in subtree(level) {
            got += scan(c, want: 32 - got)
            if got >= 32 { break }
        }
        return got
    }

    func balance(_ c: String) {
        while containers[c]!.inactive.count < containers[c]!.active.count {
            let p = containers[c]!.active.removeLast()
            pages[p]!.referenced = false
            containers[c]!.inactive.insert(p, at: 0)
        }
    }

    func scan(_ c: String, want: Int) -> Int {
        let budget = 2 * (containers[c]!.active.count + containers[c]!.inactive.count)
        var looks = 0, got = 0
        balance(c)
        while got < want && looks < budget {
            if containers[c]!.inactive.isEmpty {
                balance(c)
                if containers[c]!.inactive.isEmpty { break }
            }
            let p = containers[c]!.inactive.last!
            looks += 1
            let pg = pages[p]!
            let swapBacked = pg.anon || pg.shmem
            if !pg.referenced && (!swapBacked || slots.count < swapCapacity) {
                evict(p)
                got += 1
            } else {
                containers[c]!.inactive.removeLast()
                pages[p]!.referenced = false
                containers[c]!.active.insert(p, at: 0)
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
        }
        containers[pg.owner]!.pgsteal += 1
        evicted.append(p)
        pages[p]!.maps = []
        uncharge(p)
    }

    // MARK: OOM and processes

    func oom(_ level: String) {
        containers[level]!.evOOM += 1
        let members = Set(subtree(level))
        var best: (pid: Int, score: Int)? = nil
        for pid in procs.keys.sorted() where members.contains(procs[pid]!) {
            let score = pages.values.filter { pg in members.contains(pg.owner) && pg.maps.contains { $0.pid == pid } }.count
            if best == nil || score > best!.score { best = (pid, score) }
        }
        guard let victim = best else { return }
        let c = procs[victim.pid]!
        containers[c]!.evKill += 1
        kills.append(OOMKill(pid: victim.pid, container: c, pages: victim.score))
        exit(victim.pid)
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
        case let .createContainer(name, parent, limit, ct, _):
            let parent = parent ?? "root"
            guard containers[parent] != nil else { return .failure(.ENOENT) }
            guard containers[name] == nil else { return .failure(.EEXIST) }
            var c = RContainer(name: name, parent: parent)
            c.limit = limit ?? Int.max
            c.mapped = ct == .mapped
            containers[name] = c
            containers[parent]!.children.append(name)
        case let .deleteContainer(name):
            guard let c = containers[name] else { return .failure(.ENOENT) }
            if procs.values.contains(name) || !c.children.isEmpty { return .failure(.EBUSY) }
            let p = c.parent!
            for pg in pages.keys where pages[pg]!.owner == name { pages[pg]!.owner = p }
            containers[p]!.active = c.active + containers[p]!.active
            containers[p]!.inactive = c.inactive + containers[p]!.inactive
            containers[p]!.unevictable = c.unevictable + containers[p]!.unevictable
            for i in slots.indices where slots[i].slot.owner == name { slots[i].slot.owner = p }
            containers[p]!.children.removeAll { $0 == name }
            containers[name] = nil
        case let .setLimit(name, limit):
            guard containers[name] != nil else { return .failure(.ENOENT) }
            let l = limit ?? Int.max
            var idle = 0
            while containers[name]!.usage > l {
                if reclaimRound(name) == 0 {
                    idle += 1
                    if idle >= 5 { return .failure(.EBUSY) }
                } else { idle = 0 }
            }
            containers[name]!.limit = l
        case let .forceEmpty(name):
            var idle = 0
            while containers[name]!.usage > 0 && idle < 5 {
                idle = reclaimRound(name) == 0 ? idle + 1 : 0
            }
        case let .resetStats(name, mu, fc):
            if mu { containers[name]!.watermark = containers[name]!.usage }
            if fc { containers[name]!.failcnt = 0 }
        case let .createProcess(pid, c):
            guard procs[pid] == nil else { return .failure(.EEXIST) }
            procs[pid] = c
        case let .fork(pid, ppid):
            guard let c = procs[ppid] else { return .failure(.ESRCH) }
            guard procs[pid] == nil else { return .failure(.EEXIST) }
            procs[pid] = c
            for p in pages.keys.sorted() where pages[p]!.maps.contains(where: { $0.pid == ppid }) { addMap(p, pid) }
        case let .moveProcess(pid, c):
            guard procs[pid] != nil else { return .failure(.ESRCH) }
            procs[pid] = c
        case let .exitProcess(pid):
            guard procs[pid] != nil else { return .failure(.ESRCH) }
            exit(pid)
        case let .events(events, _):
            for e in events {
                for i in 0..<e.pageCount {
                    results.append(event(e.op, pid: e.pid, page: e.page(at: i), old: e.oldPage(at: i), shmem: e.shmem))
                }
            }
        }
        return .success(())
    }

    var results: [(EventResult, String?)] = []

    func event(_ op: PageOp, pid: Int?, page p: Int, old: Int?, shmem: Bool) -> (EventResult, String?) {
        if let pid, procs[pid] == nil { return (.ESRCH, nil) }
        if p >= frames || (old ?? 0) >= frames { return (.EINVAL, nil) }
        switch op {
        case .anonFault, .cow, .fileFault, .swapin, .swapoff, .insertPage:
            let c = procs[pid!]!
            if op.isFault { containers[c]!.pgfault += 1 }
            if pages[p] == nil {
                if let level = charge(p, to: c, anon: op != .fileFault, shmem: false, driver: op == .insertPage) {
                    return (.ENOMEM, level)
                }
            } else if op == .insertPage && !pages[p]!.driver {
                pages[p]!.driver = true
                fixEvictability(p)
            }
            addMap(p, pid!)
            if let old {
                if op == .cow {
                    if dropMap(old, pid!) { unchargeIfUnreferenced(old) }
                } else if let i = slots.firstIndex(where: { $0.slot.page == old && $0.slot.pids.contains(pid!) }) {
                    slots[i].slot.pids.removeAll { $0 == pid! }
                    if slots[i].slot.pids.isEmpty { slots.remove(at: i) }
                }
            }
            return (.ok, nil)
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
            if isPC { pages[p]!.cache = true } else { pages[p]!.swapCache = true }
            return (.ok, nil)
        case .pagecacheRemove, .swapcacheRemove:
            let isPC = op == .pagecacheRemove
            guard let pg = pages[p], isPC ? pg.cache : pg.swapCache else { return (.noop, nil) }
            if isPC { pages[p]!.cache = false } else { pages[p]!.swapCache = false }
            unchargeIfUnreferenced(p)
            return (.ok, nil)
        case .swapFree:
            guard let i = slots.firstIndex(where: { $0.slot.page == p && $0.slot.pids.contains(pid!) }) else { return (.noop, nil) }
            slots[i].slot.pids.removeAll { $0 == pid! }
            if slots[i].slot.pids.isEmpty { slots.remove(at: i) }
            return (.ok, nil)
        case .unmap:
            guard dropMap(p, pid!) else { return (.noop, nil) }
            unchargeIfUnreferenced(p)
            return (.ok, nil)
        case .migrate:
            let old = old!
            if old == p || pages[p] != nil { return (.EBUSY, nil) }
            guard let pg = pages[old] else { return (.noop, nil) }
            let o = pg.owner
            for kp in [\RContainer.active, \RContainer.inactive, \RContainer.unevictable] as [WritableKeyPath<RContainer, [Int]>] {
                if let i = containers[o]![keyPath: kp].firstIndex(of: old) { containers[o]![keyPath: kp][i] = p }
            }
            pages[p] = pg
            pages[old] = nil
            return (.ok, nil)
        case .free:
            guard pages[p] != nil else { return (.noop, nil) }
            pages[p]!.maps = []
            uncharge(p)
            return (.ok, nil)
        case .access:
            guard let pg = pages[p] else { return (.noop, nil) }
            let o = pg.owner
            if containers[o]!.inactive.contains(p) && pg.referenced {
                containers[o]!.inactive.removeAll { $0 == p }
                containers[o]!.active.insert(p, at: 0)
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
        }
    }
}
