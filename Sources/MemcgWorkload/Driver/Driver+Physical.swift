import MemcgEngine

/// Replay of a physical trace: the commands as recorded, frame numbers and all.
extension Driver {
    func runPhysical(progress: ((Int, Int) -> Void)?) throws(TraceError) -> RunSummary {
        guard config.overrides.isEmpty else {
            throw TraceError(line: nil, "--set cannot change a physical trace: its frame numbers hold only for the limits it was recorded under (use a logical trace)")
        }
        let ps = Int(pageSize)
        for (n, (line, item)) in trace.physical.enumerated() {
            currentLine = line
            recordIndex = n
            summary.records += 1
            summary.recordsApplied += 1
            var cmd: Command
            switch item {
            case .events(let events):
                let pages = events.reduce(0) { $0 + $1.pageCount }
                summary.pages += pages
                cmd = .events(events, listEvicted: false)
                do {
                    let out = try engine.apply(cmd)
                    summary.evictions += out.evictedCount
                    summary.failedCharges += out.failures.filter { $0.result == .ENOMEM }.count
                    for (i, e) in events.enumerated() where e.op == .swapin || e.op == .swapoff {
                        summary.refaults += e.pageCount - out.failures.filter { $0.index == i }.count
                    }
                    for k in out.oomKills {
                        summary.kills.append(KillEvent(time: 0, record: n + 1, line: line, pid: k.pid, container: k.container, pages: k.pages))
                    }
                    if out.evictedCount > 0 { notePhysicalSwap() }
                } catch { throw self.error("\(error.code.rawValue): \(error.detail)") }
                if n & 0xFFF == 0 { progress?(n, trace.physical.count) }
                continue
            case let .createContainer(name, parent, controls, mappedOnly):
                cmd = .createContainer(name: name, parent: parent, limits: engineControls(controls), chargeType: mappedOnly ? .mapped : .all)
            case .deleteContainer(let name): cmd = .deleteContainer(name: name)
            case let .setLimits(name, controls):
                guard !controls.values.isEmpty else { continue }
                cmd = .setLimits(name: name, engineControls(controls))
            case let .resetStats(name, m, f): cmd = .resetStats(name: name, maxUsage: m, failcnt: f)
            case .forceEmpty(let name): cmd = .forceEmpty(name: name)
            case let .createProcess(pid, container): cmd = .createProcess(pid: pid, container: container)
            case let .fork(pid, parent): cmd = .fork(pid: pid, parentPid: parent)
            case let .move(pid, container): cmd = .moveProcess(pid: pid, container: container)
            case .exit(let pid): cmd = .exitProcess(pid: pid)
            }
            do {
                let out = try engine.apply(cmd)
                summary.evictions += out.evicted.count
                if !out.evicted.isEmpty { notePhysicalSwap() }
            } catch {
                summary.evictions += error.evicted.count
                if error.code == .EBUSY, case .setLimits = cmd { summary.limitWritesRefused += 1; continue }
                throw self.error("\(error.code.rawValue): \(error.detail)")
            }
        }
        progress?(trace.physical.count, trace.physical.count)
        var s = summary
        s.containers = engine.view.allContainers().map { snap in
            var k = ContainerCounts()
            k.name = snap.name
            k.usage = snap.usage * ps
            k.peakUsage = snap.maxUsage * ps
            k.limit = snap.limit.map { $0 * ps }
            k.failcnt = snap.failcnt
            k.highEvents = snap.total.eventsHigh
            k.lowEvents = snap.total.eventsLow
            k.faults = snap.total.pgfault
            k.evictions = snap.total.pgsteal
            k.swap = snap.total.swap * ps
            k.peakSwap = (physicalSwapPeak[snap.name] ?? 0) * ps
            k.oomKills = s.kills.filter { $0.container == snap.name }.count
            return k
        }
        s.peakFrames = engine.view.engineSnapshot.chargedPages
        return s
    }

    func notePhysicalSwap() {
        for snap in engine.view.allContainers() where snap.total.swap > physicalSwapPeak[snap.name] ?? 0 {
            physicalSwapPeak[snap.name] = snap.total.swap
        }
    }
}
