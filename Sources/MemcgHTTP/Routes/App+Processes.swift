import MemcgEngine

extension App {
    func createProcess(_ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let o = try object(body, allowed: ["pid", "container", "parent_pid"])
        let pid = try integer(o, "pid")
        guard pid >= 1, pid <= Int(Int32.max) else { throw .invalid("pid must be 1...\(Int32.max)") }
        let container = try nameField(o, "container", required: false)
        let parent: Int? = o["parent_pid"] == nil ? nil : try integer(o, "parent_pid")
        if let parent, parent < 1 || parent > Int(Int32.max) { throw .invalid("parent_pid must be 1...\(Int32.max)") }
        let command: Command
        switch (container, parent) {
        case (let c?, nil): command = .createProcess(pid: pid, container: c)
        case (nil, let p?): command = .fork(pid: pid, parentPid: p)
        case (nil, nil): throw .invalid("give container (a new process) or parent_pid (a fork)")
        default: throw .invalid("give container or parent_pid, not both")
        }
        let snap = try withEngine { e throws(EngineError) in
            try e.apply(command)
            return try e.view.process(pid: pid)
        }
        var w = JSONWriter(capacity: 160)
        encodeProcess(snap, into: &w)
        return .json(201, w, headers: [("Location", "/processes/\(pid)")])
    }

    func listProcesses() -> HTTPResponse {
        let all = engine.read { $0.allProcesses() }
        var w = JSONWriter(capacity: 160 * all.count + 32)
        w.beginObject()
        w.key("processes")
        w.beginArray()
        for p in all { encodeProcess(p, into: &w) }
        w.endArray()
        w.endObject()
        return .json(200, w)
    }

    func getProcess(_ pid: Int) throws(HTTPError) -> HTTPResponse {
        let snap = try readEngine { e throws(EngineError) in try e.process(pid: pid) }
        var w = JSONWriter(capacity: 160)
        encodeProcess(snap, into: &w)
        return .json(200, w)
    }

    func moveProcess(_ pid: Int, _ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let o = try object(body, allowed: ["container"])
        let container = try nameField(o, "container", required: true)!
        let snap = try withEngine { e throws(EngineError) in
            try e.apply(.moveProcess(pid: pid, container: container))
            return try e.view.process(pid: pid)
        }
        var w = JSONWriter(capacity: 160)
        encodeProcess(snap, into: &w)
        return .json(200, w)
    }

    func exitProcess(_ pid: Int) throws(HTTPError) -> HTTPResponse {
        try withEngine { e throws(EngineError) in try e.apply(.exitProcess(pid: pid)) }
        return HTTPResponse(status: 204)
    }
}
