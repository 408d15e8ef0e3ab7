/// One process of a spec while the generator runs it: where it is in its
/// phases, its heap, and its own random generator.
struct ProcessState {
    let spec: ProcessSpec
    var rng: SplitMix64
    var started = false
    var done = false
    /// Bytes of heap mapped (from `WorkloadGenerator.heapBase`).
    var heapTop: UInt64 = 0

    /// The phases being run: a stack of (list, index, repeats left) for `repeat`.
    var stack: [(phases: [Phase], index: Int, left: Int)]
    /// When the current phase started (virtual seconds).
    var phaseStart: Double
    /// Accesses or pages owed but not yet made (fractions carry over).
    var credit = 0.0
    /// Accesses or pages made in the current phase.
    var made: UInt64 = 0
    var pattern: PatternState?

    init(spec: ProcessSpec, seed: UInt64) {
        self.spec = spec
        var mix = SplitMix64(seed: seed ^ (UInt64(spec.pid) &* 0xD6E8_FEB8_6659_FD93))
        rng = SplitMix64(seed: mix.next())
        stack = [(spec.phases, 0, 1)]
        phaseStart = spec.at
    }

    /// The phase being run, descending into repeats; nil when all are done.
    mutating func current() -> Phase? {
        while let top = stack.last {
            if top.index < top.phases.count {
                let p = top.phases[top.index]
                if case .repeat(let n, let inner) = p.kind {
                    stack[stack.count - 1].index += 1
                    stack.append((inner, 0, n))
                    continue
                }
                return p
            }
            if top.left > 1 {
                stack[stack.count - 1].index = 0
                stack[stack.count - 1].left -= 1
                continue
            }
            stack.removeLast()
        }
        return nil
    }

    mutating func advance(end: Double) {
        stack[stack.count - 1].index += 1
        phaseStart = end
        credit = 0
        made = 0
        pattern = nil
    }

    /// Runs the process over [t0, t1) of virtual time; a fork starts with
    /// its parent's heap (`parentHeap` bytes).
    mutating func run(from t0: Double, to t1: Double, parentHeap: UInt64, emitter e: inout WorkloadGenerator.Emitter) {
        guard !done, spec.at < t1 else { return }
        if !started {
            started = true
            if let parent = spec.forkOf {
                e.append(Record(op: .fork, pid: spec.pid, id: parent))
                if let c = spec.container {
                    e.append(Record(op: .move, pid: spec.pid, id: e.containerID(c)))
                }
                heapTop = parentHeap
            } else {
                e.append(Record(op: .spawn, pid: spec.pid, id: e.containerID(spec.container ?? "")))
            }
        }
        var now = max(t0, spec.at)
        while let phase = current() {
            let end = phaseStart + phase.seconds
            let segEnd = min(t1, end)
            let last = segEnd >= end
            if segEnd > now || last { work(phase, now, segEnd, last: last, &e) }
            if case .exit = phase.kind { done = true; return }
            guard last else { return }
            now = end
            advance(end: end)
        }
        done = true
    }

    /// Pages owed for a span `dt` at `perSecond`; with `total`, the last span settles the rest.
    mutating func owed(_ perSecond: Double, _ dt: Double, total: UInt64?, last: Bool) -> UInt64 {
        if let total, last { return total - min(total, made) }
        credit += perSecond * dt
        var n = UInt64(max(0, credit.rounded(.down)))
        if let total { n = min(n, total - min(total, made)) }
        credit -= Double(n)
        made += n
        return n
    }

    mutating func work(_ phase: Phase, _ from: Double, _ to: Double, last: Bool, _ e: inout WorkloadGenerator.Emitter) {
        let unit = UInt64(e.generator.spec.unit)
        let dt = to - from
        let base = WorkloadGenerator.heapBase
        switch phase.kind {
        case .grow(let bytes):
            let total = (bytes + unit - 1) / unit
            let n = phase.seconds == 0 ? total : owed(Double(total) / phase.seconds, dt, total: total, last: last)
            e.range(.anon, pid: spec.pid, addr: base + heapTop, pages: n, flags: Record.write)
            heapTop += n * unit
        case .leak(let bps):
            let n = owed(bps / Double(unit), dt, total: nil, last: false)
            e.range(.anon, pid: spec.pid, addr: base + heapTop, pages: n, flags: Record.write)
            heapTop += n * unit
        case .free(let bytes):
            let have = heapTop / unit
            let n = bytes.map { min(have, ($0 + unit - 1) / unit) } ?? have
            heapTop -= n * unit
            if n > 0 { e.range(.unmap, pid: spec.pid, addr: base + heapTop, pages: n, flags: 0) }
        case .touch(let a), .read(let a), .write(let a), .shm(let a):
            let pages = (a.size + unit - 1) / unit
            if pattern == nil { pattern = PatternState(a.pattern, pages: pages) }
            let n: UInt64
            if phase.seconds == 0 {
                n = pages
            } else if let r = a.rate {
                n = owed(r.perSecond(unit: Int(unit)), dt, total: nil, last: false)
            } else {
                n = owed(Double(pages) / phase.seconds, dt, total: pages, last: last)
            }
            let op: RecordOp, id: UInt32, flags: UInt8, addrBase: UInt64
            switch phase.kind {
            case .touch: op = .anon; id = 0; flags = a.write ? Record.write : 0; addrBase = base
            case .shm: op = .shm; id = e.objectID(a.object!, shm: true); flags = Record.mapped | (a.write ? Record.write : 0); addrBase = 0
            default:
                op = .file; id = e.objectID(a.object!, shm: false); addrBase = 0
                flags = (a.mapped ? Record.mapped : 0) | (a.write ? Record.write : 0)
            }
            let progress = phase.seconds > 0 ? (from - phaseStart) / phase.seconds : 0
            for _ in 0..<n {
                let page = pattern!.next(&rng, progress: progress)
                e.access(op, pid: spec.pid, id: id, base: addrBase, page: page, flags: flags)
            }
        case .sleep, .repeat: break
        case .exit:
            e.append(Record(op: .exit, pid: spec.pid))
        }
    }
}
