/// Checks of a batch of page events as a whole, before any of it is applied.
extension MemcgEngine {
    /// A structural fault anywhere rejects the batch (EINVAL) and changes
    /// nothing: a missing or disallowed field, a negative number, a count
    /// above the machine's frames, or a range whose end (`page + count`,
    /// `old_page + count`) does not fit in 64 bits. Pages at or beyond the
    /// machine's frames are not structural: each is EINVAL on its own.
    func validate(_ events: [PageEvent]) throws(EngineError) {
        for index in events.indices {
            if case .range(let first, let count) = events[index].pages, events[index].oldPages == nil, !events[index].shmem,
               first >= 0, count >= 0, count <= machine.frames, first <= Int.max - count, (events[index].pid ?? 0) >= 0,
               !events[index].op.needsPid || events[index].pid != nil, !events[index].op.needsOldPage {
                continue  // the common case, checked without copying the event
            }
            try validate(events[index], index: index)
        }
    }

    private func validate(_ e: PageEvent, index: Int) throws(EngineError) {
        func bad(_ why: String) -> EngineError { EngineError(.EINVAL, "event \(index) (\(e.op.name)): \(why)") }
        if e.op.needsPid && e.pid == nil { throw bad("pid is required") }
        if let pid = e.pid, pid < 0 { throw bad("pid must not be negative") }
        if e.op.needsOldPage && e.oldPages == nil { throw bad("old_page is required") }
        if e.oldPages != nil && !e.op.allowsOldPage { throw bad("old_page is not allowed") }
        if e.shmem && e.op != .pagecacheAdd { throw bad("shmem goes with pagecache_add only") }
        switch e.pages {
        case .range(let first, let count):
            if first < 0 { throw bad("page must not be negative") }
            if count < 0 || count > machine.frames { throw bad("count must be 0...\(machine.frames)") }
            if first > Int.max - count { throw bad("page + count does not fit in a signed 64-bit integer") }
            switch e.oldPages {
            case nil: break
            case .range(let old, _)?:
                if old < 0 { throw bad("old_page must not be negative") }
                if old > Int.max - count { throw bad("old_page + count does not fit in a signed 64-bit integer") }
            case .list?: throw bad("old_pages goes with pages")
            }
        case .list(let list):
            if list.contains(where: { $0 < 0 }) { throw bad("pages must not be negative") }
            switch e.oldPages {
            case nil: break
            case .range?: throw bad("old_page goes with page")
            case .list(let old)?:
                if old.count != list.count { throw bad("old_pages must be as long as pages") }
                if old.contains(where: { $0 < 0 }) { throw bad("old_pages must not be negative") }
            }
        }
    }
}
