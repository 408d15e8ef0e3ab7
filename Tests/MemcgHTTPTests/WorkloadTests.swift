import MemcgEngine
@testable import MemcgHTTP
import MemcgStore
import MemcgWorkload
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Specs played by the live player's tests.
enum LiveSpecs {
    /// A leak into a 4M limit (killed after about 2 virtual seconds), a
    /// forked child, page cache and shm: every kind of record the driver plays.
    static let mixed = """
        seed: 3
        name: mixed
        containers:
          - {name: web, limits: {max: 4M, high: 3M}}
          - {name: cache}
        processes:
          - pid: 100
            container: web
            phases:
              - {for: 1s, grow: {anon: 1M}}
              - {for: 1s, touch: {anon: 1M, pattern: zipf, theta: 0.99, rate: 2000/s}}
              - {for: 4s, leak: {rate: 1M/s}}
          - {pid: 101, fork_of: 100, at: 1s, phases: [{for: 1s, touch: {anon: 512K, write: true}}, {exit: true}]}
          - pid: 200
            container: cache
            phases:
              - {for: 2s, read: {file: data.db, size: 2M, rate: 4M/s}}
              - {for: 1s, shm: {segment: buf, size: 1M, pattern: random, rate: 1000/s}}
              - {for: 1s, write: {file: out.log, size: 512K, mapped: true}}
        """

    /// `mixed` in JSON, with a speed.
    static func json(speed: Double, container: String = "slow", seconds: Int = 600) -> String {
        """
        {"speed": \(speed), "name": "json", "containers": [{"name": "\(container)", "limits": {"max": "8M"}}],
         "processes": [{"pid": 300, "container": "\(container)", "phases": [{"for": "\(seconds)s", "leak": {"rate": "1K/s"}}]}]}
        """
    }
}

extension InProcess {
    init(app: App) { self.app = app }

    /// Polls GET /workloads/{id} until it is no longer running (at most `seconds`).
    func waitEnded(_ id: Int, seconds: Double = 60) throws -> Reply {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            let r = call("GET", "/workloads/\(id)")
            if try r.value("state") != .string("running") { return r }
            usleep(5000)
        }
        throw JSONError("workload \(id) still running after \(seconds) s")
    }

    func yamlWorkload(_ spec: String, speed: Double) -> Reply {
        call("POST", "/workloads", "speed: \(speed)\n" + spec)
    }
}

extension Reply {
    /// A number member, integral or not.
    func seconds(_ key: String) throws -> Double {
        switch try value(key) {
        case .int(let i): return Double(i)
        case .number(let d): return d
        default: throw JSONError("\(key) is not a number in \(text)")
        }
    }
}

@Suite(.serialized) struct WorkloadRouteTests {
    /// POST a YAML spec at a high speed: 201 with Location, it plays to the
    /// end, its containers exist, the leak is OOM-killed, and GET, the list
    /// and /metrics report its progress.
    @Test func playsToTheEnd() throws {
        let s = try InProcess(frames: 8192, swapPages: 0)
        let r = s.yamlWorkload(LiveSpecs.mixed, speed: 1000)
        #expect(r.status == 201, "\(r.text)")
        #expect(r.headers["location"] == "/workloads/1")
        #expect(try r.value("id") == .int(1))
        #expect(try r.value("name") == .string("mixed"))
        #expect(try r.value("speed") == .int(1000))
        #expect(try r.value("duration_seconds") == .int(6))
        #expect(try r.value("containers") == .array([.string("web"), .string("cache")]))
        let done = try s.waitEnded(1)
        #expect(try done.value("state") == .string("finished"), "\(done.text)")
        #expect(try done.value("error") == .null)
        #expect(try done.int("oom_kills") == 1)
        #expect(try (done.int("records_applied") ?? 0) > 100)
        #expect(try (done.int("records_skipped") ?? 0) > 0, "the leak's records after its kill are skipped")
        #expect(try (done.int("pages") ?? 0) > 1000)
        let v = try done.seconds("virtual_seconds")
        #expect(v > 5 && v <= 6)
        #expect(s.call("GET", "/containers/web").status == 200)
        #expect(try (s.call("GET", "/containers/cache/stats").int("stat", "cache") ?? 0) > 0)
        #expect(try (s.call("GET", "/containers/cache/stats").int("stat", "shmem") ?? 0) > 0)
        #expect(try s.call("GET", "/containers/web/stats").int("events", "oom_kill") == 1)
        guard case .array(let all) = try s.call("GET", "/workloads").value("workloads") else { Issue.record("no list"); return }
        #expect(all.count == 1)
        let m = s.call("GET", "/metrics").text
        #expect(m.contains("memcgd_workload_running{workload=\"1\"} 0\n"))
        #expect(m.contains("memcgd_workload_oom_kills_total{workload=\"1\"} 1\n"))
        #expect(m.contains("# TYPE memcgd_workload_records_applied_total counter"))
        #expect(m.contains("memcgd_workload_virtual_seconds{workload=\"1\"} "))
        #expect(!m.contains("memcgd_workload_records_skipped_total{workload=\"1\"} 0\n"))
    }

    /// A JSON body with `speed`; at speed 1 it is paced to wall time; DELETE
    /// stops it (200, state stopped) and nothing is applied after that.
    @Test func pacedAndStopped() throws {
        let s = try InProcess(frames: 8192)
        let r = s.call("POST", "/workloads", LiveSpecs.json(speed: 1))
        #expect(r.status == 201, "\(r.text)")
        usleep(300_000)
        let mid = s.call("GET", "/workloads/1")
        let v = try mid.seconds("virtual_seconds")
        #expect(v >= 0.2 && v < 1, "paced to the wall clock: \(v) virtual seconds after 0.3 s")
        #expect(try mid.seconds("lag_seconds") < 0.2)
        #expect(try mid.value("state") == .string("running"))
        #expect(s.call("GET", "/metrics").text.contains("memcgd_workload_running{workload=\"1\"} 1\n"))
        let d = s.call("DELETE", "/workloads/1")
        #expect(d.status == 200)
        #expect(try d.value("state") == .string("stopped"))
        let applied = try d.int("records_applied")
        let usage = try s.call("GET", "/containers/slow/stats").int("usage")
        usleep(300_000)
        #expect(try s.call("GET", "/workloads/1").int("records_applied") == applied)
        #expect(try s.call("GET", "/containers/slow/stats").int("usage") == usage)
        // Stopping a stopped one answers the same; its containers stay.
        #expect(s.call("DELETE", "/workloads/1").status == 200)
        #expect(s.call("GET", "/containers/slow").status == 200)
    }

    /// Bad bodies: 400 problem+json naming the field, and nothing changes
    /// (no workload listed, no container created).
    @Test(arguments: [
        (#"{"speed": "fast", "containers": [{"name": "a"}], "processes": []}"#, "speed"),
        (#"{"speed": 0, "containers": [{"name": "a"}]}"#, "speed"),
        (#"{"speed": -3, "containers": [{"name": "a"}]}"#, "speed"),
        (#"{"speed": 1e12, "containers": [{"name": "a"}]}"#, "speed"),
        ("speed: .nan\ncontainers: [{name: a}]", "speed"),
        ("speed: .inf\ncontainers: [{name: a}]", "speed"),
        (#"{"containers": [{"name": "a"}], "processes": [{"pid": 1, "container": "a", "phases": [{"for": "1s", "grow": {"anon": "lots"}}]}]}"#, "processes[0].phases[0].grow"),
        (#"{"containers": [{"name": "a"}], "processes": [{"pid": 1, "container": "nope", "phases": []}]}"#, "processes[0].container"),
        (#"{"containers": []}"#, "containers"),
        (#"{"containers": [{"name": "a"}], "bogus": 1}"#, "bogus"),
        ("[1, 2]", "must be an object"),
        ("containers: [{name: a}", "not valid YAML"),
        (#"{"containers": [{"name": "a"}], "processes": [{"pid": 1, "container": "a", "phases": [{"for": "1s", "grow": {"anon": "1T"}}]}]}"#, "at most"),
        (#"{"containers": [{"name": "a"}], "processes": [{"pid": 1, "container": "a", "phases": [{"sleep": "8d"}]}]}"#, "sleep"),
    ])
    func badBodies(body: String, field: String) throws {
        let s = try InProcess(frames: 1024)
        let r = s.call("POST", "/workloads", body)
        #expect(r.status == 400, "\(r.text)")
        #expect(r.headers["content-type"] == "application/problem+json")
        guard case .string(let detail)? = try? r.value("detail") else { Issue.record("no detail: \(r.text)"); return }
        #expect(detail.contains(field), "\(detail)")
        #expect(s.call("GET", "/workloads").text == #"{"workloads":[]}"#)
        #expect(s.call("GET", "/containers/a").status == 404)
    }

    /// Not UTF-8: 400, nothing started.
    @Test func notUTF8() throws {
        let s = try InProcess()
        let (r, _) = s.app.handle(HTTPRequest(method: "POST", path: "/workloads", body: [0x7B, 0xFF, 0xFE, 0x7D], authorization: nil))
        #expect(r.status == 400)
        #expect(s.call("GET", "/workloads").text == #"{"workloads":[]}"#)
    }

    /// A container or pid that exists (in the engine, or in a workload
    /// playing) is refused with 409 EEXIST before anything starts; a parent
    /// the spec does not list is 400; at most `maxRunning` play at once (409 EBUSY).
    @Test func conflicts() throws {
        let s = try InProcess(frames: 8192)
        #expect(s.call("POST", "/containers", #"{"name":"taken"}"#).status == 201)
        let before = s.call("GET", "/containers/taken/stats").text
        let r = s.call("POST", "/workloads", LiveSpecs.json(speed: 1, container: "taken"))
        #expect(r.status == 409)
        #expect(r.code == "EEXIST")
        #expect(s.call("GET", "/containers/taken/stats").text == before)
        #expect(s.call("GET", "/workloads").text == #"{"workloads":[]}"#)
        #expect(s.call("POST", "/processes", #"{"pid":300,"container":"taken"}"#).status == 201)
        let pid = s.call("POST", "/workloads", LiveSpecs.json(speed: 1, container: "fresh"))
        #expect(pid.status == 409 && pid.code == "EEXIST")
        #expect(try pid.value("detail") == .string("pid 300 exists: the workload spawns it (exit it, or change the pid in the spec)"))
        #expect(s.call("DELETE", "/processes/300").status == 204)
        let orphan = s.call("POST", "/workloads", #"{"containers": [{"name": "kid", "parent": "ghost"}]}"#)
        #expect(orphan.status == 400 && orphan.text.contains("containers[0].parent"), "\(orphan.text)")
        // Two of the same spec at once: the second is refused although its container does not exist yet.
        #expect(s.call("POST", "/workloads", LiveSpecs.json(speed: 1, container: "w0")).status == 201)
        let twin = s.call("POST", "/workloads", LiveSpecs.json(speed: 1, container: "w0"))
        #expect(twin.status == 409 && twin.code == "EEXIST", "\(twin.text)")
        for i in 1..<WorkloadRegistry.maxRunning {
            let body = LiveSpecs.json(speed: 1, container: "w\(i)").replacingOccurrences(of: "300", with: "\(400 + i)")
            #expect(s.call("POST", "/workloads", body).status == 201)
        }
        let busy = s.call("POST", "/workloads", LiveSpecs.json(speed: 1, container: "w9").replacingOccurrences(of: "300", with: "499"))
        #expect(busy.status == 409 && busy.code == "EBUSY", "\(busy.text)")
        s.app.stopWorkloads()
        guard case .array(let all) = try s.call("GET", "/workloads").value("workloads") else { Issue.record("no list"); return }
        #expect(all.count == WorkloadRegistry.maxRunning)
        for w in all {
            guard case .object(let o) = w else { Issue.record("not an object"); continue }
            #expect(o["state"] == .string("stopped"))
        }
    }

    /// Ids: unknown 404, malformed 400, wrong method 405.
    @Test func ids() throws {
        let s = try InProcess()
        #expect(s.call("GET", "/workloads/7").status == 404)
        #expect(s.call("DELETE", "/workloads/7").status == 404)
        for bad in ["0", "-1", "x", "99999999999999999999", "1.5"] {
            #expect(s.call("GET", "/workloads/\(bad)").status == 400, "\(bad)")
        }
        #expect(s.call("PUT", "/workloads").status == 405)
        #expect(s.call("POST", "/workloads/1").status == 405)
    }

    /// A workload that addresses far more than the machine is refused (its
    /// driver would index every page it touches).
    @Test func footprintBounded() throws {
        let s = try InProcess(frames: 1024)
        let r = s.call("POST", "/workloads", #"{"containers": [{"name": "a"}], "processes": [{"pid": 1, "container": "a", "phases": [{"for": "1000s", "leak": {"rate": "1G/s"}}]}]}"#)
        #expect(r.status == 400)
        #expect(s.call("GET", "/containers/a").status == 404)
        #expect(WorkloadRegistry.footprint(try SpecReader.parse(LiveSpecs.mixed)) == 10 << 20)
    }

    /// A machine reset stops the workloads playing into the old engine.
    @Test func resetStops() throws {
        let s = try InProcess(frames: 8192)
        #expect(s.call("POST", "/workloads", LiveSpecs.json(speed: 1)).status == 201)
        #expect(s.call("POST", "/machine/reset").status == 200)
        #expect(try s.call("GET", "/workloads/1").value("state") == .string("stopped"))
        #expect(s.call("GET", "/containers/slow").status == 404)
    }
}

@Suite struct WorkloadDeterminismTests {
    /// The live player at a high speed leaves the engine exactly as the
    /// driver's replay of the same spec (what `memcgd replay SPEC` runs):
    /// every container's stats and the machine's totals are equal.
    /// (The engine's count of `apply` calls differs: the player sends its
    /// queued accesses at the end of every batch, so in more commands.)
    @Test(arguments: [(1000.0, 1024), (100_000.0, 1024), (5000.0, 0)])
    func playerMatchesReplay(speed: Double, swapPages: Int) throws {
        let spec = try SpecReader.parse(LiveSpecs.mixed)
        let machine = try Machine(pageSize: 4096, memoryBytes: 8192 * 4096, swapBytes: swapPages * 4096)
        let replay = try Driver(trace: WorkloadGenerator.trace(spec), config: ReplayConfig(machine: machine))
        let summary = try replay.run()
        let app = try App(config: AppConfig(machine: machine))
        let s = InProcess(app: app)
        #expect(s.yamlWorkload(LiveSpecs.mixed, speed: speed).status == 201)
        let done = try s.waitEnded(1)
        #expect(try done.value("state") == .string("finished"))
        #expect(try done.int("oom_kills") == summary.kills.count)
        #expect(try done.int("records_skipped") == summary.recordsSkipped)
        let live = app.engine.read { $0.allContainers() }
        let replayed = replay.engine.view.allContainers()
        #expect(live.map(\.name) == ["root", "web", "cache"])
        #expect(live.count == replayed.count)
        for (a, b) in zip(live, replayed) { #expect(a == b, "container \(a.name)") }
        var a = app.engine.read { $0.engineSnapshot }, b = replay.engine.view.engineSnapshot
        #expect(a.counters.commands > 0 && b.counters.commands > 0)
        a.counters.commands = 0
        b.counters.commands = 0
        #expect(a == b)
        #expect(summary.kills.count == (swapPages == 0 ? 1 : 0))
    }
}

@Suite struct WorkloadJournalTests {
    /// With a data directory, the player's commands are journaled like the
    /// routes': recovering the directory gives every container's stats as
    /// the player left them.
    @Test func playerCommandsAreJournaled() throws {
        var template = Array("/tmp/memcgd-wl-XXXXXX".utf8CString)
        let dir = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
        let machine = try Machine(pageSize: 4096, memoryBytes: 8192 * 4096, swapBytes: 1024 * 4096)
        let cfg = StoreConfig(dataDir: dir, fsync: .off, machine: machine)
        let (store, fresh, _) = try Store.open(cfg)
        let app = try App(config: AppConfig(machine: machine), store: store, recovered: fresh)
        let s = InProcess(app: app)
        #expect(s.call("POST", "/containers", #"{"name":"other"}"#).status == 201)
        #expect(s.yamlWorkload(LiveSpecs.mixed, speed: 100_000).status == 201)
        #expect(try s.waitEnded(1).value("state") == .string("finished"))
        let live = app.engine.read { $0.allContainers() }
        store.close()
        let (again, recovered, _) = try Store.open(cfg)
        defer { again.close() }
        let back = recovered.view.allContainers()
        #expect(live.map(\.name) == ["root", "other", "web", "cache"])
        #expect(back.count == live.count)
        for (a, b) in zip(live, back) { #expect(a == b, "container \(a.name)") }
    }
}
