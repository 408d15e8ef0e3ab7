import MemcgEngine

/// Checks a spec's tree field by field and builds the model. Every error
/// names its field by path (`processes[1].phases[0].touch.rate`) and says why.
struct SpecBuilder {
    let limits: SpecReader.Limits
    var containerNames: Set<String> = [MemcgEngine.rootName]
    /// pid -> (start, end of its phases, exits at the end, container).
    var pids: [UInt32: (at: Double, end: Double, exits: Bool, container: String)] = [:]
    var phaseCount = 0

    init(limits: SpecReader.Limits) { self.limits = limits }

    mutating func build(_ tree: JSONLineValue) throws(SpecError) -> WorkloadSpec {
        var o = try SpecObject(tree, path: "")
        var spec = WorkloadSpec()
        if let s = try o.integer("seed", in: 0...Int.max) { spec.seed = UInt64(s) }
        if let m = o.value("machine") {
            var mo = try SpecObject(m, path: "machine")
            spec.machine.memoryBytes = try mo.size("memory", max: 1 << 46).map(Int.init)
            spec.machine.swapBytes = try mo.size("swap", max: 1 << 46).map(Int.init)
            spec.machine.pageSize = try mo.integer("page_size", in: 4096...65536)
            if let ps = spec.machine.pageSize, ps & (ps - 1) != 0 { throw SpecError("machine.page_size", "must be a power of two") }
            if let c = try mo.string("cgroup") {
                guard c == "v1" || c == "v2" else { throw SpecError("machine.cgroup", "must be v1 or v2, not \"\(c.prefix(20))\"") }
                spec.machine.cgroup = c
            }
            try mo.finish(known: ["memory", "swap", "page_size", "cgroup"])
        }
        spec.unit = spec.machine.pageSize ?? 4096
        if let t = try o.seconds("tick", max: 60) {
            guard t >= 0.001 else { throw SpecError("tick", "must be at least 0.001 seconds") }
            spec.tick = t
        }
        _ = try o.string("comment")
        if let n = try o.string("name") {
            guard n.utf8.count <= 100 else { throw SpecError("name", "at most 100 bytes") }
            spec.name = n
        }
        let cs = try o.array("containers") ?? []
        guard !cs.isEmpty else { throw SpecError("containers", "give at least one container") }
        guard cs.count <= limits.containers else { throw SpecError("containers", "at most \(limits.containers) containers") }
        for (i, c) in cs.enumerated() { spec.containers.append(try container(c, path: "containers[\(i)]")) }
        let ps = try o.array("processes") ?? []
        guard ps.count <= limits.processes else { throw SpecError("processes", "at most \(limits.processes) processes") }
        for (i, p) in ps.enumerated() { spec.processes.append(try process(p, path: "processes[\(i)]", unit: spec.unit)) }
        try o.finish(known: ["seed", "machine", "tick", "name", "comment", "containers", "processes"])
        guard spec.duration <= limits.seconds else {
            throw SpecError("processes", "the workload runs \(Int(spec.duration)) virtual seconds; at most \(Int(limits.seconds))")
        }
        return spec
    }

    mutating func container(_ v: JSONLineValue, path: String) throws(SpecError) -> ContainerSpec {
        var o = try SpecObject(v, path: path)
        guard let name = try o.string("name") else { throw SpecError(o.field("name"), "missing: every container needs a name") }
        guard MemcgEngine.isValidName(name), name != MemcgEngine.rootName else {
            throw SpecError(o.field("name"), "invalid container name \"\(name.prefix(80))\": use 1 to 64 of [A-Za-z0-9._-], not root")
        }
        guard !containerNames.contains(name) else { throw SpecError(o.field("name"), "container \"\(name)\" is listed twice") }
        let parent = try o.string("parent") ?? MemcgEngine.rootName
        guard containerNames.contains(parent) else {
            throw SpecError(o.field("parent"), "no container \"\(parent.prefix(80))\" is listed before this one (or root)")
        }
        var controls = Controls()
        if let l = o.value("limits") {
            guard case .object(let members) = l else { throw SpecError(o.field("limits"), "must be an object such as {max: 512M}") }
            for (k, value) in members {
                guard let c = Control(name: k) else {
                    throw SpecError(o.field("limits.\(k.prefix(40))"), "unknown control (known: max, high, low, min, swap_max)")
                }
                do { controls[c] = try TraceReader.sizeOrMax(value, what: "limits.\(k)", line: 0) } catch {
                    throw SpecError(o.field("limits.\(k)"), "must be bytes, a size such as \"512M\", or \"max\"")
                }
            }
        }
        let group = try o.bool("oom_group") ?? false
        let ct = try o.string("charge_type") ?? "all"
        guard ct == "all" || ct == "mapped" else { throw SpecError(o.field("charge_type"), "must be all or mapped") }
        try o.finish(known: ["name", "parent", "limits", "oom_group", "charge_type"])
        containerNames.insert(name)
        return ContainerSpec(name: name, parent: parent, controls: controls, oomGroup: group, mappedOnly: ct == "mapped")
    }

    mutating func process(_ v: JSONLineValue, path: String, unit: Int) throws(SpecError) -> ProcessSpec {
        var o = try SpecObject(v, path: path)
        guard let pid = try o.integer("pid", in: 1...Int(Int32.max)) else { throw SpecError(o.field("pid"), "missing: every process needs a pid") }
        guard pids[UInt32(pid)] == nil else { throw SpecError(o.field("pid"), "pid \(pid) is listed twice") }
        var p = ProcessSpec(pid: UInt32(pid))
        p.at = try o.seconds("at", max: limits.seconds) ?? 0
        p.container = try o.string("container")
        var home = p.container
        if let f = try o.integer("fork_of", in: 1...Int(Int32.max)) {
            guard let parent = pids[UInt32(f)] else {
                throw SpecError(o.field("fork_of"), "no process with pid \(f) is listed before this one")
            }
            guard p.at >= parent.at else {
                throw SpecError(o.field("at"), "a fork must start at or after its parent (pid \(f) starts at \(parent.at)s)")
            }
            guard !(parent.exits && p.at >= parent.end) else {
                throw SpecError(o.field("at"), "pid \(f) has exited by \(p.at)s (its exit phase ends at \(parent.end)s)")
            }
            p.forkOf = UInt32(f)
            home = home ?? parent.container
        }
        guard let container = home else { throw SpecError(o.field("container"), "missing: a process needs a container (or fork_of)") }
        guard containerNames.contains(container), container != MemcgEngine.rootName else {
            throw SpecError(o.field("container"), "no container named \"\(container.prefix(80))\" is listed in containers")
        }
        let phases = try o.array("phases") ?? []
        p.phases = try self.phases(phases, path: o.field("phases"), depth: 0, unit: unit)
        let end = p.at + Phase.duration(of: p.phases)
        var exits = false
        if case .exit? = p.phases.last?.kind { exits = true }
        try o.finish(known: ["pid", "container", "fork_of", "at", "phases"])
        pids[p.pid] = (p.at, end, exits, container)
        return p
    }

    mutating func phases(_ list: [JSONLineValue], path: String, depth: Int, unit: Int) throws(SpecError) -> [Phase] {
        var out: [Phase] = []
        for (i, v) in list.enumerated() {
            phaseCount += 1
            guard phaseCount <= limits.phases else { throw SpecError(path, "more than \(limits.phases) phases") }
            let p = try phase(v, path: "\(path)[\(i)]", depth: depth, unit: unit)
            if let last = out.last, case .exit = last.kind {
                throw SpecError("\(path)[\(i)]", "a phase after exit: the process has ended")
            }
            out.append(p)
        }
        return out
    }

    static let kinds = ["grow", "touch", "read", "write", "leak", "free", "shm", "sleep", "exit", "repeat"]

    mutating func phase(_ v: JSONLineValue, path: String, depth: Int, unit: Int) throws(SpecError) -> Phase {
        var o = try SpecObject(v, path: path)
        let present = Self.kinds.filter { o.has($0) }
        guard present.count == 1, let kind = present.first else {
            throw SpecError(path, present.isEmpty ? "a phase needs one of \(Self.kinds.joined(separator: ", "))"
                                                  : "a phase has one kind, not \(present.joined(separator: " and "))")
        }
        var seconds = try o.seconds("for", max: limits.seconds)
        let body = o.value(kind)!
        let field = o.field(kind)
        let k: PhaseKind
        switch kind {
        case "grow":
            var b = try SpecObject(body, path: field)
            guard let bytes = try b.size("anon", max: limits.regionBytes) else { throw SpecError(b.field("anon"), "missing: how much the heap grows, e.g. 256M") }
            try b.finish(known: ["anon"])
            k = .grow(bytes: bytes)
        case "leak":
            var b = try SpecObject(body, path: field)
            guard let rv = b.value("rate") else { throw SpecError(b.field("rate"), "missing: how fast it leaks, e.g. 512K/s") }
            let r = try SpecValues.rate(rv, field: b.field("rate"), maxPerSecond: limits.accessesPerSecond)
            guard case .bytes(let bps) = r else { throw SpecError(b.field("rate"), "must be bytes per second with a unit, e.g. \"512K/s\"") }
            try b.finish(known: ["rate"])
            guard let s = seconds, s > 0 else { throw SpecError(o.field("for"), "missing: a leak needs a duration (for)") }
            guard bps * s <= Double(limits.regionBytes) else { throw SpecError(b.field("rate"), "leaks more than \(limits.regionBytes) bytes") }
            k = .leak(bytesPerSecond: bps)
        case "free":
            var amount: UInt64?
            switch body {
            case .string("all"), .bool(true), .null: amount = nil
            case .object:
                var b = try SpecObject(body, path: field)
                amount = try b.size("anon", max: limits.regionBytes)
                try b.finish(known: ["anon"])
            default: throw SpecError(field, "must be {anon: SIZE} or all")
            }
            k = .free(bytes: amount)
        case "touch", "read", "write", "shm":
            let a = try access(body, path: field, kind: kind, seconds: seconds)
            k = kind == "touch" ? .touch(a) : kind == "read" ? .read(a) : kind == "write" ? .write(a) : .shm(a)
        case "sleep":
            switch body {
            case .bool(true), .null: break
            case .object(let m) where m.isEmpty: break
            default:
                guard seconds == nil else { throw SpecError(field, "give the duration once: {sleep: 10s} or {for: 10s, sleep: true}") }
                seconds = try SpecValues.seconds(body, field: field, max: limits.seconds)
            }
            k = .sleep
        case "exit":
            guard seconds == nil || seconds == 0 else { throw SpecError(o.field("for"), "exit is instant: no duration") }
            switch body {
            case .bool(true), .null: break
            case .object(let m) where m.isEmpty: break
            default: throw SpecError(field, "must be true")
            }
            k = .exit
        default: // repeat
            guard depth < limits.repeatDepth else { throw SpecError(field, "repeats nested more than \(limits.repeatDepth) deep") }
            guard seconds == nil else { throw SpecError(o.field("for"), "a repeat takes the time of its phases: no duration") }
            var b = try SpecObject(body, path: field)
            guard let n = try b.integer("times", in: 1...1_000_000) else { throw SpecError(b.field("times"), "missing: how many times, 1 to 1000000") }
            let inner = try phases(try b.array("phases") ?? [], path: b.field("phases"), depth: depth + 1, unit: unit)
            guard !inner.isEmpty else { throw SpecError(b.field("phases"), "give at least one phase to repeat") }
            if inner.contains(where: { if case .exit = $0.kind { true } else { false } }) {
                throw SpecError(b.field("phases"), "exit cannot be repeated")
            }
            try b.finish(known: ["times", "phases"])
            guard Double(n) * Phase.duration(of: inner) <= limits.seconds else {
                throw SpecError(field, "runs longer than \(Int(limits.seconds)) virtual seconds")
            }
            k = .repeat(times: n, phases: inner)
        }
        try o.finish(known: ["for", kind])
        return Phase(seconds: seconds ?? 0, kind: k)
    }

    func access(_ v: JSONLineValue, path: String, kind: String, seconds: Double?) throws(SpecError) -> Access {
        var b = try SpecObject(v, path: path)
        var known = ["pattern", "theta", "steps", "hot", "hot_share", "rate"]
        let object: String?
        let size: UInt64
        switch kind {
        case "touch":
            guard let s = try b.size("anon", max: limits.regionBytes), s > 0 else {
                throw SpecError(b.field("anon"), "missing: the bytes of the heap touched, e.g. 256M")
            }
            object = nil
            size = s
            known += ["anon", "write"]
        case "shm":
            guard let name = try b.string("segment"), !name.isEmpty, name.utf8.count <= 200 else {
                throw SpecError(b.field("segment"), "missing: the segment's name (1 to 200 bytes)")
            }
            guard let s = try b.size("size", max: limits.regionBytes), s > 0 else { throw SpecError(b.field("size"), "missing: the segment's bytes, e.g. 1G") }
            object = name
            size = s
            known += ["segment", "size", "write"]
        default:
            guard let name = try b.string("file"), !name.isEmpty, name.utf8.count <= 200 else {
                throw SpecError(b.field("file"), "missing: the file's name (1 to 200 bytes)")
            }
            guard let s = try b.size("size", max: limits.regionBytes), s > 0 else { throw SpecError(b.field("size"), "missing: the bytes of the file read or written, e.g. 2G") }
            object = name
            size = s
            known += ["file", "size", "mapped"]
        }
        let patternName = try b.string("pattern") ?? "sequential"
        let pattern: Pattern
        switch patternName {
        case "sequential": pattern = .sequential
        case "random", "uniform": pattern = .random
        case "zipf":
            let theta = try b.number("theta") ?? 0.99
            guard theta > 0, theta <= 10 else { throw SpecError(b.field("theta"), "must be above 0 and at most 10, not \(theta)") }
            pattern = .zipf(theta: theta)
        case "stairs", "zigzag":
            let steps = try b.integer("steps", in: 2...1000) ?? (patternName == "stairs" ? 10 : 12)
            guard let s = seconds, s > 0 else { throw SpecError(b.field("pattern"), "\(patternName) follows time: the phase needs a duration (for)") }
            pattern = patternName == "stairs" ? .stairs(steps: steps) : .zigzag(steps: steps)
        case "hot_cold":
            let hot = try b.number("hot") ?? 0.2
            let share = try b.number("hot_share") ?? 0.8
            guard hot > 0, hot < 1 else { throw SpecError(b.field("hot"), "must be a fraction of the pages above 0 and below 1, not \(hot)") }
            guard share >= 0, share <= 1 else { throw SpecError(b.field("hot_share"), "must be a fraction of the accesses from 0 to 1, not \(share)") }
            pattern = .hotCold(hot: hot, share: share)
        default:
            throw SpecError(b.field("pattern"), "unknown pattern \"\(patternName.prefix(40))\" (known: sequential, random, zipf, stairs, zigzag, hot_cold)")
        }
        for (key, only) in [("theta", "zipf"), ("steps", "stairs or zigzag"), ("hot", "hot_cold"), ("hot_share", "hot_cold")]
        where b.has(key) && !only.contains(pattern.name) {
            throw SpecError(b.field(key), "applies to the \(only) pattern only")
        }
        var rate: Rate?
        if let rv = b.value("rate") {
            rate = try SpecValues.rate(rv, field: b.field("rate"), maxPerSecond: limits.accessesPerSecond)
            guard let s = seconds, s > 0 else { throw SpecError(b.field("rate"), "a rate needs a duration: give the phase a for") }
        }
        let asked = try b.bool("write") ?? false
        let write = kind == "write" || asked
        let mapped = try b.bool("mapped") ?? false
        try b.finish(known: known)
        return Access(object: object, size: size, pattern: pattern, rate: rate, write: write, mapped: mapped)
    }
}
