import Testing
import MemcgEngine
@testable import MemcgWorkload

/// Replays a trace given as lines on a small machine.
func replay(_ lines: [String], memory: Int = 64 << 20, swap: Int = 64 << 20, set: [Override] = []) throws -> (Driver, RunSummary) {
    let trace = try TraceReader.read(text: lines.joined(separator: "\n"))
    let d = try Driver(trace: trace, config: ReplayConfig(machine: try Machine(memoryBytes: memory, swapBytes: swap), overrides: set))
    let s = try d.run()
    return (d, s)
}

/// Every frame the driver thinks free is uncharged in the engine, and the reverse.
func checkFrames(_ d: Driver) {
    var free = Set(d.frames.free.map(Int.init))
    for f in d.frames.nextNew..<min(d.config.machine.frames, d.frames.nextNew + 4) { free.insert(f) }
    for f in 0..<d.frames.nextNew {
        #expect(free.contains(f) == (d.engine.view.owner(ofPage: f) == nil), "frame \(f)")
    }
}

@Suite struct DriverRules {
    /// A read of anonymous memory never touched maps the zero page: nothing is charged.
    @Test func zeroPageReadChargesNothing() throws {
        let (d, s) = try replay([
            #"{"op":"spawn","pid":1,"container":"root"}"#,
            #"{"op":"anon","pid":1,"addr":0,"len":40960}"#,
        ])
        #expect(s.zeroPageReads == 10)
        #expect(s.firstTouches == 0)
        #expect(d.engine.view.engineSnapshot.chargedPages == 0)
    }

    /// A forked child writing a shared page copies it (cow): two frames, the parent's intact.
    @Test func forkedChildWriteCows() throws {
        let (d, s) = try replay([
            #"{"op":"spawn","pid":1,"container":"root"}"#,
            #"{"op":"anon","pid":1,"addr":0,"len":4096,"write":true}"#,
            #"{"op":"fork","pid":2,"parent":1}"#,
            #"{"op":"anon","pid":2,"addr":0,"len":4096}"#,
            #"{"op":"anon","pid":2,"addr":0,"len":4096,"write":true}"#,
        ])
        #expect(s.cows == 1)
        #expect(d.engine.view.engineSnapshot.chargedPages == 2)
        #expect(d.engine.view.mappings(ofPage: 0, pid: 1) == 1)
        #expect(d.engine.view.mappings(ofPage: 0, pid: 2) == 0)
        #expect(d.engine.view.mappings(ofPage: 1, pid: 2) == 1)
        checkFrames(d)
    }

    /// A page evicted to swap comes back by swapin naming its old frame; the slot is released.
    @Test func swapInWithOldFrame() throws {
        var lines = [#"{"op":"container","name":"web","limits":{"max":"16K"}}"#, #"{"op":"spawn","pid":1,"container":"web"}"#]
        lines.append(#"{"op":"anon","pid":1,"addr":0,"len":20480,"write":true}"#)  // 5 pages in a 4-page limit
        lines.append(#"{"op":"anon","pid":1,"addr":0,"len":4096}"#)                // page 0 was evicted: refault
        let (d, s) = try replay(lines)
        #expect(s.firstTouches == 5)
        #expect(s.refaults == 1)
        #expect(s.evictions >= 1)
        #expect(s.kills.isEmpty)
        let web = try #require(s.container("web"))
        #expect(web.peakUsage == 16384)
        #expect(web.refaults == 1)
        // Every slot is accounted: swapped pages = touched - resident.
        #expect(d.engine.view.engineSnapshot.swapUsed == 5 - d.engine.view.engineSnapshot.chargedPages)
        checkFrames(d)
    }

    /// A file page evicted and read again counts one refault.
    @Test func fileRefault() throws {
        let (d, s) = try replay([
            #"{"op":"container","name":"c","limits":{"max":"8K"}}"#,
            #"{"op":"spawn","pid":1,"container":"c"}"#,
            #"{"op":"file","pid":1,"file":"a","offset":0,"len":4096}"#,
            #"{"op":"file","pid":1,"file":"b","offset":0,"len":8192}"#,
            #"{"op":"file","pid":1,"file":"a","offset":0,"len":4096}"#,
        ], swap: 0)
        #expect(s.firstTouches == 3)
        #expect(s.refaults == 1)
        #expect(s.kills.isEmpty)
        checkFrames(d)
    }

    /// Records of a process the OOM killer took are skipped and counted.
    @Test func killedProcessSkipped() throws {
        let (d, s) = try replay([
            #"{"op":"container","name":"c","limits":{"max":"8K"}}"#,
            #"{"op":"spawn","pid":1,"container":"c"}"#,
            #"{"op":"anon","pid":1,"addr":0,"len":16384,"write":true}"#,
            #"{"op":"anon","pid":1,"addr":0,"len":4096,"write":true}"#,
            #"{"op":"exit","pid":1}"#,
        ], swap: 0)
        #expect(s.kills.count == 1)
        #expect(s.kills.first?.pid == 1)
        #expect(s.kills.first?.line == 3)
        #expect(s.recordsSkipped == 2)
        #expect(s.records == s.recordsApplied + s.recordsSkipped)
        #expect(d.engine.view.engineSnapshot.chargedPages == 0)
        checkFrames(d)
    }

    /// Unmap of a page out in swap gives up the slot (swap_free).
    @Test func unmapSwappedFreesSlot() throws {
        let (d, _) = try replay([
            #"{"op":"container","name":"c","limits":{"max":"8K"}}"#,
            #"{"op":"spawn","pid":1,"container":"c"}"#,
            #"{"op":"anon","pid":1,"addr":0,"len":16384,"write":true}"#,
            #"{"op":"unmap","pid":1,"addr":0,"len":16384}"#,
        ])
        #expect(d.engine.view.engineSnapshot.swapUsed == 0)
        #expect(d.engine.view.engineSnapshot.chargedPages == 0)
        checkFrames(d)
    }

    /// Repeated accesses to one page are collapsed to two.
    @Test func repeatsCollapse() throws {
        var lines = [#"{"op":"spawn","pid":1,"container":"root"}"#, #"{"op":"anon","pid":1,"addr":0,"len":4096,"write":true}"#]
        for _ in 0..<5 { lines.append(#"{"op":"anon","pid":1,"addr":0,"len":4096}"#) }
        let (_, s) = try replay(lines)
        #expect(s.hits == 1)       // the fault was the first, one access activates
        #expect(s.collapsed == 4)
    }

    /// Shared memory out in swap comes back with swap_free for each holder.
    @Test func shmSwapRoundTrip() throws {
        let (d, s) = try replay([
            #"{"op":"container","name":"c","limits":{"max":"8K"}}"#,
            #"{"op":"spawn","pid":1,"container":"c"}"#,
            #"{"op":"shm","pid":1,"segment":"s","offset":0,"len":16384}"#,
            #"{"op":"shm","pid":1,"segment":"s","offset":0,"len":16384}"#,
        ])
        #expect(s.firstTouches == 4)
        #expect(s.refaults > 0)
        #expect(s.kills.isEmpty)
        #expect(d.engine.view.engineSnapshot.swapUsed <= 2)
        checkFrames(d)
    }

    /// --set c.max overrides the trace; a v2 control in the trace applies
    /// (memory.high throttles without a kill); v1 refuses it.
    @Test func overridesAndUnsupported() throws {
        let lines = [#"{"op":"container","name":"c","limits":{"max":"8K"}}"#, #"{"op":"spawn","pid":1,"container":"c"}"#,
                     #"{"op":"anon","pid":1,"addr":0,"len":16384,"write":true}"#]
        let (_, s) = try replay(lines, swap: 0, set: [Override(container: "c", control: .max, bytes: nil)])
        #expect(s.kills.isEmpty)
        #expect(s.container("c")?.peakUsage == 16384)
        let (_, h) = try replay([#"{"op":"container","name":"c","limits":{"high":"8K"}}"#, #"{"op":"spawn","pid":1,"container":"c"}"#,
                                 #"{"op":"file","pid":1,"file":"f","offset":0,"len":32768}"#], swap: 0)
        #expect(h.kills.isEmpty)
        #expect(h.container("c")!.peakUsage <= 12288)
        #expect(h.container("c")!.highEvents > 0)
        #expect(h.container("c")!.failcnt == 0)
    }
}

@Suite struct WholeTraces {
    static func zipfTrace(pages: Int, records: Int) -> [String] {
        var rng = SplitMix(seed: 42)
        var lines = [#"{"op":"container","name":"app"}"#, #"{"op":"spawn","pid":10,"container":"app"}"#]
        for _ in 0..<records {
            let u = Double(rng.next() % 1_000_000) / 1_000_000
            let page = Int(Double(pages) * u * u)   // skewed towards low pages
            if rng.next() % 3 == 0 {
                lines.append(#"{"op":"file","pid":10,"file":"data","offset":\#(page * 4096),"len":4096}"#)
            } else {
                lines.append(#"{"op":"anon","pid":10,"addr":\#(page * 4096),"len":4096,"write":true}"#)
            }
        }
        return lines
    }

    /// No limit: peak usage = distinct pages touched, no refaults; half of it: refaults and every record accounted.
    @Test func noLimitThenHalf() throws {
        let lines = Self.zipfTrace(pages: 400, records: 5000)
        let (_, free) = try replay(lines)
        let app = try #require(free.container("app"))
        #expect(app.peakUsage == free.firstTouches * 4096)
        #expect(free.refaults == 0)
        let half = (app.peakUsage / 2 / 4096) * 4096
        let (d, tight) = try replay(lines, set: [Override(container: "app", control: .max, bytes: half)])
        #expect(tight.refaults > 0)
        #expect(tight.kills.isEmpty)
        #expect(tight.container("app")!.peakUsage <= half)
        #expect(tight.records == tight.recordsApplied + tight.recordsSkipped)
        #expect(tight.pages == tight.firstTouches + tight.refaults + tight.hits + tight.collapsed + tight.zeroPageReads + tight.failedCharges + tight.cows)
        checkFrames(d)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
