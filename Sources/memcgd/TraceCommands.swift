import ArgumentParser
import MemcgEngine
import MemcgWorkload
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes of workloads.md section 4.
enum TraceExit {
    static let usage = ExitCode(64)
    static let badTrace = ExitCode(65)
}

func printError(_ s: String) { writeErr("memcgd: \(s)\n") }

/// Progress bar on standard error, only when it is a terminal.
final class Progress {
    let enabled = isatty(2) == 1
    let label: String
    var start = timespec()
    var last = 0.0

    init(_ label: String) {
        self.label = label
        clock_gettime(CLOCK_MONOTONIC, &start)
    }

    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec - start.tv_sec) + Double(t.tv_nsec - start.tv_nsec) / 1e9
    }

    func update(_ done: Int, _ total: Int?) {
        guard enabled else { return }
        let t = now()
        guard t - last >= 0.2 || done == total else { return }
        last = t
        let rate = t > 0 ? Double(done) / t : 0
        var line = "\r\(label): \(done) records, \(Int(rate))/s"
        if let total, total > 0 {
            let frac = min(1, Double(done) / Double(total))
            let bar = String(repeating: "#", count: Int(frac * 30)) + String(repeating: ".", count: 30 - Int(frac * 30))
            let left = rate > 0 ? Double(total - done) / rate : 0
            line = "\r\(label) [\(bar)] \(Int(frac * 100))%  \(done)/\(total), \(Int(rate))/s, \(Int(left))s left"
        }
        writeErr(line + "\u{1B}[K")
    }

    func finish() { if enabled { writeErr("\r\u{1B}[K") } }
}

/// Machine flags shared by replay and whatif.
struct MachineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Simulated memory, e.g. 4G. Default: the trace's header, else 16G.", valueName: "size"))
    var memory: String?
    @Option(help: ArgumentHelp("Swap, e.g. 1G. Default: the trace's header, else 0.", valueName: "size"))
    var swap: String?
    @Option(name: .customLong("page-size"), help: "Page size in bytes. Default: the trace's header, else 4096.")
    var pageSize: Int?
    @Option(help: "cgroup interface, v1 or v2. Default: the trace's header, else v2.")
    var cgroup: String?
    @Option(help: "Reclaim lists, split or seed. Default: split with v2, seed with v1.")
    var lru: String?
    @Option(help: "With --lru split, anon against file reclaim, 0...200 (vm.swappiness). Default: 60.")
    var swappiness: Int?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a control the trace sets: NAME.CONTROL=VALUE, e.g. web.max=512M (repeatable).", valueName: "NAME.CONTROL=VALUE"))
    var set: [String] = []

    func config(for trace: Trace) throws -> ReplayConfig {
        func bytes(_ flag: String?, _ name: String, _ header: Int?, _ def: Int) throws -> Int {
            guard let flag else { return header ?? def }
            guard let v = parseBytes(flag) else { throw usage("\(name) must be a size such as 4G, not \"\(flag)\"") }
            return v
        }
        let cg = cgroup ?? trace.header.cgroup ?? "v2"
        guard let version = CgroupVersion(rawValue: cg) else { throw usage("--cgroup must be v1 or v2") }
        var lruMode: LRUMode? = nil
        if let lru {
            guard let m = LRUMode(rawValue: lru) else { throw usage("--lru must be split or seed") }
            lruMode = m
        }
        let machine: Machine
        do {
            machine = try Machine(pageSize: pageSize ?? trace.header.pageSize ?? 4096,
                                  memoryBytes: try bytes(memory, "--memory", trace.header.memoryBytes, 16 << 30),
                                  swapBytes: try bytes(swap, "--swap", trace.header.swapBytes, 0),
                                  cgroup: version, lru: lruMode, swappiness: swappiness ?? Machine.defaultSwappiness)
        } catch let e as EngineError { throw usage(e.detail) }
        var overrides: [Override] = []
        for s in set {
            do { overrides.append(try WhatIf.parseSet(s)) } catch { throw usage(error.message) }
        }
        return ReplayConfig(machine: machine, cgroup: cg, overrides: overrides)
    }
}

func usage(_ message: String) -> Error {
    printError(message)
    return TraceExit.usage
}

/// Reads a trace (JSON lines or `memcgd trace pack` binary), mapping errors to exit 65.
func loadTrace(_ path: String) throws -> Trace {
    let progress = Progress("reading \(path)")
    defer { progress.finish() }
    if SpecReader.isSpecPath(path) { return WorkloadGenerator.trace(try loadSpec(path)) }
    do {
        if path != "-" && TracePack.isPacked(path: path) { return try TracePack.read(path: path) }
        return try TraceReader.read(path: path) { done, total, _ in progress.update(done, total) }
    } catch {
        printError("\(path): \(error)")
        throw error.line == nil ? TraceExit.usage : TraceExit.badTrace
    }
}

func write(_ text: String, to path: String) throws {
    guard let f = fopen(path, "w") else { throw usage("cannot write \(path): \(String(cString: strerror(errno)))") }
    fputs(text, f)
    fclose(f)
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a trace on a fresh engine and print what happened.",
        discussion: "Exit codes: 0 done, 64 bad usage (or the machine is too small), 65 bad trace (the message names the line).")

    @Argument(help: "The trace: JSON lines, logical or physical (- for standard input); a workload spec (.yaml, .yml, .json); or a --data-dir (or one journal-*.log segment of it), whose journal is replayed.") var trace: String
    @OptionGroup var machine: MachineOptions
    @Option(help: "table, json or csv.") var format = "table"
    @Option(help: ArgumentHelp("Write per-container usage, working set, swap, refaults and events over virtual time.", valueName: "FILE.csv"))
    var series: String?
    @Option(help: "Seconds of virtual time between two rows of --series (and points of --plot). Default: 1.") var every: Double = 1
    @Option(help: ArgumentHelp("Draw each container's usage over virtual time, its limit and the OOM kills.", valueName: "FILE.svg"))
    var plot: String?

    func run() throws {
        guard ["table", "json", "csv"].contains(format) else { throw usage("--format must be table, json or csv") }
        guard every > 0, every.isFinite else { throw usage("--every must be a positive number of seconds") }
        if JournalReplay.isJournal(trace) {
            guard series == nil, machine.set.isEmpty, machine.memory == nil, machine.swap == nil, machine.pageSize == nil, machine.cgroup == nil else {
                throw usage("a journal replays on the machine it was written on: --memory, --swap, --page-size, --cgroup, --set and --series do not apply")
            }
            let summary = try JournalReplay.run(trace)
            switch format {
            case "json": print(summary.json(trace: trace))
            case "csv": print(summary.csv(), terminator: "")
            default: print(summary.table(trace: trace), terminator: "")
            }
            return
        }
        let t = try loadTrace(trace)
        var cfg = try machine.config(for: t)
        if series != nil || plot != nil { cfg.seriesEvery = every }
        let progress = Progress("replaying")
        let driver: Driver
        let summary: RunSummary
        do {
            driver = try Driver(trace: t, config: cfg)
            summary = try driver.run { done, total in progress.update(done, total) }
        } catch {
            progress.finish()
            printError("\(trace): \(error)")
            throw error.message.contains("machine is full") || error.line == nil ? TraceExit.usage : TraceExit.badTrace
        }
        progress.finish()
        if let series { try write(driver.seriesRows.csv(), to: series) }
        if let plot {
            let name = trace.split(separator: "/").last.map(String.init) ?? trace
            try write(UsagePlot.svg(title: "memory usage replaying \(name)", rows: driver.seriesRows, summary: summary), to: plot)
        }
        switch format {
        case "json": print(summary.json(trace: trace))
        case "csv": print(summary.csv(), terminator: "")
        default: print(summary.table(trace: trace), terminator: "")
        }
    }
}

struct WhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "Replay a trace under several values of a control and compare.",
        discussion: "--vary web.max=256M,512M,1G or --vary web.max=128M..2G/16; --find-min web.max bisects for the smallest limit with no OOM kill. Exit codes: 0, 64 bad usage, 65 bad trace.")

    @Argument(help: "A logical trace (JSON lines) or a workload spec (.yaml, .yml, .json).") var trace: String
    @OptionGroup var machine: MachineOptions
    @Option(help: ArgumentHelp("NAME.CONTROL=V1,V2,... or NAME.CONTROL=LO..HI/STEPS.", valueName: "spec")) var vary: String?
    @Option(name: .customLong("find-min"), help: ArgumentHelp("Bisect NAME.CONTROL for the smallest value with no OOM kill.", valueName: "NAME.CONTROL"))
    var findMin: String?
    @Option(help: ArgumentHelp("Resolution of --find-min, e.g. 1M. Default: one page.", valueName: "size")) var step: String?
    @Option(help: "Replays run at once. Default: the number of cores.") var jobs: Int?
    @Option(help: "table, json or csv.") var format = "table"
    @Option(help: ArgumentHelp("Draw refaults and OOM kills against the value.", valueName: "FILE.svg")) var plot: String?

    func run() throws {
        guard (vary == nil) != (findMin == nil) else { throw usage("give one of --vary and --find-min") }
        guard ["table", "json", "csv"].contains(format) else { throw usage("--format must be table, json or csv") }
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let jobs = self.jobs ?? cores
        guard (1...256).contains(jobs) else { throw usage("--jobs must be 1 to 256") }
        let t = try loadTrace(trace)
        guard t.kind == .logical else {
            throw usage("\(trace) is a physical trace: its frame numbers hold only for the limits it was recorded under; what-if needs a logical trace")
        }
        let base = try machine.config(for: t)
        if let findMin {
            let target: (String, Control)
            do { target = try WhatIf.parseTarget(findMin) } catch { throw usage(error.message) }
            var stepBytes = base.machine.pageSize
            if let step {
                guard let s = parseBytes(step), s >= base.machine.pageSize else { throw usage("--step must be a size of at least one page") }
                stepBytes = s
            }
            guard t.createdContainers.contains(target.0) else { throw usage("the trace creates no container named \"\(target.0)\"") }
            do {
                let r = try WhatIf.findMin(t, base: base, container: target.0, step: stepBytes, jobs: jobs)
                if let v = r.value {
                    print("smallest \(findMin) with no OOM kill: \(humanBytes(v)) (\(v) bytes), found in \(r.replays) replays")
                } else {
                    print("no value of \(findMin) avoids OOM kills: the trace has \(r.unlimited.kills.count) even with \(target.0) unlimited (\(r.replays) replay)")
                }
            } catch { return try fail(error) }
            return
        }
        let spec: (container: String, control: Control, values: [Int?])
        do { spec = try WhatIf.parseVary(vary!) } catch { throw usage(error.message) }
        guard t.createdContainers.contains(spec.container) else { throw usage("the trace creates no container named \"\(spec.container)\"") }
        let results = WhatIf.sweep(t, base: base, container: spec.container, control: spec.control, values: spec.values, jobs: jobs)
        var summaries: [RunSummary] = []
        for r in results {
            switch r {
            case .success(let s): summaries.append(s)
            case .failure(let e): return try fail(e)
            }
        }
        switch format {
        case "json": print(WhatIf.json(container: spec.container, control: spec.control, values: spec.values, results: summaries))
        case "csv":
            print(WhatIf.table(container: spec.container, values: spec.values, results: summaries, human: false)
                .map { $0.joined(separator: ",") }.joined(separator: "\n"))
        default:
            print("what if \(spec.container).\(spec.control.name) were ...  (\(trace), \(summaries.first?.records ?? 0) records, \(min(jobs, spec.values.count)) jobs)")
            print(formatTable(WhatIf.table(container: spec.container, values: spec.values, results: summaries)), terminator: "")
        }
        if let plot {
            let vals = zip(spec.values, summaries).map { $0.0 ?? $0.1.container(spec.container)?.peakUsage ?? 0 }
            try write(SweepPlot.svg(title: "What if \(spec.container).\(spec.control.name) were smaller? (\(trace.split(separator: "/").last ?? ""))",
                                    container: spec.container, control: spec.control, values: vals,
                                    refaults: summaries.map(\.refaults), kills: summaries.map { $0.kills.count }), to: plot)
        }
    }

    func fail(_ e: TraceError) throws {
        printError("\(trace): \(e)")
        throw e.message.contains("machine is full") || e.line == nil ? TraceExit.usage : TraceExit.badTrace
    }
}

/// Writes to standard error (fd 2) without touching the C `stderr` global.
func writeErr(_ s: String) {
    var s = s
    s.withUTF8 { buf in _ = Glibc.write(2, buf.baseAddress, buf.count) }
}

struct TraceGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "Work with trace files.", subcommands: [Pack.self])

    struct Pack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a logical trace in memcgd's compact binary form (read back without JSON parsing).")
        @Argument(help: "A logical trace (JSON lines).") var trace: String
        @Option(name: .shortAndLong, help: "The packed file to write.") var output: String

        func run() throws {
            let t = try loadTrace(trace)
            let bytes: [UInt8]
            do { bytes = try TracePack.pack(t) } catch { throw usage(error.message) }
            guard let f = fopen(output, "wb") else { throw usage("cannot write \(output)") }
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            fclose(f)
            writeErr("packed \(t.recordCount) records into \(bytes.count) bytes\n")
        }
    }
}
