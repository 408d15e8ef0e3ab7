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
        let o = try object(body, allowed: ["container", "move_charge"])
        let container = try nameField(o, "container", required: true)!
        var mask = 0
        if o["move_charge"] != nil {
            mask = try integer(o, "move_charge")
            guard (0...3).contains(mask) else { throw .invalid("move_charge is a mask: 0, 1 (anon), 2 (file) or 3 (both)") }
        }
        let (out, snap) = try withEngine { e throws(EngineError) in
            let out = try e.apply(.moveProcess(pid: pid, container: container, moveCharge: mask))
            return (out, try e.view.process(pid: pid))
        }
        // The process fields, then what moved with it and what its charges evicted.
        var w = JSONWriter(capacity: 224 + 8 * (out.moved.count + out.evicted.count))
        w.beginObject()
        encodeProcessMembers(snap, into: &w)
        w.key("moved")
        w.beginObject()
        w.member("count", out.moved.count)
        w.key("pages"); w.beginArray(); for p in out.moved { w.int(p) }; w.endArray()
        w.endObject()
        encodeEvicted(out, into: &w, list: true)
        w.endObject()
        return .json(200, w)
    }

    func exitProcess(_ pid: Int) throws(HTTPError) -> HTTPResponse {
        try withEngine { e throws(EngineError) in try e.apply(.exitProcess(pid: pid)) }
        return HTTPResponse(status: 204)
    }
}
