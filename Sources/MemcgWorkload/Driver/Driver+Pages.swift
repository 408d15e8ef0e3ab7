import MemcgEngine

/// The page rules of workloads.md section 3: anonymous memory, the page
/// cache, shared memory, unmapping and pinning.
extension Driver {
    static let fileKeyBit: UInt64 = 1 << 63

    // MARK: anonymous memory

    func touchAnon(_ p: Int, _ first: UInt64, _ last: UInt64, write: Bool) throws(TraceError) {
        if !write && last - first >= UInt64(PageIndex.chunkSize) {
            // A big read: only pages that exist can do anything.
            let present = ptes.collect(p, from: first, through: last)
            summary.zeroPageReads += Int(last - first + 1) - present.count
            for (vpn, _) in present {
                if procs[p].killed { summary.pagesSkipped += 1; continue }
                try touchAnonPage(p, vpn, write: false)
            }
            return
        }
        var vpn = first
        while vpn <= last {
            if procs[p].killed {
                summary.pagesSkipped += Int(last - vpn + 1)
                counts[procs[p].container].pagesSkipped += Int(last - vpn + 1)
                return
            }
            try touchAnonPage(p, vpn, write: write)
            vpn += 1
        }
    }

    /// One page: zero page, first touch, swap-in, copy-on-write or access.
    func touchAnonPage(_ p: Int, _ vpn: UInt64, write: Bool) throws(TraceError) {
        for _ in 0..<2 {
            let e = ptes.get(p, vpn)
            let c = procs[p].container
            if e == 0 {
                guard write else {
                    summary.zeroPageReads += 1
                    return
                }
                let (g, retry) = try chargeNew(.anonFault, p)
                if let g {
                    mapAnon(p, vpn, g)
                    summary.firstTouches += 1
                    counts[c].firstTouches += 1
                    return
                }
                if !retry { return }
            } else if e & PTE.out != 0 {
                let old = Int(e & ~PTE.out)
                let (g, retry) = try chargeNew(.swapin, p, old: old)
                if let g {
                    mapAnon(p, vpn, g)
                    summary.refaults += 1
                    counts[c].refaults += 1
                    return
                }
                if !retry { return }
            } else {
                let f = Int(e - 1)
                guard write && frames.mapcount[f] > 1 else { return access(p, vpn, f) }
                let (g, retry) = try chargeNew(.cow, p, old: f)
                if let g {
                    if ptes.get(p, vpn) == PTE.resident(f) {
                        frames.mapcount[f] -= 1
                        if frames.mapcount[f] == 0 { frames.release(f) }
                    } else {
                        // The old page was evicted while the copy was charged:
                        // this process's claim on its swap slot is stale.
                        queue(.swapFree, pid: procs[p].pid, page: f)
                    }
                    mapAnon(p, vpn, g)
                    summary.cows += 1
                    return
                }
                if !retry { return }
            }
        }
    }

    func mapAnon(_ p: Int, _ vpn: UInt64, _ g: Int) {
        ptes.set(p, vpn, PTE.resident(g))
        frames.rmap[g] = Rmap.make(Rmap.anon, p, vpn)
        frames.mapcount[g] = 1
        procs[p].lastKey = vpn
        procs[p].run = 1
    }

    /// mark_page_accessed, with repeated accesses to one page collapsed to
    /// two (the first sets `referenced`, the second activates).
    @inline(__always) func access(_ p: Int, _ key: UInt64, _ f: Int, hit: Bool = true) {
        if p >= 0 {
            if procs[p].lastKey == key {
                if procs[p].run >= 2 {
                    summary.collapsed += 1
                    return
                }
                procs[p].run += 1
            } else {
                procs[p].lastKey = key
                procs[p].run = 1
            }
        }
        if hit { summary.hits += 1 }
        queue(.access, pid: nil, page: f)
    }

    func unmapAnon(_ p: Int, _ first: UInt64, _ last: UInt64) {
        let pid = procs[p].pid
        for (vpn, e) in ptes.collect(p, from: first, through: last) {
            if e & PTE.out != 0 {
                queue(.swapFree, pid: pid, page: Int(e & ~PTE.out))
            } else {
                let f = Int(e - 1)
                queue(.unmap, pid: pid, page: f)
                frames.mapcount[f] -= 1
                if frames.mapcount[f] == 0 { frames.release(f) }
            }
            ptes.set(p, vpn, 0)
            summary.unmappedPages += 1
        }
        procs[p].lastKey = .max
    }

    /// mlock populates the range (a write fault on each page, as
    /// __mm_populate does for a writable private mapping), then pins it.
    func mlock(_ p: Int, _ first: UInt64, _ last: UInt64) throws(TraceError) {
        var vpn = first
        while vpn <= last, !procs[p].killed {
            try touchAnonPage(p, vpn, write: true)
            let e = ptes.get(p, vpn)
            if e != 0, e & PTE.out == 0 { queue(.mlock, pid: procs[p].pid, page: Int(e - 1)) }
            vpn += 1
        }
    }

    func munlock(_ p: Int, _ first: UInt64, _ last: UInt64) {
        for (_, e) in ptes.collect(p, from: first, through: last) where e & PTE.out == 0 {
            queue(.munlock, pid: procs[p].pid, page: Int(e - 1))
        }
    }

    // MARK: page cache and shared memory

    func touchFile(_ p: Int, object o: Int, _ first: UInt64, _ last: UInt64, mapped: Bool) throws(TraceError) {
        var idx = first
        while idx <= last {
            if p >= 0 && procs[p].killed {
                summary.pagesSkipped += Int(last - idx + 1)
                counts[procs[p].container].pagesSkipped += Int(last - idx + 1)
                return
            }
            try touchFilePage(p, o, idx, mapped: mapped)
            idx += 1
        }
    }

    func touchFilePage(_ p: Int, _ o: Int, _ idx: UInt64, mapped: Bool) throws(TraceError) {
        let shm = objectIsShm[o]
        let mkey = UInt64(o) << 40 | idx
        let key = Self.fileKeyBit | mkey
        for _ in 0..<2 {
            let e = cache.get(o, idx)
            if e != 0 && e & PTE.out == 0 {
                let f = Int(e - 1)
                if mapped && procs[p].fileMaps[mkey] != PTE.resident(f) { mapFile(p, o, mkey, key, f) } else { access(p, key, f) }
                return
            }
            let refault = e != 0
            if shm && refault { releaseHolders(o, mkey, old: Int(e & ~PTE.out)) }
            var (g, retry) = try chargeNew(.pagecacheAdd, p, shmem: shm)
            if let f = g, p >= 0, mappedOnly[procs[p].container], engine.view.owner(ofPage: f) == nil {
                // charge_type mapped: the container is not charged for the
                // cache; the page is charged to the root instead (see docs).
                frames.release(f)
                (g, retry) = try chargeNew(.pagecacheAdd, -1, shmem: shm)
            }
            if let g {
                cache.set(o, idx, PTE.resident(g))
                frames.rmap[g] = Rmap.make(shm ? Rmap.shm : Rmap.file, o, idx)
                frames.mapcount[g] = 0
                let c = p >= 0 ? procs[p].container : 0
                if refault {
                    summary.refaults += 1
                    counts[c].refaults += 1
                } else {
                    summary.firstTouches += 1
                    counts[c].firstTouches += 1
                }
                if mapped { mapFile(p, o, mkey, key, g) } else { access(p, key, g, hit: false) }
                return
            }
            if !retry { return }
        }
    }

    /// The process maps a cached page (file_fault of a charged page: a reference, no charge).
    func mapFile(_ p: Int, _ o: Int, _ mkey: UInt64, _ key: UInt64, _ f: Int) {
        queue(.fileFault, pid: procs[p].pid, page: f)
        procs[p].fileMaps[mkey] = PTE.resident(f)
        frames.mapcount[f] += 1
        if !procs[p].attached.contains(o) {
            procs[p].attached.append(o)
            attach[o].append(p)
        }
        procs[p].lastKey = key
        procs[p].run = 1
    }

    /// A shm page comes back from swap: every process that held it gives
    /// up its claim on the old slot first.
    func releaseHolders(_ o: Int, _ mkey: UInt64, old: Int) {
        for q in attach[o] where procs[q].fileMaps[mkey] == PTE.holder {
            queue(.swapFree, pid: procs[q].pid, page: old)
            procs[q].fileMaps[mkey] = nil
        }
    }

    func unmapFile(_ p: Int, object o: Int, _ range: (UInt64, UInt64)?) {
        guard let (first, last) = range else { return }
        let pid = procs[p].pid
        let keys = procs[p].fileMaps.keys.filter { Int($0 >> 40) == o && ($0 & 0xFF_FFFF_FFFF) >= first && ($0 & 0xFF_FFFF_FFFF) <= last }.sorted()
        for k in keys {
            let v = procs[p].fileMaps[k]!
            if v == PTE.holder {
                let e = cache.get(o, k & 0xFF_FFFF_FFFF)
                queue(.swapFree, pid: pid, page: Int(e & ~PTE.out))
            } else {
                queue(.unmap, pid: pid, page: Int(v - 1))
                frames.mapcount[Int(v - 1)] -= 1
            }
            procs[p].fileMaps[k] = nil
            summary.unmappedPages += 1
        }
        procs[p].lastKey = .max
    }

    /// The pages leave the page cache. Mapped pages are unmapped from every
    /// process first, as truncate does (unmap_mapping_range); the shadow of
    /// an evicted page goes too, so a later read is a first touch.
    func drop(object o: Int, _ range: (UInt64, UInt64)?) {
        guard let (first, last) = range else { return }
        for (idx, e) in cache.collect(o, from: first, through: last) {
            let mkey = UInt64(o) << 40 | idx
            if e & PTE.out == 0 {
                let f = Int(e - 1)
                for q in attach[o] where procs[q].fileMaps[mkey] == PTE.resident(f) {
                    queue(.unmap, pid: procs[q].pid, page: f)
                    procs[q].fileMaps[mkey] = nil
                }
                queue(.pagecacheRemove, pid: nil, page: f)
                frames.release(f)
                summary.droppedPages += 1
            } else if objectIsShm[o] {
                releaseHolders(o, mkey, old: Int(e & ~PTE.out))
            }
            cache.set(o, idx, 0)
        }
    }
}
