import MemcgEngine

/// JSON shapes of the replies. Amounts in bytes, counters as counts.
extension App {
    var pageSize: Int { config.machine.pageSize }

    func encodeContainer(_ c: ContainerSnapshot) -> JSONWriter {
        var w = JSONWriter(capacity: 256)
        encodeContainer(c, into: &w)
        return w
    }

    func encodeContainer(_ c: ContainerSnapshot, into w: inout JSONWriter) {
        w.beginObject()
        w.member("name", c.name)
        w.member("parent", c.parent)
        w.member("path", c.path)
        w.key("children"); w.beginArray(); for ch in c.children { w.string(ch) }; w.endArray()
        w.member("charge_type", c.chargeType.rawValue)
        w.key("labels"); w.beginObject()
        for k in c.labels.keys.sorted() { w.key(dynamic: k); w.string(c.labels[k]!) }
        w.endObject()
        w.member("oom_group", c.oomGroup)
        w.key("limits"); encodeLimits(c.controls, into: &w)
        w.member("usage", c.usage * pageSize)
        w.member("max_usage", c.maxUsage * pageSize)
        w.member("failcnt", c.failcnt)
        w.member("processes", c.processes)
        w.endObject()
    }

    func encodeStatValues(_ v: StatValues, swapPeak: Int, into w: inout JSONWriter) {
        let ps = pageSize
        w.beginObject()
        w.member("cache", v.cache * ps)
        w.member("rss", v.rss * ps)
        w.member("shmem", v.shmem * ps)
        w.member("mapped_file", v.mappedFile * ps)
        w.member("swap", v.swap * ps)
        w.member("active_anon", v.activeAnon * ps)
        w.member("inactive_anon", v.inactiveAnon * ps)
        w.member("active_file", v.activeFile * ps)
        w.member("inactive_file", v.inactiveFile * ps)
        w.member("unevictable", v.unevictable * ps)
        w.member("pgpgin", v.pgpgin)
        w.member("pgpgout", v.pgpgout)
        w.member("pgfault", v.pgfault)
        w.member("pgsteal", v.pgsteal)
        w.member("pgscan", v.pgscan)
        w.member("swap_peak", swapPeak * ps)
        w.endObject()
    }

    func encodeEvents(_ v: StatValues, into w: inout JSONWriter) {
        w.beginObject()
        w.member("max", v.eventsMax)
        w.member("oom", v.eventsOOM)
        w.member("oom_kill", v.eventsOOMKill)
        w.member("low", v.eventsLow)
        w.member("high", v.eventsHigh)
        w.member("oom_group_kill", v.eventsOOMGroupKill)
        w.endObject()
    }

    func encodeStats(_ name: String, _ c: StatsSnapshot, evicted: Outcome? = nil) -> JSONWriter {
        let ps = pageSize
        var w = JSONWriter(capacity: 1024)
        w.beginObject()
        w.member("name", name)
        w.member("usage", c.usage * ps)
        w.member("limit", c.limit.map { $0 * ps })
        w.member("max_usage", c.maxUsage * ps)
        w.member("failcnt", c.failcnt)
        w.member("working_set", c.workingSet * ps)
        w.member("hierarchical_memory_limit", c.hierarchicalLimit.map { $0 * ps })
        w.member("swap_peak", c.controls.swapPeak * ps)
        w.key("stat"); encodeStatValues(c.local, swapPeak: c.controls.swapPeak, into: &w)
        w.key("total_stat"); encodeStatValues(c.total, swapPeak: c.controls.swapPeak, into: &w)
        w.key("events"); encodeEvents(c.local, into: &w)
        w.key("total_events"); encodeEvents(c.total, into: &w)
        if let evicted { encodeEvicted(evicted, into: &w, list: true) }
        w.endObject()
        return w
    }

    func encodeEvicted(_ out: Outcome, into w: inout JSONWriter, list: Bool) {
        w.key("evicted")
        w.beginObject()
        w.member("count", out.evictedCount)
        if list {
            w.key("pages"); w.beginArray(); for p in out.evicted { w.int(p) }; w.endArray()
        }
        w.endObject()
    }

    func encodeOOMKills(_ out: Outcome, into w: inout JSONWriter) {
        w.key("oom_kills")
        w.beginArray()
        for k in out.oomKills {
            w.beginObject()
            w.member("pid", k.pid)
            w.member("container", k.container)
            w.member("pages", k.pages)
            w.endObject()
        }
        w.endArray()
    }

    func encodeProcess(_ p: ProcessSnapshot, into w: inout JSONWriter) {
        w.beginObject()
        encodeProcessMembers(p, into: &w)
        w.endObject()
    }

    func encodeProcessMembers(_ p: ProcessSnapshot, into w: inout JSONWriter) {
        w.member("pid", p.pid)
        w.member("container", p.container)
        w.member("mapped_pages", p.mappedPages)
        w.member("mapped_bytes", p.mappedPages * pageSize)
        w.member("mappings", p.mappings)
        w.member("pinned_pages", p.pinnedPages)
        w.member("swap_slots", p.swapSlots)
    }
}
