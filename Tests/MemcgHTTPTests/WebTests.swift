import Logging
import MemcgEngine
@testable import MemcgHTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The web view, history, reset, labels and the small fixes of issue 15.
@Suite struct WebTests {
    /// GET / serves the embedded page without a token, and it is web/index.html.
    @Test func pageServedAndInSync() throws {
        let s = try InProcess(token: "t0k")
        let r = s.call("GET", "/")
        #expect(r.status == 200)
        #expect(r.headers["content-type"] == "text/html; charset=utf-8")
        #expect(r.text.contains("<title>memcgd</title>"))
        #expect(!r.text.contains("http://") && !r.text.contains("https://"), "no external resources")
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let file = try String(contentsOfFile: "/" + path + "/web/index.html", encoding: .utf8)
        #expect(WebPage.html + "\n" == file, "run `make web`")
        // Only GET is open: another method needs the token first, then learns it is not allowed.
        #expect(s.call("POST", "/").status == 401)
        #expect(s.call("POST", "/", auth: "Bearer t0k").status == 405)
    }

    /// The ring buffer keeps the last 600 samples per container, drops
    /// containers that are gone, and starts a new container empty.
    @Test func historyRing() throws {
        let s = try InProcess(frames: 4096)
        s.call("POST", "/containers", #"{"name":"web"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"web"}"#)
        let app = s.app
        for i in 0..<650 {
            s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":\#(i)}]}"#)
            app.history.record(app.engine.read { $0.allContainers() }, timeMs: Int64(1000 * i))
        }
        let h = s.call("GET", "/containers/web/history")
        #expect(h.status == 200)
        guard case .array(let samples) = try h.value("samples") else { Issue.record("no samples"); return }
        #expect(samples.count == 600)
        guard case .object(let first) = samples[0], case .object(let last) = samples[599] else { return }
        #expect(first["time_ms"] == .int(50_000))
        #expect(first["usage"] == .int(51 * 4096))
        #expect(last["time_ms"] == .int(649_000))
        #expect(last["usage"] == .int(650 * 4096))
        #expect(last["working_set"] == .int(650 * 4096))
        #expect(s.call("GET", "/containers/nope/history").status == 404)
        s.call("POST", "/containers", #"{"name":"late"}"#)
        #expect(try s.call("GET", "/containers/late/history").value("sampled") == .bool(false))
        app.history.record(app.engine.read { $0.allContainers() }, timeMs: 700_000)
        guard case .array(let one) = try s.call("GET", "/containers/late/history").value("samples") else { return }
        #expect(one.count == 1)
    }

    /// The sampler thread records on its own.
    @Test func samplerTicks() async throws {
        let s = try InProcess()
        let clock = ContinuousClock()
        let start = clock.now
        s.app.startSampling(interval: .milliseconds(20))
        try await Task.sleep(for: .milliseconds(300))
        s.app.stopSampling()
        let elapsed = clock.now - start
        let n = s.app.history.samples("root")?.count ?? 0
        // One sample at start, then one per interval at most: no bursts to catch up.
        #expect(n >= 3 && n <= Int(elapsed / .milliseconds(20)) + 2, "\(n) samples in \(elapsed)")
    }

    /// POST /machine/reset: a fresh engine, same machine; authenticated.
    @Test func reset() throws {
        let s = try InProcess(frames: 1024, token: "k")
        let auth = "Bearer k"
        s.call("POST", "/containers", #"{"name":"web"}"#, auth: auth)
        s.call("POST", "/processes", #"{"pid":1,"container":"web"}"#, auth: auth)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":10}]}"#, auth: auth)
        s.app.history.record(s.app.engine.read { $0.allContainers() }, timeMs: 1)
        #expect(s.call("POST", "/machine/reset").status == 401)
        #expect(s.call("GET", "/containers/web", auth: auth).status == 200)
        #expect(s.call("POST", "/machine/reset", #"{"x":1}"#, auth: auth).status == 400)
        let r = s.call("POST", "/machine/reset", auth: auth)
        #expect(r.status == 200)
        #expect(try r.int("free_pages") == 1024)
        #expect(try r.int("total_pages") == 1024)
        #expect(s.call("GET", "/containers/web", auth: auth).status == 404)
        #expect(s.call("GET", "/processes/1", auth: auth).status == 404)
        #expect(s.app.history.samples("web") == nil)
        #expect(s.call("POST", "/machine/reset", "{}", auth: auth).status == 200)
    }

    /// Labels: set at creation, shown in GET; bad ones refused.
    @Test func labels() throws {
        let s = try InProcess()
        let c = s.call("POST", "/containers", #"{"name":"web","labels":{"pod":"web-0","app.kubernetes.io/name":"shop"}}"#)
        #expect(c.status == 201)
        #expect(try s.call("GET", "/containers/web").value("labels") == .object(["pod": .string("web-0"), "app.kubernetes.io/name": .string("shop")]))
        #expect(try s.call("GET", "/containers/root").value("labels") == .object([:]))
        for bad in [#"{"name":"a","labels":[]}"#, #"{"name":"a","labels":{"x y":"1"}}"#, #"{"name":"a","labels":{"k":1}}"#,
                    #"{"name":"a","labels":{"k":"a\nb"}}"#, #"{"name":"a","labels":{"k":"\#(String(repeating: "v", count: 257))"}}"#] {
            let r = s.call("POST", "/containers", bad)
            #expect(r.status == 400 && r.code == "EINVAL", "\(bad)")
        }
        #expect(s.call("GET", "/containers/a").status == 404)
    }

    /// With --metrics-compat cadvisor: namespace, pod, container, image from
    /// the labels, and machine_memory_bytes.
    @Test func cadvisorKubernetesLabels() throws {
        let machine = try Machine(pageSize: 4096, memoryBytes: 4096 * 4096)
        let app = try App(config: AppConfig(machine: machine, cadvisorMetrics: true), metrics: ServiceMetrics(cadvisor: true))
        _ = app.handle(HTTPRequest(method: "POST", path: "/containers", body: Array(#"{"name":"web","labels":{"io.kubernetes.pod.namespace":"prod","pod":"web-0","container":"nginx","image":"nginx:1.27","other":"x\"y"}}"#.utf8)))
        _ = app.handle(HTTPRequest(method: "POST", path: "/containers", body: Array(#"{"name":"plain"}"#.utf8)))
        let text = app.handle(HTTPRequest(method: "GET", path: "/metrics")).0.bodyText
        #expect(text.contains("\nmachine_memory_bytes 16777216\n"))
        #expect(text.contains(#"container_memory_usage_bytes{container="nginx",id="/web",image="nginx:1.27",name="web",namespace="prod",pod="web-0"} 0"#))
        #expect(text.contains(#"container_memory_usage_bytes{id="/plain",name="plain"} 0"#))
        let plain = try App(config: AppConfig(machine: machine))
        #expect(!plain.handle(HTTPRequest(method: "GET", path: "/metrics")).0.bodyText.contains("machine_memory_bytes"))
    }

    /// 405 carries a code; EBUSY messages count in the singular.
    @Test func codesAndPlurals() throws {
        let s = try InProcess()
        let r = s.call("DELETE", "/events")
        #expect(r.status == 405 && r.code == "EOPNOTSUPP")
        s.call("POST", "/containers", #"{"name":"a"}"#)
        s.call("POST", "/containers", #"{"name":"b","parent":"a"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"b"}"#)
        #expect(try s.call("DELETE", "/containers/a").value("detail") == .string("container \"a\" has 1 child"))
        #expect(try s.call("DELETE", "/containers/b").value("detail") == .string("container \"b\" has 1 process"))
        s.call("POST", "/processes", #"{"pid":2,"container":"b"}"#)
        #expect(try s.call("DELETE", "/containers/b").value("detail") == .string("container \"b\" has 2 processes"))
    }

    /// Host names and IPv6 literals.
    @Test func listenAddresses() throws {
        #expect(ListenAddress("127.0.0.1")?.isIPv6 == false)
        #expect(ListenAddress("localhost") != nil)
        #expect(ListenAddress("::1")?.isIPv6 == true)
        #expect(ListenAddress("[::1]")?.isIPv6 == true)
        #expect(ListenAddress("::")?.isWildcard == true)
        #expect(ListenAddress("0.0.0.0")?.isWildcard == true)
        #expect(ListenAddress("::")?.forConnecting.isWildcard == false)
        for bad in ["", "1.2.3.4.5", "no such host!", "a b", "::g"] { #expect(ListenAddress(bad) == nil, "\(bad)") }
    }

    /// A live server on ::1 answers over IPv6.
    @Test func liveIPv6() throws {
        let app = try App(config: AppConfig(machine: try Machine(memoryBytes: 1 << 24)))
        var logger = Logger(label: "t")
        logger.logLevel = .error
        let server = HTTPServer(app: app, config: ServerConfig(host: "::1", port: 0), logger: logger)
        try server.start()
        defer { server.stop(drain: .seconds(1)) }
        #expect(server.boundPort != 0)
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let addr = ListenAddress("::1", port: server.boundPort)!
        #expect(addr.withSockaddr { connect(fd, $0, $1) } == 0)
        try RawHTTP.sendAll(fd, Array("GET /healthz HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n".utf8))
        let reply = try RawHTTP.parse(RawHTTP.readAll(fd))
        #expect(reply.status == 200 && reply.text == #"{"status":"ok"}"#)
    }
}
