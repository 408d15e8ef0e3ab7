import MemcgEngine
import Synchronization

/// Service settings the routes need.
public struct AppConfig: Sendable {
    public var machine: Machine
    /// When set, requests other than GET /healthz, /metrics and /openapi.yaml
    /// need `Authorization: Bearer <token>`.
    public var authToken: String?
    /// Also expose cAdvisor's metric names.
    public var cadvisorMetrics: Bool
    public var version: String

    public init(machine: Machine, authToken: String? = nil, cadvisorMetrics: Bool = false, version: String = memcgdVersion) {
        self.machine = machine
        self.authToken = authToken
        self.cadvisorMetrics = cadvisorMetrics
        self.version = version
    }
}

public let memcgdVersion = "0.1.0"

/// The HTTP application: routes every request to the engine, which sits
/// behind one lock. Independent of libmicrohttpd, so routes can be tested
/// in-process; `HTTPServer` feeds it from real sockets.
public final class App: Sendable {
    public let config: AppConfig
    let engine: LockedEngine
    public let metrics: ServiceMetrics
    /// The spec as served: the repository's, with this machine's number of
    /// frames as the largest `count` of a range.
    let servedSpec: [UInt8]

    /// Fails when the host cannot map the machine's frame tables.
    public init(config: AppConfig, metrics: ServiceMetrics = ServiceMetrics()) throws(EngineError) {
        self.config = config
        self.engine = LockedEngine(try MemcgEngine(machine: config.machine))
        self.metrics = metrics
        self.servedSpec = Array((OpenAPIDocument.served(frames: config.machine.frames) + "\n").utf8)
    }

    /// Handles one request; returns the response and the matched route
    /// (nil for an unknown path), for metrics and logs.
    public func handle(_ req: HTTPRequest) -> (HTTPResponse, Route?) {
        guard let (route, param) = Route.match(req.path) else {
            return (HTTPError(404, "ENOENT", "no route for \(req.path.prefix(200))").response, nil)
        }
        let method = req.method == "HEAD" && route.methods.contains("GET") ? "GET" : req.method
        guard route.methods.contains(method) else {
            var e = HTTPError(405, nil, "\(req.method.prefix(20)) is not allowed on \(route.template); allowed: \(route.methods.joined(separator: ", "))")
            e.headers = [("Allow", route.methods.joined(separator: ", "))]
            return (e.response, route)
        }
        if let token = config.authToken, !isOpen(route), !authorized(req.authorization, token: token) {
            var e = HTTPError(401, "EACCES", "a valid bearer token is required")
            e.headers = [("WWW-Authenticate", "Bearer realm=\"memcgd\"")]
            return (e.response, route)
        }
        do {
            return (try dispatch(route, method, param, req), route)
        } catch {
            return (error.response, route)
        }
    }

    func isOpen(_ route: Route) -> Bool { route == .healthz || route == .metrics || route == .openapi }

    /// Constant-time comparison of the bearer token.
    func authorized(_ header: String?, token: String) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.utf8.dropFirst(7)), want = Array(token.utf8)
        var diff = given.count ^ want.count
        for i in 0..<want.count { diff |= Int(want[i] ^ (i < given.count ? given[i] : 0)) }
        return diff == 0
    }

    func dispatch(_ route: Route, _ method: String, _ param: String?, _ req: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        switch (route, method) {
        case (.healthz, _):
            var w = JSONWriter(capacity: 32)
            w.beginObject(); w.member("status", "ok"); w.endObject()
            return .json(200, w)
        case (.machine, _): return machineInfo()
        case (.containers, "GET"): return listContainers()
        case (.containers, _): return try createContainer(req.body)
        case (.container, "GET"): return try getContainer(try name(param))
        case (.container, "PATCH"): return try patchContainer(try name(param), req.body)
        case (.container, _): return try deleteContainer(try name(param))
        case (.limits, "GET"): return try getLimits(try name(param))
        case (.limits, _): return try putLimits(try name(param), req.body)
        case (.containerStats, _): return try containerStats(try name(param))
        case (.statsReset, _): return try resetStats(try name(param), req.body)
        case (.forceEmpty, _): return try forceEmpty(try name(param))
        case (.reclaim, _): return try proactiveReclaim(try name(param), req.body)
        case (.processes, "GET"): return listProcesses()
        case (.processes, _): return try createProcess(req.body)
        case (.process, "GET"): return try getProcess(try pid(param))
        case (.process, _): return try exitProcess(try pid(param))
        case (.processContainer, _): return try moveProcess(try pid(param), req.body)
        case (.events, _): return try postEvents(req.body)
        case (.stats, _): return engineStats()
        case (.metrics, _): return scrape()
        case (.openapi, _):
            return HTTPResponse(status: 200, contentType: "application/yaml", body: servedSpec)
        }
    }

    /// Runs `body` on the engine under the lock, mapping engine errors.
    @discardableResult
    func withEngine<T>(_ body: (MemcgEngine) throws(EngineError) -> T) throws(HTTPError) -> T {
        do throws(EngineError) { return try engine.withLock(body) } catch { throw HTTPError(error) }
    }

    /// Like `withEngine`, for pure reads of engine state (shared lock).
    func readEngine<T>(_ body: (EngineView) throws(EngineError) -> T) throws(HTTPError) -> T {
        do throws(EngineError) { return try engine.read(body) } catch { throw HTTPError(error) }
    }

    // MARK: parameters and bodies

    func name(_ p: String?) throws(HTTPError) -> String {
        guard let p, MemcgEngine.isValidName(p) else {
            throw .invalid("invalid container name \"\((p ?? "").prefix(80))\": use 1 to 64 of [A-Za-z0-9._-], not \"..\"")
        }
        return p
    }

    func pid(_ p: String?) throws(HTTPError) -> Int {
        guard let p, p.utf8.count <= 10, p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int(p), v >= 1, v <= Int(Int32.max) else {
            throw .invalid("invalid pid \"\((p ?? "").prefix(20))\": a decimal integer 1...\(Int32.max) is expected")
        }
        return v
    }

    /// Parses a JSON object body and refuses members not in `allowed`.
    func object(_ body: [UInt8], allowed: Set<String>) throws(HTTPError) -> [String: JSONValue] {
        let v: JSONValue
        do { v = try JSONValue.parse(body) } catch { throw HTTPError(error) }
        guard case .object(let o) = v else { throw .invalid("the body must be a JSON object, not \(v.typeName)") }
        for k in o.keys.sorted() where !allowed.contains(k) {
            throw .invalid("unknown member \"\(k.prefix(40))\"; expected \(allowed.sorted().joined(separator: ", "))")
        }
        return o
    }

    func string(_ o: [String: JSONValue], _ key: String, required: Bool) throws(HTTPError) -> String? {
        switch o[key] {
        case nil: if required { throw .invalid("missing member \"\(key)\"") }; return nil
        case .string(let s)?: return s
        case let v?: throw .invalid("\(key) must be a string, not \(v.typeName)")
        }
    }

    /// A container name given in a body: validated like a path segment.
    func nameField(_ o: [String: JSONValue], _ key: String, required: Bool) throws(HTTPError) -> String? {
        guard let v = try string(o, key, required: required) else { return nil }
        return try name(v)
    }

    func integer(_ o: [String: JSONValue], _ key: String) throws(HTTPError) -> Int {
        switch o[key] {
        case nil: throw .invalid("missing member \"\(key)\"")
        case .int(let v)?: return v
        case .number?: throw .invalid("\(key) must be an integer")
        case let v?: throw .invalid("\(key) must be an integer, not \(v.typeName)")
        }
    }
}
