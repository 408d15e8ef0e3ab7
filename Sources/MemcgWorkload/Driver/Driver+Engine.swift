import MemcgEngine

/// Talking to the engine: every event goes through `apply`; evictions and
/// kills in its results are folded back into the driver's tables.
extension Driver {
    /// Queues an event that never charges (access, unmap, swap_free,
    /// pagecache_remove, mlock, munlock, file_fault of a charged page): it
    /// cannot evict or kill, so it may wait for the next charging event.
    @inline(__always) func queue(_ op: PageOp, pid: UInt32?, page: Int) {
        pendingAccess.append(PageEvent(op, pid: pid.map(Int.init), page: page))
        if pendingAccess.count >= 4096 { flushAccesses() }
    }

    func flushAccesses() {
        guard !pendingAccess.isEmpty else { return }
        do {
            let out = try applyToEngine(.events(pendingAccess, listEvicted: false))
            precondition(out.evictedCount == 0 && out.oomKills.isEmpty, "a non-charging event evicted or killed")
        } catch {
            guard shared else { preconditionFailure("the driver built an invalid batch: \(error)") }
            if fault == nil { fault = refused(error) }
        }
        pendingAccess.removeAll(keepingCapacity: true)
    }

    /// Takes a frame and charges it with one event. Returns the frame, or
    /// nil and whether the kernel would retry (an OOM kill spared the
    /// faulting process). Throws when the machine has no free frame.
    func chargeNew(_ op: PageOp, _ p: Int, old: Int? = nil, shmem: Bool = false) throws(TraceError) -> (Int?, retry: Bool) {
        absorbEvictedAtOnce()
        flushAccesses()
        guard var f = frames.take(limit: config.machine.frames) else {
            throw error("the machine is full (\(config.machine.frames) frames of \(config.machine.pageSize) bytes, record \(recordIndex + 1)): give it more memory (--memory)")
        }
        if shared {
            // Frames charged through the API belong to someone else.
            while engine.view.owner(ofPage: f) != nil {
                frames.passOver(f)
                guard let g = frames.take(limit: config.machine.frames) else {
                    throw error("the machine is full (\(config.machine.frames) frames of \(config.machine.pageSize) bytes): the workload needs a frame and none is free")
                }
                f = g
            }
        }
        let pid = p >= 0 ? Int(procs[p].pid) : nil
        single.removeAll(keepingCapacity: true)
        single.append(PageEvent(op, pid: pid, page: f, oldPage: old, shmem: shmem))
        let out: Outcome
        do { out = try applyToEngine(.events(single, listEvicted: true)) } catch {
            guard shared else { preconditionFailure("the driver built an invalid event: \(error)") }
            frames.release(f)
            throw refused(error)
        }
        if out.failed == 0, out.evicted.contains(f) {
            // The high check after this charge evicted the page itself (model.md
            // section 8): the event is still ok; the eviction waits until the
            // caller has recorded the page.
            var rest = out
            rest.evicted.removeAll { $0 == f }
            absorb(rest)
            evictedAtOnce.append(f)
            return (f, false)
        }
        absorb(out)
        if out.failed == 0 { return (f, false) }
        frames.release(f)
        let c = p >= 0 ? procs[p].container : 0
        let spared = !out.oomKills.isEmpty && (p < 0 || !procs[p].killed)
        if !spared {
            summary.failedCharges += 1
            counts[c].failedCharges += 1
        }
        return (nil, spared)
    }

    func absorbEvictedAtOnce() {
        guard !evictedAtOnce.isEmpty else { return }
        let frames = evictedAtOnce
        evictedAtOnce.removeAll()
        for f in frames { evicted(f) }
        notePeakSwap()
    }

    /// Folds an engine result into the driver: evicted frames and OOM kills.
    func absorb(_ out: Outcome) {
        for f in out.evicted { evicted(f) }
        for k in out.oomKills { killed(k) }
        if !out.evicted.isEmpty { notePeakSwap() }
    }

    /// Swap only grows by eviction, so sampling after each eviction finds the peak.
    func notePeakSwap() {
        for (c, name) in containerNames.enumerated() {
            guard let s = try? engine.view.stats(named: name) else { continue }
            if s.total.swap > counts[c].peakSwap { counts[c].peakSwap = s.total.swap }
        }
    }

    /// Reclaim evicted frame `f`: every page table or cache entry that held
    /// it now says where the content went.
    func evicted(_ f: Int) {
        let r = frames.rmap[f]
        let id = Rmap.id(r), page = Rmap.page(r)
        switch Rmap.kind(r) {
        case Rmap.anon:
            let want = Int(frames.mapcount[f])
            var found = 0
            if procs[id].alive, ptes.get(id, page) == PTE.resident(f) {
                ptes.set(id, page, PTE.swapped(f))
                found += 1
            }
            if found < want {
                for q in families[procs[id].family] where q != id && ptes.get(q, page) == PTE.resident(f) {
                    ptes.set(q, page, PTE.swapped(f))
                }
            }
        case Rmap.file, Rmap.shm:
            let shm = Rmap.kind(r) == Rmap.shm
            cache.set(id, page, shm ? PTE.swapped(f) : PTE.out)
            if frames.mapcount[f] > 0 {
                let key = UInt64(id) << 40 | page
                for q in attach[id] where procs[q].fileMaps[key] == PTE.resident(f) {
                    if shm { procs[q].fileMaps[key] = PTE.holder } else { procs[q].fileMaps[key] = nil }
                }
            }
        default:
            // Shared: a frame charged through the API, not the workload's.
            guard shared else { preconditionFailure("the engine evicted frame \(f), which the driver thinks is free") }
            return
        }
        summary.evictions += 1
        frames.release(f)
    }

    /// The OOM killer took a process: its mappings are gone in the engine;
    /// drop them here, and skip its later records.
    func killed(_ k: OOMKill) {
        guard let p = pidMap[UInt32(k.pid)] else { return }
        cleanup(p)
        procs[p].killed = true
        let c = containerIndex[k.container] ?? procs[p].container
        counts[c].oomKills += 1
        summary.kills.append(KillEvent(time: time, record: recordIndex + 1, line: currentLine, pid: k.pid,
                                       container: k.container, pages: k.pages))
    }

    /// A process's pages go (exit or kill): frames whose last mapping goes
    /// are free again; file and shm pages stay in the cache.
    func cleanup(_ p: Int) {
        for (_, e) in ptes.entries(p) where e & PTE.out == 0 {
            let f = Int(e - 1)
            frames.mapcount[f] -= 1
            if frames.mapcount[f] == 0 { frames.release(f) }
        }
        ptes.removeSpace(p)
        for (_, v) in procs[p].fileMaps where v & PTE.holder == 0 { frames.mapcount[Int(v - 1)] -= 1 }
        procs[p].fileMaps = [:]
        for o in procs[p].attached { attach[o].removeAll { $0 == p } }
        procs[p].attached = []
        families[procs[p].family].removeAll { $0 == p }
        procs[p].alive = false
    }

    /// The error for an event the shared engine refused.
    func refused(_ e: EngineError) -> TraceError {
        error("the engine refused the workload's event (\(e.code.rawValue): \(e.detail)); were its containers or processes changed through the API?")
    }

    /// Runs an engine command that is not a page event.
    func command(_ c: Command) throws(TraceError) {
        flushAccesses()
        do { absorb(try applyToEngine(c)) } catch {
            for f in error.evicted { evicted(f) }
            throw self.error("\(error.code.rawValue): \(error.detail)")
        }
    }
}
