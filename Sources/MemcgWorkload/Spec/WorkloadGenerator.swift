import MemcgEngine

/// Turns a workload spec into a logical trace, step by step of virtual time
/// (`spec.tick` seconds), so the live player can stream it and the command
/// line can write it or replay it whole. The same spec gives the same
/// records: every process draws from its own generator seeded by the
/// spec's `seed` and its pid.
///
/// Each step, every started process runs its phases over the step in the
/// order the spec lists processes; the records of a step carry the step's
/// time. Runs of consecutive pages become one record (at most `maxRun` pages).
public final class WorkloadGenerator {
    public let spec: WorkloadSpec
    /// Container names (index 0 is root), files and segments: the trace's tables.
    public let containers: [String]
    public let objects: [String]
    public let objectIsShm: [Bool]
    /// Virtual time of the next step.
    public private(set) var time = 0.0
    public private(set) var finished = false
    /// Records made so far (time records not counted).
    public private(set) var recordCount = 0

    /// Where every process's heap starts: the same address in each, as after fork.
    public static let heapBase: UInt64 = 1 << 32
    /// Longest run of pages in one record.
    public static let maxRun: UInt64 = 256

    var procs: [ProcessState]
    var step = 0
    var lastTime = 0.0
    let containerIndex: [String: UInt32]
    let objectIndex: [String: UInt32]

    public init(spec: WorkloadSpec) {
        self.spec = spec
        var names = [MemcgEngine.rootName]
        var ci: [String: UInt32] = [MemcgEngine.rootName: 0]
        for c in spec.containers { ci[c.name] = UInt32(names.count); names.append(c.name) }
        var objects: [String] = [], shm: [Bool] = [], oi: [String: UInt32] = [:]
        func walk(_ phases: [Phase]) {
            for p in phases {
                let a: Access?, isShm: Bool
                switch p.kind {
                case .read(let x), .write(let x): a = x; isShm = false
                case .shm(let x): a = x; isShm = true
                case .repeat(_, let inner): walk(inner); continue
                default: continue
                }
                guard let name = a?.object else { continue }
                let key = (isShm ? "s:" : "f:") + name
                if oi[key] == nil { oi[key] = UInt32(objects.count); objects.append(name); shm.append(isShm) }
            }
        }
        for p in spec.processes { walk(p.phases) }
        containers = names
        containerIndex = ci
        self.objects = objects
        objectIsShm = shm
        objectIndex = oi
        procs = spec.processes.map { ProcessState(spec: $0, seed: spec.seed) }
    }

    /// A trace with this spec's tables and header and no records, for a
    /// driver fed record by record (`Driver.play`).
    public func emptyTrace() -> Trace {
        Trace(header: spec.machine, kind: .logical, records: [], containers: containers, objects: objects,
              objectIsShm: objectIsShm, containerSpecs: spec.containers, limitSpecs: [], physical: [],
              recordCount: 0, touchedBytes: 0)
    }

    /// The whole trace in memory (replay, whatif).
    public static func trace(_ spec: WorkloadSpec) -> Trace {
        let g = WorkloadGenerator(spec: spec)
        var records: [Record] = []
        while g.next(into: &records) {}
        var touched: UInt64 = 0
        for r in records where r.op == .anon || r.op == .file || r.op == .shm { touched &+= r.b }
        return Trace(header: spec.machine, kind: .logical, records: records, containers: g.containers, objects: g.objects,
                     objectIsShm: g.objectIsShm, containerSpecs: spec.containers, limitSpecs: [], physical: [],
                     recordCount: g.recordCount, touchedBytes: touched)
    }

    /// Appends the records of the next step; false (and nothing appended) once the workload is over.
    public func next(into out: inout [Record]) -> Bool {
        guard !finished else { return false }
        let t0 = Double(step) * spec.tick, t1 = Double(step + 1) * spec.tick
        let before = out.count
        var emitter = Emitter(generator: self, out: out, time: t0)
        out = []
        if step == 0 {
            for i in spec.containers.indices { emitter.append(Record(op: .container, id: UInt32(i))) }
        }
        var active = false
        for i in procs.indices {
            var parentHeap: UInt64 = 0
            if !procs[i].started, let parent = procs[i].spec.forkOf {
                parentHeap = procs.first { $0.spec.pid == parent }?.heapTop ?? 0
            }
            procs[i].run(from: t0, to: t1, parentHeap: parentHeap, emitter: &emitter)
            if !procs[i].done { active = true }
        }
        out = emitter.finish()
        recordCount = emitter.lineCount
        step += 1
        time = t1
        if !active { finished = true }
        return out.count > before || !finished
    }

    /// Records go through here: time records when the time moves, line numbers, runs merged.
    struct Emitter {
        let generator: WorkloadGenerator
        var out: [Record]
        let time: Double
        var lineCount: Int
        var run: Record?

        init(generator: WorkloadGenerator, out: [Record], time: Double) {
            self.generator = generator
            self.out = out
            self.time = time
            self.lineCount = generator.recordCount
        }

        mutating func append(_ r: Record) {
            flushRun()
            push(r)
        }

        private mutating func push(_ r: Record) {
            if time > generator.lastTime {
                out.append(Record(op: .time, a: time.bitPattern, line: UInt32(truncatingIfNeeded: lineCount + 2)))
                generator.lastTime = time
            }
            lineCount += 1
            var r = r
            r.line = UInt32(truncatingIfNeeded: lineCount + 1)  // line 1 is the header
            out.append(r)
        }

        /// One page access, merged with the run before it when it is the next page.
        mutating func access(_ op: RecordOp, pid: UInt32, id: UInt32, base: UInt64, page: UInt64, flags: UInt8) {
            let unit = UInt64(generator.spec.unit)
            let addr = base + page * unit
            if var r = run, r.op == op, r.pid == pid, r.id == id, r.flags == flags, r.a + r.b == addr, r.b < WorkloadGenerator.maxRun * unit {
                r.b += unit
                run = r
                return
            }
            flushRun()
            run = Record(op: op, pid: pid, id: id, a: addr, b: unit, flags: flags)
        }

        /// A range of pages at once (grow, leak, free), split into runs.
        mutating func range(_ op: RecordOp, pid: UInt32, addr: UInt64, pages: UInt64, flags: UInt8) {
            let unit = UInt64(generator.spec.unit)
            var done: UInt64 = 0
            while done < pages {
                let n = min(WorkloadGenerator.maxRun, pages - done)
                append(Record(op: op, pid: pid, a: addr + done * unit, b: n * unit, flags: flags))
                done += n
            }
        }

        mutating func flushRun() {
            if let r = run { run = nil; push(r) }
        }

        mutating func finish() -> [Record] {
            flushRun()
            return out
        }

        func containerID(_ name: String) -> UInt32 { generator.containerIndex[name] ?? 0 }
        func objectID(_ name: String, shm: Bool) -> UInt32 { generator.objectIndex[(shm ? "s:" : "f:") + name] ?? 0 }
    }
}
