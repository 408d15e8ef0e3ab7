import Logging
import MemcgEngine
import MemcgStore
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
    /// Most single-page events in one `POST /events` batch (a range of
    /// `count` pages is `count` of them); a larger batch is 400 before
    /// anything is applied, so one request cannot hold the engine for long.
    public var maxBatchPages: Int
    /// `GET /healthz` answers 503 while one request has held the engine
    /// lock for longer than this many seconds.
    public var stallSeconds: Double

    public static let defaultMaxBatchPages = 1 << 20

    public init(machine: Machine, authToken: String? = nil, cadvisorMetrics: Bool = false, version: String = memcgdVersion,
                maxBatchPages: Int = AppConfig.defaultMaxBatchPages, stallSeconds: Double = 2) {
        self.machine = machine
        self.authToken = authToken
        self.cadvisorMetrics = cadvisorMetrics
        self.version = version
        self.maxBatchPages = maxBatchPages
        self.stallSeconds = stallSeconds
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
    /// Samples for the web view's chart (`GET /containers/{name}/history`).
    public let history = HistoryRecorder()
    /// Live workloads playing into the engine.
    let workloads = WorkloadRegistry()
    /// OOM kills, refused limit writes and resets are logged at info.
    let logger: Logger
    private let sampler = PosixLock()
    /// Guarded by `sampler` (hence `nonisolated(unsafe)`).
    nonisolated(unsafe) private var ticker: Ticker?
    /// The spec as served: the repository's, with this machine's number of
    /// frames as the largest `count` of a range.
    let servedSpec: [UInt8]

    /// Fails when the host cannot map the machine's frame tables.
    /// The data directory's journal and snapshots; nil when state lives in memory only.
    public let store: Store?

    /// Fails when the host cannot map the machine's frame tables. With a
    /// `store`, `recovered` is the engine its recovery gave.
    public init(config: AppConfig, metrics: ServiceMetrics = ServiceMetrics(), logger: Logger = Logger(label: "memcgd"),
                store: Store? = nil, recovered: MemcgEngine? = nil) throws(EngineError) {
        self.config = config
        self.store = store
        if let recovered {
            self.engine = LockedEngine(recovered)
        } else {
            self.engine = LockedEngine(try MemcgEngine(machine: config.machine))
        }
        self.metrics = metrics
        self.servedSpec = Array((OpenAPIDocument.served(frames: config.machine.frames) + "\n").utf8)
        self.logger = logger
    }

    /// Takes one history sample now.
    public func sampleHistory() {
        let all = engine.read { $0.allContainers() }
        history.record(all, timeMs: HistoryRecorder.now())
    }

    /// Starts sampling the history every `interval` (the service does; tests
    /// call `sampleHistory` or `history.record` themselves).
    public func startSampling(interval: Duration = .seconds(1)) {
        sampler.withLock {
            guard ticker == nil else { return }
            let t = Ticker(interval: interval) { [weak self] in self?.sampleHistory() }
            t.start()
            ticker = t
        }
    }

    /// Stops every live workload (before shutdown).
    public func stopWorkloads() { workloads.stopAll() }

    public func stopSampling() {
        let t = sampler.withLock { () -> Ticker? in
            defer { ticker = nil }
            return ticker
        }
        t?.stop()
    }

    /// Handles one request; returns the response and the matched route
    /// (nil for an unknown path), for metrics and logs.
    public func handle(_ req: HTTPRequest) -> (HTTPResponse, Route?) {
        let (refusal, match) = check(method: req.method, path: req.path, authorization: req.authorization)
        if let refusal { return (refusal, match?.0) }
        guard let (route, param) = match else { return (HTTPError(404, "ENOENT", "no route").response, nil) }
        let method = req.method == "HEAD" ? "GET" : req.method
        do {
            return (try dispatch(route, method, param, req), route)
        } catch {
            return (error.response, route)
        }
    }

    /// What can be decided from the request line and headers alone, before
    /// any body is read: a path holding a NUL, authentication, then the route
    /// and its methods. With a token configured, only a request that carries
    /// it (or asks for an open route) learns whether a route exists.
    /// Returns the refusal, if any, and the matched route.
    public func preflight(method: String, path: String, authorization: String?) -> (HTTPResponse?, Route?) {
        let (refusal, match) = check(method: method, path: path, authorization: authorization)
        return (refusal, match?.0)
    }

    func check(method: String, path: String, authorization: String?) -> (HTTPResponse?, (Route, String?)?) {
        if Self.holdsNUL(path) {
            return (HTTPError.invalid("the path holds a NUL byte (%00)").response, nil)
        }
        let match = Route.match(path)
        if let token = config.authToken, !isOpen(match?.0, method), !authorized(authorization, token: token) {
            var e = HTTPError(401, "EACCES", "a valid bearer token is required")
            e.headers = [("WWW-Authenticate", "Bearer realm=\"memcgd\"")]
            return (e.response, match)
        }
        guard let (route, _) = match else {
            return (HTTPError(404, "ENOENT", "no route for \(path.prefix(200))").response, nil)
        }
        let m = method == "HEAD" && route.methods.contains("GET") ? "GET" : method
        guard route.methods.contains(m) else {
            var e = HTTPError(405, "EOPNOTSUPP", "\(method.prefix(20)) is not allowed on \(route.template); allowed: \(route.methods.joined(separator: ", "))")
            e.headers = [("Allow", route.methods.joined(separator: ", "))]
            return (e.response, match)
        }
        return (nil, match)
    }

    /// A NUL byte, or `%00` (left undecoded by the adapter's unescape callback).
    static func holdsNUL(_ path: String) -> Bool {
        var pct = 0
        for b in path.utf8 {
            if b == 0 { return true }
            pct = b == 0x25 ? 1 : (b == 0x30 && pct > 0 ? pct + 1 : 0)
            if pct == 3 { return true }
        }
        return false
    }

    /// Routes anyone may read: GET (or HEAD) /healthz, /metrics, /openapi.yaml.
    func isOpen(_ route: Route?, _ method: String) -> Bool {
        guard method == "GET" || method == "HEAD", let route else { return false }
        // The web page is open too: it asks for the token itself and sends it on its requests.
        return route == .healthz || route == .metrics || route == .openapi || route == .web
    }

    /// `Authorization: Bearer <token>`: the scheme in any case (RFC 9110
    /// section 11.1), one or more spaces, then the token, compared in time
    /// that depends only on the configured token's length.
    func authorized(_ header: String?, token: String) -> Bool {
        guard let header else { return false }
        let h = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard h.count > scheme.count, h[scheme.count] == 0x20 else { return false }
        for i in 0..<scheme.count where h[i] | 0x20 != scheme[i] { return false }
        var start = scheme.count
        while start < h.count && h[start] == 0x20 { start += 1 }
        let given = h[start...], want = Array(token.utf8)
        var diff = given.count ^ want.count
        for i in 0..<want.count {
            let g = i < given.count ? given[given.startIndex + i] : 0
            diff |= Int(want[i] ^ g)
        }
        return diff == 0
    }

    func dispatch(_ route: Route, _ method: String, _ param: String?, _ req: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        switch (route, method) {
        case (.healthz, _): return health()
        case (.web, _): return webPage()
        case (.machine, _): return machineInfo()
        case (.machineReset, _): return try resetMachine(req.body)
        case (.history, _): return try containerHistory(try name(param))
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
        case (.workloads, "GET"): return listWorkloads()
        case (.workloads, _): return try startWorkload(req.body)
        case (.workload, "GET"): return try getWorkload(try workloadID(param))
        case (.workload, _): return try stopWorkload(try workloadID(param))
        case (.snapshot, _): return try postSnapshot()
        case (.journal, _): return try getJournal(req.query)
        case (.openapi, _):
            return HTTPResponse(status: 200, contentType: "application/yaml", body: servedSpec)
        }
    }

    /// GET /healthz: never takes the engine lock; 503 while a writer has held
    /// it for longer than `stallSeconds`.
    func health() -> HTTPResponse {
        let held = Double(engine.writerHeldNanos) / 1e9
        var w = JSONWriter(capacity: 160)
        w.beginObject()
        if held > config.stallSeconds {
            w.member("status", "stalled")
            w.member("detail", "a request has held the engine lock for \(Int(held * 1000)) ms (limit \(Int(config.stallSeconds * 1000)) ms)")
            w.endObject()
            return .json(503, w)
        }
        w.member("status", "ok")
        w.endObject()
        return .json(200, w)
    }

    /// Runs `body` on the engine under the lock, mapping engine errors.
    /// This is the one place the service applies commands: with a data
    /// directory, each command is journaled under the lock (in apply order)
    /// and the reply waits, after the lock is released, until the journal
    /// holds it as durably as `--fsync` asks (durability.md). A command that
    /// fails inside the engine is journaled too (replay repeats the failure).
    @discardableResult
    func withEngine<T>(_ body: (JournaledEngine) throws(EngineError) -> T) throws(HTTPError) -> T {
        let (result, seq) = engine.withLock { e -> (Result<T, EngineError>, UInt64) in
            let j = JournaledEngine(e, store)
            do throws(EngineError) { return (.success(try body(j)), j.lastSeq) } catch { return (.failure(error), j.lastSeq) }
        }
        if let store, seq > 0 {
            guard store.waitDurable(seq) else {
                throw HTTPError(503, "EIO", "the command was applied but could not be journaled (\(store.failure ?? "journal failed")); the service cannot acknowledge changes until restarted")
            }
            if store.snapshotDue { snapshotInBackground() }
        }
        switch result {
        case .success(let v): return v
        case .failure(let e): throw HTTPError(e)
        }
    }

    /// Like `withEngine`, for pure reads of engine state (shared lock).
    func readEngine<T>(_ body: (EngineView) throws(EngineError) -> T) throws(HTTPError) -> T {
        do throws(EngineError) { return try engine.read(body) } catch { throw HTTPError(error) }
    }

    // MARK: parameters and bodies

    func name(_ p: String?) throws(HTTPError) -> String {
        guard let p, MemcgEngine.isValidName(p) else {
            throw .invalid("invalid container name \"\((p ?? "").prefix(80))\": use 1 to 64 of [A-Za-z0-9._-], neither \".\" nor holding \"..\"")
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
