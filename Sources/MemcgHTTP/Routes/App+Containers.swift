import MemcgEngine

extension App {
    /// Limits of later kernels that the model does not have yet.
    static let unsupportedLimits: Set<String> = ["high", "low", "min", "swap_max", "soft", "soft_limit", "memsw"]

    /// Reads a `limits` object: `max` as bytes, a size string, `max`, -1 or null.
    /// Returns nil when `max` is absent; `.some(nil)` for unlimited.
    func parseLimits(_ v: JSONValue) throws(HTTPError) -> Int?? {
        guard case .object(let o) = v else { throw .invalid("limits must be an object such as {\"max\": \"512M\"}") }
        for k in o.keys.sorted() where k != "max" {
            if Self.unsupportedLimits.contains(k) {
                throw HTTPError(400, "EOPNOTSUPP", "the limit \"\(k)\" is not modelled yet; only max is enforced")
            }
            throw .invalid("unknown limit \"\(k.prefix(40))\"; only max is supported")
        }
        guard let m = o["max"] else { return nil }
        return .some(try parseMax(m))
    }

    func parseMax(_ v: JSONValue) throws(HTTPError) -> Int? {
        let pageSize = config.machine.pageSize
        do throws(EngineError) {
            switch v {
            case .null: return nil
            case .int(let b): return try LimitParser.parse(bytes: b, pageSize: pageSize)
            case .string(let s): return try LimitParser.parse(s, pageSize: pageSize)
            case .number: throw EngineError(.EINVAL, "limit must be an integer number of bytes")
            default: throw EngineError(.EINVAL, "limit must be bytes, a size string such as \"512M\", \"max\", -1 or null, not \(v.typeName)")
            }
        } catch { throw HTTPError(error) }
    }

    func createContainer(_ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let o = try object(body, allowed: ["name", "parent", "limits", "charge_type", "labels"])
        let name = try string(o, "name", required: true)!
        let parent = try nameField(o, "parent", required: false)
        var limit: Int? = nil
        if let l = o["limits"] { limit = try parseLimits(l) ?? nil }
        var type = ChargeType.all
        if let t = try string(o, "charge_type", required: false) {
            guard let ct = ChargeType(rawValue: t) else { throw .invalid("charge_type must be all or mapped") }
            type = ct
        }
        let labels = try o["labels"].map { v throws(HTTPError) in try parseLabels(v) } ?? [:]
        let snap = try withEngine { e throws(EngineError) in
            try e.apply(.createContainer(name: name, parent: parent, limits: limit.map { .max($0) } ?? ControlValues(),
                                         chargeType: type, labels: labels))
            return try e.view.container(named: name)
        }
        return .json(201, encodeContainer(snap), headers: [("Location", "/containers/\(name)")])
    }

    static let maxLabels = 64

    /// Labels: an object of strings. Keys are 1 to 128 of [A-Za-z0-9._/-]
    /// (Kubernetes' `io.kubernetes.pod.name`, `app.kubernetes.io/name`);
    /// values at most 256 bytes, no control characters.
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
            guard s.utf8.count <= 256, !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw .invalid("label \(k): a value is at most 256 bytes with no control characters")
            }
            out[k] = s
        }
        return out
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
        var w = JSONWriter(capacity: 32)
        w.beginObject()
        w.member("max", snap.limit.map { $0 * config.machine.pageSize })
        w.endObject()
        return .json(200, w)
    }

    func putLimits(_ name: String, _ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let v: JSONValue
        do { v = try JSONValue.parse(body) } catch { throw HTTPError(error) }
        let (out, snap): (Outcome, ContainerSnapshot)
        do throws(HTTPError) {
            let limit = try parseLimits(v)
            (out, snap) = try withEngine { e throws(EngineError) in
                // A write with no control changes nothing (model.md section 8).
                let out = try limit.map { l throws(EngineError) in try e.apply(.setLimit(name: name, limitPages: l)) } ?? Outcome()
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
        var w = JSONWriter(capacity: 64 + 8 * out.evicted.count)
        w.beginObject()
        w.member("max", snap.limit.map { $0 * config.machine.pageSize })
        encodeEvicted(out, into: &w, list: true)
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
