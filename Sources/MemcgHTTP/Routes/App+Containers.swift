import MemcgEngine

extension App {
    /// Names that are not controls of either interface but that a user of
    /// the kernel files may try: the v1 soft limit and memsw.
    static let unmodelledLimits: [String: String] = [
        "soft": "memory.soft_limit_in_bytes", "soft_limit": "memory.soft_limit_in_bytes",
        "memsw": "memory.memsw.limit_in_bytes", "memsw_max": "memory.memsw.limit_in_bytes",
    ]

    var cgroup: CgroupVersion { config.machine.cgroup }

    /// The controls of the interface, in the order replies list them.
    var interfaceControls: [Control] {
        [Control.max, .high, .low, .min, .swapMax].filter { $0.exists(in: cgroup) }
    }

    /// Reads a `limits` object. Checked in the order of model.md section 8:
    /// controls the interface lacks (EOPNOTSUPP), unknown names (EINVAL),
    /// then values (EINVAL); the engine checks the root last.
    func parseLimits(_ v: JSONValue) throws(HTTPError) -> ControlValues {
        guard case .object(let o) = v else { throw .invalid("limits must be an object such as {\"max\": \"512M\"}") }
        let keys = o.keys.sorted()
        for k in keys {
            if let c = Control(name: k), !c.exists(in: cgroup) {
                throw HTTPError(400, "EOPNOTSUPP", "the control \(k) (\(c.kernelFile)) exists in cgroup v2; this memcgd models cgroup v1 (start it with --cgroup v2)")
            }
            if let file = Self.unmodelledLimits[k] {
                throw HTTPError(400, "EOPNOTSUPP", "\(k) (\(file)) is a cgroup v1 kernel file that memcgd does not model in either interface")
            }
        }
        var values = ControlValues()
        for k in keys where Control(name: k) == nil {
            let known = interfaceControls.map(\.name).joined(separator: ", ")
            throw .invalid("unknown control \"\(k.prefix(40))\"; cgroup \(cgroup.rawValue) has \(known)")
        }
        for k in keys {
            let c = Control(name: k)!
            values[c] = try parseMax(o[k]!, control: k) ?? Int.max
        }
        return values
    }

    /// Writes the controls of the interface as stored (bytes; unlimited is null).
    func encodeLimits(_ c: ControlSnapshot, into w: inout JSONWriter) {
        w.beginObject()
        encodeLimitMembers(c, into: &w)
        w.endObject()
    }

    func encodeLimitMembers(_ c: ControlSnapshot, into w: inout JSONWriter) {
        for control in interfaceControls { w.member(Self.wireKey(control), c[control].map { $0 * pageSize }) }
    }

    /// `Control.name` as a static key for the writer.
    static func wireKey(_ c: Control) -> StaticString {
        switch c {
        case .max: "max"
        case .high: "high"
        case .low: "low"
        case .min: "min"
        case .swapMax: "swap_max"
        }
    }

    func parseMax(_ v: JSONValue, control: String = "max") throws(HTTPError) -> Int? {
        let pageSize = config.machine.pageSize
        do throws(EngineError) {
            switch v {
            case .null: return nil
            case .int(let b): return try LimitParser.parse(bytes: b, pageSize: pageSize)
            case .string(let s): return try LimitParser.parse(s, pageSize: pageSize)
            case .number: throw EngineError(.EINVAL, "\(control) must be an integer number of bytes")
            default: throw EngineError(.EINVAL, "\(control) must be bytes, a size string such as \"512M\", \"max\", -1 or null, not \(v.typeName)")
            }
        } catch { throw HTTPError(error) }
    }

    func createContainer(_ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let o = try object(body, allowed: ["name", "parent", "limits", "charge_type", "oom_group", "labels"])
        let name = try string(o, "name", required: true)!
        let parent = try nameField(o, "parent", required: false)
        let limits = try o["limits"].map { l throws(HTTPError) in try parseLimits(l) } ?? ControlValues()
        let type = try chargeType(o) ?? .all
        let oomGroup = try oomGroupFlag(o) ?? false
        let labels = try o["labels"].map { v throws(HTTPError) in try parseLabels(v) } ?? [:]
        let snap = try withEngine { e throws(EngineError) in
            try e.apply(.createContainer(name: name, parent: parent, limits: limits, chargeType: type, oomGroup: oomGroup, labels: labels))
            return try e.view.container(named: name)
        }
        return .json(201, encodeContainer(snap), headers: [("Location", "/containers/\(name)")])
    }

    static let maxLabels = 64

    /// Labels: an object of strings. Keys are 1 to 128 of [A-Za-z0-9._/-]
    /// (Kubernetes' `io.kubernetes.pod.name`, `app.kubernetes.io/name`);
    /// values at most 256 characters, no control characters (as the spec's pattern).
    func parseLabels(_ v: JSONValue) throws(HTTPError) -> [String: String] {
        guard case .object(let o) = v else { throw .invalid("labels must be an object of strings, such as {\"pod\": \"web-0\"}") }
        guard o.count <= Self.maxLabels else { throw .invalid("at most \(Self.maxLabels) labels") }
        var out: [String: String] = [:]
        for k in o.keys.sorted() {
            let ok = !k.isEmpty && k.utf8.count <= 128 && k.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2F || b == 0x2D
            }
            guard ok else { throw .invalid("invalid label name \"\(k.prefix(40))\": use 1 to 128 of [A-Za-z0-9._/-]") }
            guard case .string(let s)? = o[k] else { throw .invalid("label \(k) must be a string") }
            guard s.unicodeScalars.count <= 256, !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw .invalid("label \(k): a value is at most 256 characters, none of them a control character (U+0000 to U+001F, U+007F)")
            }
            out[k] = s
        }
        return out
    }

    func chargeType(_ o: [String: JSONValue]) throws(HTTPError) -> ChargeType? {
        guard let t = try string(o, "charge_type", required: false) else { return nil }
        guard let ct = ChargeType(rawValue: t) else { throw .invalid("charge_type must be all or mapped") }
        return ct
    }

    /// `oom_group` (memory.oom.group): a boolean, and only on cgroup v2.
    func oomGroupFlag(_ o: [String: JSONValue]) throws(HTTPError) -> Bool? {
        switch o["oom_group"] {
        case nil: return nil
        case .bool(let b)?:
            guard cgroup == .v2 else {
                throw HTTPError(400, "EOPNOTSUPP", "oom_group (memory.oom.group) exists in cgroup v2; this memcgd models cgroup v1 (start it with --cgroup v2)")
            }
            return b
        case let v?: throw .invalid("oom_group must be true or false, not \(v.typeName)")
        }
    }

    /// PATCH /containers/{name}: `charge_type` (future charges) and
    /// `oom_group` (future OOMs); an empty object changes nothing.
    func patchContainer(_ name: String, _ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let o = try object(body, allowed: ["charge_type", "oom_group"])
        let type = try chargeType(o)
        let oomGroup = try oomGroupFlag(o)
        let snap = try withEngine { e throws(EngineError) in
            try e.apply(.updateContainer(name: name, chargeType: type, oomGroup: oomGroup))
            return try e.view.container(named: name)
        }
        return .json(200, encodeContainer(snap))
    }

    func listContainers() -> HTTPResponse {
        let all = engine.read { $0.allContainers() }
        var w = JSONWriter(capacity: 256 * all.count + 32)
        w.beginObject()
        w.key("containers")
        w.beginArray()
        for c in all { encodeContainer(c, into: &w) }
        w.endArray()
        w.endObject()
        return .json(200, w)
    }

    func getContainer(_ name: String) throws(HTTPError) -> HTTPResponse {
        .json(200, encodeContainer(try readEngine { e throws(EngineError) in try e.container(named: name) }))
    }

    func deleteContainer(_ name: String) throws(HTTPError) -> HTTPResponse {
        try withEngine { e throws(EngineError) in try e.apply(.deleteContainer(name: name)) }
        return HTTPResponse(status: 204)
    }

    func getLimits(_ name: String) throws(HTTPError) -> HTTPResponse {
        let snap = try readEngine { e throws(EngineError) in try e.container(named: name) }
        var w = JSONWriter(capacity: 96)
        encodeLimits(snap.controls, into: &w)
        return .json(200, w)
    }

    /// PUT limits: the controls as stored after the write, what it evicted
    /// and (v2 `max`) whom it killed. An empty write changes nothing.
    func putLimits(_ name: String, _ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let v: JSONValue
        do { v = try JSONValue.parse(body) } catch { throw HTTPError(error) }
        let (out, snap): (Outcome, ContainerSnapshot)
        do throws(HTTPError) {
            let values = try parseLimits(v)
            (out, snap) = try withEngine { e throws(EngineError) in
                // A write with no control changes nothing (model.md section 8).
                let out = values.isEmpty ? Outcome() : try e.apply(.setLimits(name: name, values))
                return (out, try e.view.container(named: name))
            }
        } catch {
            logger.info("limit write refused", metadata: [
                "container": .string(name), "status": .stringConvertible(error.status), "code": .string(error.code ?? ""),
                "detail": .string(error.detail), "evicted": .stringConvertible(error.evicted?.count ?? 0),
            ])
            throw error
        }
        if !out.oomKills.isEmpty { logKills(out.oomKills, cause: "limit write") }
        var w = JSONWriter(capacity: 160 + 8 * out.evicted.count + 64 * out.oomKills.count)
        w.beginObject()
        encodeLimitMembers(snap.controls, into: &w)
        encodeEvicted(out, into: &w, list: true)
        encodeOOMKills(out, into: &w)
        w.endObject()
        return .json(200, w)
    }

    /// POST /containers/{name}/reclaim (memory.reclaim, v2).
    func proactiveReclaim(_ name: String, _ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let o = try object(body, allowed: ["bytes", "list_evicted"])
        guard let b = o["bytes"] else { throw .invalid("missing member \"bytes\", e.g. {\"bytes\": \"16M\"}") }
        guard let pages = try parseMax(b, control: "bytes") else {
            throw .invalid("bytes must be an amount such as 16777216 or \"16M\", not unlimited")
        }
        var list = false
        switch o["list_evicted"] {
        case nil: break
        case .bool(let l)?: list = l
        case let v?: throw .invalid("list_evicted must be true or false, not \(v.typeName)")
        }
        let out = try withEngine { e throws(EngineError) in try e.apply(.reclaim(name: name, pages: pages)) }
        var w = JSONWriter(capacity: 128 + (list ? 8 * out.evicted.count : 0))
        w.beginObject()
        w.member("requested", out.requested * pageSize)
        w.member("reclaimed", out.evictedCount * pageSize)
        w.member("complete", out.evictedCount >= out.requested)
        encodeEvicted(out, into: &w, list: list)
        w.endObject()
        return .json(200, w)
    }

    func containerStats(_ name: String) throws(HTTPError) -> HTTPResponse {
        .json(200, encodeStats(name, try readEngine { e throws(EngineError) in try e.stats(named: name) }))
    }

    func resetStats(_ name: String, _ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        var maxUsage = true, failcnt = true
        if !body.isEmpty {
            let o = try object(body, allowed: ["fields"])
            guard case .array(let fields)? = o["fields"] else { throw .invalid("fields must be an array of \"max_usage\", \"failcnt\"") }
            maxUsage = false
            failcnt = false
            for f in fields {
                switch f {
                case .string("max_usage"): maxUsage = true
                case .string("failcnt"): failcnt = true
                default: throw .invalid("fields may hold \"max_usage\" and \"failcnt\" only")
                }
            }
        }
        let snap = try withEngine { e throws(EngineError) in
            try e.apply(.resetStats(name: name, maxUsage: maxUsage, failcnt: failcnt))
            return try e.view.stats(named: name)
        }
        return .json(200, encodeStats(name, snap))
    }

    func forceEmpty(_ name: String) throws(HTTPError) -> HTTPResponse {
        let (out, snap) = try withEngine { e throws(EngineError) in
            let out = try e.apply(.forceEmpty(name: name))
            return (out, try e.view.stats(named: name))
        }
        return .json(200, encodeStats(name, snap, evicted: out))
    }
}
