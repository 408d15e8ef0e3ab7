import MemcgEngine

/// Physical records: the API's commands, one JSON object a line
/// (docs/traces.md): page events as in `POST /events` (one event, or a
/// batch `{"events": [...]}`), and the container and process commands
/// named by `op`.
extension TraceReader {
    mutating func readPhysical(_ f: inout Fields) throws(TraceError) {
        if let list = try f.optionalArray("events") {
            _ = try f.optionalBool("list_evicted")
            try f.finish()
            guard list.count <= 1_000_000 else { throw f.error("a batch holds at most 1000000 events") }
            var events: [PageEvent] = []
            events.reserveCapacity(list.count)
            for (k, item) in list.enumerated() {
                guard case .object(let m) = item else { throw f.error("events[\(k)] must be an object") }
                var ef = Fields(m, line: f.line, context: "events[\(k)]")
                events.append(try Self.pageEvent(&ef))
                try ef.finish()
            }
            physical.append((f.line, .events(events)))
            return
        }
        let op = try f.string("op")
        let item: PhysicalItem
        switch op {
        case "create_container":
            let name = try f.string("name")
            let parent = try f.optionalString("parent")
            let controls = try f.optionalObject("limits").map { (m) throws(TraceError) in try Self.controls(m, line: f.line) } ?? Controls()
            let ct = try f.optionalString("charge_type") ?? "all"
            guard ct == "all" || ct == "mapped" else { throw f.error("charge_type must be all or mapped") }
            item = .createContainer(name: name, parent: parent, controls: controls, mappedOnly: ct == "mapped")
        case "delete_container": item = .deleteContainer(name: try f.string("name"))
        case "set_limits":
            let name = try f.string("container")
            item = .setLimits(name: name, controls: try Self.controls(try f.object("limits"), line: f.line))
        case "reset_stats":
            let name = try f.string("container")
            var maxUsage = false, failcnt = false
            for v in try f.optionalArray("fields") ?? [] {
                switch v {
                case .string("max_usage"): maxUsage = true
                case .string("failcnt"): failcnt = true
                default: throw f.error("fields must list max_usage and/or failcnt")
                }
            }
            item = .resetStats(name: name, maxUsage: maxUsage, failcnt: failcnt)
        case "force_empty": item = .forceEmpty(name: try f.string("container"))
        case "create_process":
            let pid = Int(try f.pid("pid"))
            if f.has("parent_pid") {
                item = .fork(pid: pid, parent: Int(try f.pid("parent_pid")))
            } else {
                item = .createProcess(pid: pid, container: try f.string("container"))
            }
        case "move_process":
            item = .move(pid: Int(try f.pid("pid")), container: try f.string("container"))
        case "exit_process": item = .exit(pid: Int(try f.pid("pid")))
        default:
            physical.append((f.line, .events([try Self.pageEvent(&f)])))
            try f.finish()
            return
        }
        try f.finish()
        physical.append((f.line, item))
    }

    /// One page event in the API's form.
    static func pageEvent(_ f: inout Fields) throws(TraceError) -> PageEvent {
        let name = try f.string("op")
        guard let op = PageOp(name: name) else { throw f.error("unknown page event \"\(name.prefix(40))\"") }
        let pid = f.has("pid") ? Int(try f.pid("pid")) : nil
        if op.needsPid && pid == nil { throw f.error("pid is required") }
        let shmem = try f.optionalBool("shmem") ?? false
        if shmem && op != .pagecacheAdd { throw f.error("shmem goes with pagecache_add only") }
        func nonNegative(_ v: JSONLineValue, _ what: String) throws(TraceError) -> Int {
            guard case .int(let n) = v, n >= 0, n < Int(Int32.max) else { throw f.error("\(what) must be a page number from 0 to 2^31-2") }
            return n
        }
        let pages: PageEvent.Pages
        var old: PageEvent.Pages?
        if let list = try f.optionalArray("pages") {
            guard !f.has("page"), !f.has("count") else { throw f.error("give page (and count) or pages, not both") }
            var ps: [Int] = []
            for v in list { ps.append(try nonNegative(v, "pages[]")) }
            pages = .list(ps)
            if let ol = try f.optionalArray("old_pages") {
                guard ol.count == ps.count else { throw f.error("old_pages must be as long as pages") }
                var os: [Int] = []
                for v in ol { os.append(try nonNegative(v, "old_pages[]")) }
                old = .list(os)
            }
        } else {
            let first = try nonNegative(try f.required("page"), "page")
            let count = try f.optionalInt("count") ?? 1
            guard count >= 0, count <= Int(Int32.max) else { throw f.error("count must be 0 to 2^31-1") }
            pages = .range(first: first, count: count)
            if let o = f.take("old_page") { old = .range(first: try nonNegative(o, "old_page"), count: count) }
        }
        if op.needsOldPage && old == nil { throw f.error("old_page is required") }
        if old != nil && !op.allowsOldPage { throw f.error("old_page is not allowed with \(name)") }
        return PageEvent(op: op, pid: pid, pages: pages, oldPages: old, shmem: shmem)
    }
}
