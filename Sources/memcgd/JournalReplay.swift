import ArgumentParser
import MemcgEngine
import MemcgStore
import MemcgWorkload
#if canImport(Glibc)
import Glibc
#endif

/// `memcgd replay DIR`: a data directory's journal is a physical trace
/// (durability.md): its commands are applied in order to a fresh engine on
/// the machine the journal was written for, and the summary is the one a
/// trace replay prints. Snapshots are not read: the journal from its first
/// retained record is replayed, so a directory whose older segments a
/// snapshot removed is refused.
enum JournalReplay {
    /// A directory, or a file that starts as a journal segment.
    static func isJournal(_ path: String) -> Bool {
        var st = stat()
        guard path != "-", stat(path, &st) == 0 else { return false }
        if (st.st_mode & S_IFMT) == S_IFDIR { return true }
        guard let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var magic = [UInt8](repeating: 0, count: 8)
        return fread(&magic, 1, 8, f) == 8 && magic == Array("MEMCGJNL".utf8)
    }

    static func run(_ path: String) throws -> RunSummary {
        var engine: MemcgEngine? = nil
        var summary: RunSummary? = nil
        var expected: UInt64? = nil
        var peak = 0
        let progress = Progress("replaying \(path)")
        defer { progress.finish() }
        func apply(_ seq: UInt64, _ entry: JournalEntry, _ m: Machine) throws(StoreError) {
            if engine == nil {
                guard seq == 1 else {
                    throw StoreError("\(path): the journal starts at record \(seq); records before it were removed after a snapshot, so it cannot be replayed from an empty machine")
                }
                do throws(EngineError) { engine = try MemcgEngine(machine: m) } catch { throw StoreError(error.detail) }
                summary = RunSummary(machine: m, cgroup: m.cgroup.rawValue, kind: .physical)
            }
            if let expected, seq != expected { throw StoreError("\(path): record \(seq) where \(expected) was expected") }
            expected = seq + 1
            summary!.records += 1
            switch entry {
            case .reset:
                do throws(EngineError) { engine = try MemcgEngine(machine: m) } catch { throw StoreError(error.detail) }
                summary!.recordsApplied += 1
            case .command(let c):
                if case .events(let evs, _) = c { for e in evs { summary!.pages += e.pageCount } }
                do throws(EngineError) {
                    let out = try engine!.apply(c)
                    summary!.recordsApplied += 1
                    summary!.failedCharges += out.failures.filter { $0.result == .ENOMEM }.reduce(0) { $0 + $1.count }
                    summary!.evictions += out.evictedCount
                    for k in out.oomKills {
                        summary!.kills.append(KillEvent(time: 0, record: Int(seq), line: Int(seq), pid: k.pid, container: k.container, pages: k.pages))
                    }
                } catch {
                    summary!.recordsSkipped += 1
                    if case .setLimits = c { summary!.limitWritesRefused += 1 }
                }
            }
            peak = max(peak, engine!.view.engineSnapshot.chargedPages)
            if summary!.records % 4096 == 0 { progress.update(summary!.records, nil) }
        }
        do {
            _ = try JournalReader.forEachEntry(path: path) { (seq, entry, m) throws(StoreError) in try apply(seq, entry, m) }
        } catch {
            printError(error.message)
            throw TraceExit.badTrace
        }
        guard let engine, var s = summary else {
            printError("\(path): the journal holds no record")
            throw TraceExit.badTrace
        }
        s.peakFrames = peak
        let ps = s.machine.pageSize
        for c in engine.view.allContainers() where c.name != MemcgEngine.rootName {
            var k = ContainerCounts()
            k.name = c.name
            k.faults = c.total.pgfault
            k.evictions = c.total.pgsteal
            k.failcnt = c.failcnt
            k.oomKills = c.total.eventsOOMKill
            k.highEvents = c.total.eventsHigh
            k.lowEvents = c.total.eventsLow
            k.usage = c.usage * ps
            k.peakUsage = c.maxUsage * ps
            k.swap = c.controls.swapUsage * ps
            k.peakSwap = c.controls.swapPeak * ps
            k.limit = c.limit.map { $0 * ps }
            s.containers.append(k)
        }
        return s
    }
}
