import MemcgEngine
import MemcgStore

/// A journal record as one JSON line for GET /journal: `seq`, `command`
/// (the engine command's name, or `reset`), then the command's fields in
/// the API's words; page events as POST /events takes them, in pages.
enum JournalJSON {
    static func write(seq: UInt64, _ entry: JournalEntry, into w: inout JSONWriter) {
        w.beginObject()
        w.member("seq", Int(seq))
        guard case .command(let c) = entry else {
            w.member("command", "reset")
            w.endObject()
            return
        }
        w.key("command")
        w.string(c.name)
        switch c {
        case let .createContainer(name, parent, limits, chargeType, oomGroup, labels):
            w.member("name", name)
            w.member("parent", parent)
            controls(limits, &w)
            w.member("charge_type", chargeType.rawValue)
            w.member("oom_group", oomGroup)
            w.key("labels")
            w.beginObject()
            for k in labels.keys.sorted() { w.key(dynamic: k); w.string(labels[k]!) }
            w.endObject()
        case let .deleteContainer(name), let .forceEmpty(name):
            w.member("name", name)
        case let .setLimits(name, values):
            w.member("name", name)
            controls(values, &w)
        case let .updateContainer(name, chargeType, oomGroup):
            w.member("name", name)
            if let chargeType { w.member("charge_type", chargeType.rawValue) }
            if let oomGroup { w.member("oom_group", oomGroup) }
        case let .resetStats(name, maxUsage, failcnt):
            w.member("name", name)
            w.member("max_usage", maxUsage)
            w.member("failcnt", failcnt)
        case let .reclaim(name, pages):
            w.member("name", name)
            w.member("pages", pages)
        case let .createProcess(pid, container):
            w.member("pid", pid)
            w.member("container", container)
        case let .fork(pid, parentPid):
            w.member("pid", pid)
            w.member("parent_pid", parentPid)
        case let .moveProcess(pid, container, moveCharge):
            w.member("pid", pid)
            w.member("container", container)
            w.member("move_charge", moveCharge)
        case let .exitProcess(pid):
            w.member("pid", pid)
        case let .events(events, listEvicted):
            w.member("list_evicted", listEvicted)
            w.key("events")
            w.beginArray()
            for e in events {
                w.beginObject()
                w.member("op", e.op.name)
                if let pid = e.pid { w.member("pid", pid) }
                pages(e.pages, "page", "pages", &w)
                if let old = e.oldPages { pages(old, "old_page", "old_pages", &w) }
                if e.shmem { w.member("shmem", true) }
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
    }

    /// Controls in pages; null is unlimited.
    private static func controls(_ v: ControlValues, _ w: inout JSONWriter) {
        w.key("limits_pages")
        w.beginObject()
        for (c, pages) in v.given {
            w.key(dynamic: c.name)
            w.int(pages == Int.max ? nil : pages)
        }
        w.endObject()
    }

    private static func pages(_ p: PageEvent.Pages, _ one: StaticString, _ list: StaticString, _ w: inout JSONWriter) {
        switch p {
        case let .range(first, count):
            w.member(one, first)
            if count != 1 { w.member("count", count) }
        case let .list(pages):
            w.key(list)
            w.beginArray()
            for v in pages { w.int(v) }
            w.endArray()
        }
    }
}
