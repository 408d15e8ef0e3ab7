import Testing
import MemcgEngine
@testable import MemcgWorkload

/// Helpers shared by the spec and distribution tests.
enum Specs {
    static func parse(_ text: String) throws(SpecError) -> WorkloadSpec { try SpecReader.parse(text) }

    static func replay(_ trace: Trace, memory: Int = 96 << 20, swap: Int = 64 << 20) throws -> RunSummary {
        let cfg = ReplayConfig(machine: try Machine(memoryBytes: memory, swapBytes: swap))
        return try Driver(trace: trace, config: cfg).run()
    }

    /// Every page access of a trace: (virtual time, op, object or 0, page number).
    static func accesses(_ t: Trace, unit: UInt64 = 4096) -> [(time: Double, op: RecordOp, page: UInt64)] {
        var out: [(Double, RecordOp, UInt64)] = []
        var time = 0.0
        for r in t.records {
            if r.op == .time { time = r.time; continue }
            guard r.op == .anon || r.op == .file || r.op == .shm else { continue }
            let base = r.op == .anon ? WorkloadGenerator.heapBase : 0
            var a = r.a
            while a < r.a + r.b { out.append((time, r.op, (a - base) / unit)); a += unit }
        }
        return out
    }

    static let example = """
        seed: 7
        machine: {memory: 1G, swap: 256M}
        containers:
          - {name: web, limits: {max: 40M, high: 36M}}
          - {name: batch, limits: {max: 32M}}
        processes:
          - pid: 100
            container: web
            phases:
              - {for: 3s, grow: {anon: 32M}}
              - {for: 5s, touch: {anon: 32M, pattern: zipf, theta: 0.99, rate: 2000/s}}
              - {for: 2s, read: {file: data.db, size: 16M, rate: 8M/s}}
              - {for: 4s, leak: {rate: 1M/s}}
          - {pid: 101, fork_of: 100, at: 4s, phases: [{for: 2s, touch: {anon: 8M, write: true}}, {exit: true}]}
          - pid: 200
            container: batch
            at: 1s
            phases:
              - {repeat: {times: 3, phases: [{for: 1s, shm: {segment: buf, size: 4M, pattern: random, rate: 500/s}}, {sleep: 0.5s}]}}
              - {for: 1s, write: {file: out.log, size: 2M, mapped: true}}
              - {free: all}
        """
}

@Suite struct SpecReading {
    /// A YAML spec and the same spec in JSON give the same records, containers and files.
    @Test func yamlAndJSONAgree() throws {
        let yaml = try Specs.parse(Specs.example)
        let json = try Specs.parse("""
            {"seed": 7, "machine": {"memory": "1G", "swap": "256M"},
             "containers": [{"name": "web", "limits": {"max": "40M", "high": "36M"}}, {"name": "batch", "limits": {"max": 33554432}}],
             "processes": [
               {"pid": 100, "container": "web", "phases": [
                 {"for": "3s", "grow": {"anon": "32M"}},
                 {"for": 5, "touch": {"anon": "32M", "pattern": "zipf", "theta": 0.99, "rate": "2000/s"}},
                 {"for": "2s", "read": {"file": "data.db", "size": "16M", "rate": "8M/s"}},
                 {"for": "4s", "leak": {"rate": "1M/s"}}]},
               {"pid": 101, "fork_of": 100, "at": "4s", "phases": [{"for": "2s", "touch": {"anon": "8M", "write": true}}, {"exit": true}]},
               {"pid": 200, "container": "batch", "at": "1s", "phases": [
                 {"repeat": {"times": 3, "phases": [{"for": "1s", "shm": {"segment": "buf", "size": "4M", "pattern": "random", "rate": 500}}, {"sleep": "500ms"}]}},
                 {"for": "1s", "write": {"file": "out.log", "size": "2M", "mapped": true}},
                 {"free": "all"}]}]}
            """)
        let a = WorkloadGenerator.trace(yaml), b = WorkloadGenerator.trace(json)
        #expect(a.records.count > 1000)
        #expect(a.records == b.records)
        #expect(a.containers == ["root", "web", "batch"])
        #expect(a.objects == ["data.db", "buf", "out.log"])
        #expect(a.objectIsShm == [false, true, false])
    }

    /// The same seed gives the same trace; another seed moves the random accesses.
    @Test func seedDecides() throws {
        let s = try Specs.parse(Specs.example)
        #expect(WorkloadGenerator.trace(s).records == WorkloadGenerator.trace(s).records)
        var other = s
        other.seed = 8
        #expect(WorkloadGenerator.trace(other).records != WorkloadGenerator.trace(s).records)
    }

    /// The JSON lines written by generate read back to the same records and replay to the same summary.
    @Test func generatedTextReplaysTheSame() throws {
        let spec = try Specs.parse(Specs.example)
        var lines: [String] = []
        let n = WorkloadGenerator.write(spec) { lines.append($0) }
        let direct = WorkloadGenerator.trace(spec)
        let read = try TraceReader.read(text: lines.joined(separator: "\n"))
        #expect(n == direct.recordCount)
        #expect(read.records.count == direct.records.count)
        #expect(zip(read.records, direct.records).allSatisfy { $0.op == $1.op && $0.a == $1.a && $0.b == $1.b && $0.pid == $1.pid && $0.line == $1.line })
        let a = try Specs.replay(direct), b = try Specs.replay(read)
        #expect(a == b)
        #expect(a.cows > 0)
        #expect(a.refaults > 0)
    }

    /// Virtual time, phases, forks and repeats come out where the spec puts them.
    @Test func timeline() throws {
        let t = WorkloadGenerator.trace(try Specs.parse(Specs.example))
        var time = 0.0, forkAt = -1.0, exitAt = -1.0, spawn200 = -1.0, growPages: UInt64 = 0, shmBefore = 0
        for r in t.records {
            switch r.op {
            case .time: time = r.time
            case .fork: forkAt = time; #expect(r.pid == 101 && r.id == 100)
            case .exit: exitAt = time
            case .spawn where r.pid == 200: spawn200 = time
            case .anon where r.pid == 100 && time < 3: growPages += r.b / 4096
            case .shm: shmBefore += 1
            default: break
            }
        }
        #expect(abs(forkAt - 4) < 1e-9)
        #expect(abs(exitAt - 6) < 0.2)
        #expect(abs(spawn200 - 1) < 1e-9)
        #expect(growPages == 8192)  // 32M in 4K pages, all within the 3 s of grow
        #expect(shmBefore > 0)
        #expect(abs(t.records.last { $0.op == .time }!.time - 14) < 0.2)
    }

    /// A fork of a process the OOM killer has taken never happens: the child's records are skipped, not an error.
    @Test func forkOfKilledParentIsSkipped() throws {
        let s = try Specs.parse("""
            containers: [{name: tiny, limits: {max: 4M}}]
            processes:
              - {pid: 1, container: tiny, phases: [{for: 1s, leak: {rate: 16M/s}}]}
              - {pid: 2, fork_of: 1, at: 2s, phases: [{for: 1s, touch: {anon: 1M, write: true}}, {exit: true}]}
            """)
        let r = try Specs.replay(WorkloadGenerator.trace(s), swap: 0)
        #expect(r.kills.count == 1)
        #expect(r.kills.first?.pid == 1)
        #expect(r.recordsSkipped >= 3)
    }

    /// Bad specs are refused with the field that is wrong and why.
    @Test(arguments: [
        ("containers: []", "containers", "at least one"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: b}]", "processes[0].container", "no container named"),
        ("containers: [{name: a, limits: {soft: 1M}}]", "containers[0].limits.soft", "unknown control"),
        ("containers: [{name: a}, {name: a}]", "containers[1].name", "twice"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{for: 1s, touch: {anon: 1M, pattern: zipf, theta: -1}}]}]",
         "processes[0].phases[0].touch.theta", "above 0"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{for: 1s, touch: {anon: 1M, pattern: zipff}}]}]",
         "processes[0].phases[0].touch.pattern", "unknown pattern"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{for: 1s, leak: {rate: 1000/s}}]}]",
         "processes[0].phases[0].leak.rate", "bytes per second"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{leak: {rate: 1M/s}}]}]",
         "processes[0].phases[0].for", "duration"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{for: 1s, grow: {anon: 1M}, leak: {rate: 1M/s}}]}]",
         "processes[0].phases[0]", "one kind"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{for: 5 parsecs, sleep: true}]}]",
         "processes[0].phases[0].for", "duration"),
        ("containers: [{name: a}]\nprocesses: [{pid: 2, fork_of: 1}]", "processes[0].fork_of", "no process with pid 1"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{exit: true}, {sleep: 1s}]}]",
         "processes[0].phases[1]", "after exit"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{for: 1s, touch: {anon: 1M, steps: 3}}]}]",
         "processes[0].phases[0].touch.steps", "stairs or zigzag"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{for: 1s, touch: {anon: 1M, rate: 1e12}}]}]",
         "processes[0].phases[0].touch.rate", "at most"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{for: 400d, sleep: true}]}]",
         "processes[0].phases[0].for", "at most"),
        ("containers: [{name: a}]\nprocesses: [{pid: 1, container: a, phases: [{repeat: {times: 100000, phases: [{for: 1h, sleep: true}]}}]}]",
         "processes[0].phases[0].repeat", "longer than"),
        ("containers: [{name: a}]\ncolour: blue", "colour", "unknown field"),
        ("machine: {memory: lots}\ncontainers: [{name: a}]", "machine.memory", "size"),
        ("containers: [{name: a}]\nprocesses: [{pid: 0, container: a}]", "processes[0].pid", "from 1"),
    ])
    func badSpecs(_ text: String, _ field: String, _ why: String) throws {
        do throws(SpecError) {
            _ = try Specs.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.message.contains(why), "\(error)")
        }
    }

    /// Broken syntax and alias bombs are refused before any work is done.
    @Test func hostileText() throws {
        #expect(throws: SpecError.self) { try Specs.parse("{\"containers\": [") }
        #expect(throws: SpecError.self) { try Specs.parse("containers: [{name: a}\n  - x: : :") }
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...8 { bomb += "\(Character(UnicodeScalar(97 + i)!)): &\(Character(UnicodeScalar(97 + i)!)) [" + Array(repeating: "*\(Character(UnicodeScalar(96 + i)!))", count: 10).joined(separator: ", ") + "]\n" }
        do throws(SpecError) { _ = try Specs.parse(bomb); Issue.record("alias bomb accepted") } catch {
            #expect(error.message.contains("too many values") || error.message.contains("aliases"), "\(error)")
        }
        #expect(throws: SpecError.self) { try SpecReader.parse(String(repeating: "#", count: 2 << 20)) }
    }
}
