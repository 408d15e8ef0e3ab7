import Testing
@testable import MemcgStore
@testable import MemcgEngine
#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary directory.
func tempDir() -> String {
    var template = Array("/tmp/memcgd-store-XXXXXX".utf8CString)
    let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: p!)
}

func removeTree(_ dir: String) {
    if let names = try? FileIO.listDirectory(dir) { for n in names { unlink("\(dir)/\(n)") } }
    rmdir(dir)
}

func copyTree(_ from: String, _ to: String) throws {
    try FileIO.makeDirectory(to)
    for n in try FileIO.listDirectory(from) {
        let b = try FileIO.readAll("\(from)/\(n)")
        let fd = open("\(to)/\(n)", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = b.withUnsafeBytes { FileIO.writeAll(fd, $0) }
        close(fd)
    }
}

/// SplitMix64.
struct Rand {
    var s: UInt64
    mutating func next() -> Int {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
    }
    mutating func below(_ n: Int) -> Int { next() % n }
}

/// Commands of every kind over a 128-frame machine: containers at depth,
/// limits, processes, forks, moves, exits, and batches of ranges and lists.
func commands(_ n: Int, seed: UInt64) -> [Command] {
    var r = Rand(s: seed)
    var out: [Command] = [
        .createContainer(name: "a", parent: nil, limits: ControlValues([(.max, 60), (.high, 50), (.low, 4)]), oomGroup: true, labels: ["k": "v"]),
        .createContainer(name: "b", parent: "a", limits: .max(30)),
        .createContainer(name: "c", parent: "b", limits: .max(nil), chargeType: .mapped),
        .createProcess(pid: 1, container: "a"), .createProcess(pid: 2, container: "b"), .createProcess(pid: 3, container: "c"),
    ]
    var pid = 3
    for _ in 0..<n {
        let live = [1, 2, 3] + (4...max(4, pid)).map { $0 }
        let p = live[r.below(live.count)]
        switch r.below(20) {
        case 0: pid += 1; out.append(.fork(pid: pid, parentPid: [1, 2, 3][r.below(3)]))
        case 1: out.append(.exitProcess(pid: max(4, p)))
        case 2: out.append(.moveProcess(pid: p, container: ["a", "b", "c", "root"][r.below(4)]))
        case 3: out.append(.setLimits(name: ["a", "b", "c"][r.below(3)], ControlValues([(.max, [20, 40, Int.max][r.below(3)])])))
        case 4: out.append(.reclaim(name: "a", pages: r.below(10)))
        case 5: out.append(.resetStats(name: "b", maxUsage: true, failcnt: r.below(2) == 0))
        case 6: out.append(.updateContainer(name: "c", chargeType: r.below(2) == 0 ? .all : nil, oomGroup: r.below(2) == 0))
        default:
            let ops: [PageOp] = [.anonFault, .anonFault, .fileFault, .pagecacheAdd, .unmap, .access, .mlock, .free, .swapin]
            var events: [PageEvent] = []
            for _ in 0..<(1 + r.below(3)) {
                let op = ops[r.below(ops.count)]
                let pages: PageEvent.Pages = r.below(2) == 0 ? .range(first: r.below(128), count: r.below(8))
                    : .list((0..<(1 + r.below(6))).map { _ in r.below(130) })
                events.append(PageEvent(op: op, pid: op.needsPid ? p : nil, pages: pages, shmem: op == .pagecacheAdd && r.below(3) == 0))
            }
            out.append(.events(events, listEvicted: r.below(2) == 0))
        }
    }
    return out
}

let testMachine = try! Machine(memoryBytes: 128 * 4096, swapBytes: 16 * 4096, cgroup: .v2)

/// A fresh engine fed `cmds`.
func replayed(_ cmds: some Sequence<Command>, machine: Machine = testMachine) throws -> MemcgEngine {
    let e = try MemcgEngine(machine: machine)
    for c in cmds { _ = try? e.apply(c) }
    return e
}

/// Applies and journals, as the HTTP layer does.
func run(_ store: Store, _ e: MemcgEngine, _ cmds: some Sequence<Command>) {
    for c in cmds {
        _ = try? e.apply(c)
        let seq = store.append(c)
        #expect(store.waitDurable(seq))
    }
}

/// Offsets of the records of a segment file.
func recordOffsets(_ path: String) throws -> [Int] {
    let bytes = try FileIO.readAll(path)
    var out: [Int] = []
    var at = RecordFormat.headerSize
    while at < bytes.count {
        out.append(at)
        let len = Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        at += RecordFormat.recordHeader + len
    }
    return out
}

func segments(_ dir: String) throws -> [String] { try FileIO.listDirectory(dir).filter { $0.hasSuffix(".log") } }

@Suite(.serialized) struct StoreTests {
    /// Every command kind survives the binary form unchanged.
    @Test func codecRoundTrip() throws {
        var cmds = commands(400, seed: 9)
        cmds += [.deleteContainer(name: "c"), .forceEmpty(name: "b"), .moveProcess(pid: 2, container: "a", moveCharge: 3),
                 .events([PageEvent(op: .migrate, pages: .list([1, -5, 1 << 40]), oldPages: .range(first: 3, count: 3))], listEvicted: true),
                 .createContainer(name: "z", parent: nil)]
        for c in cmds {
            var w = BinaryWriter()
            CommandCodec.encode(.command(c), into: &w)
            var r = BinaryReader(w.bytes)
            guard case .command(let back) = try CommandCodec.decode(&r) else { Issue.record("not a command"); continue }
            var w2 = BinaryWriter()
            CommandCodec.encode(.command(back), into: &w2)
            #expect(w2.bytes == w.bytes && r.remaining == 0, "\(c)")
            #expect("\(back)" == "\(c)")
        }
    }

    /// Commands journaled under each policy, with snapshots between, come
    /// back after a restart as the state of a fresh engine fed them all.
    @Test(arguments: FsyncPolicy.allCases)
    func restartRecoversEverything(policy: FsyncPolicy) throws {
        let dir = tempDir()
        defer { removeTree(dir) }
        let cmds = commands(3000, seed: 4)
        var cfg = StoreConfig(dataDir: dir, fsync: policy, machine: testMachine, segmentLimit: 16 << 10)
        do {
            let (store, e, report) = try Store.open(cfg)
            #expect(!report.hadState && report.lastSeq == 0)
            run(store, e, cmds[0..<1000])
            _ = try store.write(try store.takeSnapshot(of: e))
            run(store, e, cmds[1000..<2000])
            _ = try store.write(try store.takeSnapshot(of: e))
            run(store, e, cmds[2000...])
            store.close()
        }
        let files = try FileIO.listDirectory(dir)
        #expect(files.filter { $0.hasSuffix(".snap") }.count == 2)
        #expect(try segments(dir).count > 1, "\(files)")
        cfg.fsync = .always
        let (store, e, report) = try Store.open(cfg)
        defer { store.close() }
        #expect(report.snapshotSeq == 2000 && report.recordsReplayed == cmds.count - 2000 && report.lastSeq == UInt64(cmds.count))
        #expect(report.tornTail == nil && report.damagedSnapshots.isEmpty)
        #expect(e.snapshot() == (try replayed(cmds)).snapshot())
        #expect(store.lastSeq == UInt64(cmds.count))
    }

    /// The last record cut at every byte offset: recovery drops it, says
    /// so, truncates the file there, and the state is that of every record before it.
    @Test func tornTailAtEveryOffset() throws {
        let dir = tempDir()
        defer { removeTree(dir) }
        let cmds = commands(30, seed: 5)
        do {
            let (store, e, _) = try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: testMachine))
            run(store, e, cmds)
            store.close()
        }
        let seg = try segments(dir)[0]
        let offsets = try recordOffsets("\(dir)/\(seg)")
        let size = try FileIO.readAll("\(dir)/\(seg)").count
        let last = offsets.last!
        let expected = try replayed(cmds.dropLast()).snapshot()
        for cut in last..<size {
            let copy = tempDir()
            defer { removeTree(copy) }
            try copyTree(dir, copy)
            try FileIO.truncate("\(copy)/\(seg)", at: cut)
            let (store, e, report) = try Store.open(StoreConfig(dataDir: copy, fsync: .off, machine: testMachine))
            store.close()
            #expect(report.recordsReplayed == cmds.count - 1, "cut at \(cut)")
            if cut > last {
                #expect(report.tornTail?.offset == last && report.tornTail?.file == seg, "cut at \(cut)")
            }
            #expect(e.snapshot() == expected, "cut at \(cut)")
            #expect(try FileIO.readAll("\(copy)/\(seg)").count == last, "cut at \(cut): file truncated to the last good record")
        }
        // The whole file: nothing torn, every record.
        let (store, e, report) = try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: testMachine))
        store.close()
        #expect(report.tornTail == nil && report.recordsReplayed == cmds.count)
        #expect(e.snapshot() == (try replayed(cmds)).snapshot())
    }

    /// A byte flipped inside an earlier record (length, checksums or
    /// payload) refuses the start, naming the file and the offset;
    /// `--recover-truncate` cuts there and keeps the records before it.
    @Test func flippedByteInEarlierRecordRefusesStart() throws {
        let dir = tempDir()
        defer { removeTree(dir) }
        let cmds = commands(20, seed: 6)
        do {
            let (store, e, _) = try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: testMachine))
            run(store, e, cmds)
            store.close()
        }
        let seg = try segments(dir)[0]
        let offsets = try recordOffsets("\(dir)/\(seg)")
        let victim = 10
        for at in offsets[victim]..<offsets[victim + 1] {
            let copy = tempDir()
            defer { removeTree(copy) }
            try copyTree(dir, copy)
            var bytes = try FileIO.readAll("\(copy)/\(seg)")
            bytes[at] ^= 0x10
            try FileIO.writeAtomically(bytes, dir: copy, name: seg)
            do {
                _ = try Store.open(StoreConfig(dataDir: copy, fsync: .off, machine: testMachine))
                Issue.record("flipped byte \(at) was accepted")
            } catch {
                #expect(error.message.contains(seg) && error.message.contains("offset \(offsets[victim])"), "\(error.message)")
            }
            if at == offsets[victim] + 20 {
                let (store, e, report) = try Store.open(StoreConfig(dataDir: copy, fsync: .off, recoverTruncate: true, machine: testMachine))
                store.close()
                #expect(report.truncated?.offset == offsets[victim] && report.recordsReplayed == victim)
                #expect(e.snapshot() == (try replayed(cmds.prefix(victim))).snapshot())
            }
        }
    }

    /// A damaged newest snapshot: recovery falls back to the one before it
    /// and replays the journal from there, reaching the same state.
    @Test func damagedNewestSnapshotFallsBack() throws {
        let dir = tempDir()
        defer { removeTree(dir) }
        let cmds = commands(900, seed: 7)
        do {
            let (store, e, _) = try Store.open(StoreConfig(dataDir: dir, fsync: .batch, machine: testMachine))
            run(store, e, cmds[0..<300])
            _ = try store.write(try store.takeSnapshot(of: e))
            run(store, e, cmds[300..<600])
            _ = try store.write(try store.takeSnapshot(of: e))
            run(store, e, cmds[600...])
            store.close()
        }
        let snaps = try FileIO.listDirectory(dir).filter { $0.hasSuffix(".snap") }
        #expect(snaps.count == 2)
        var bytes = try FileIO.readAll("\(dir)/\(snaps.last!)")
        bytes[bytes.count / 2] ^= 0xFF
        try FileIO.writeAtomically(bytes, dir: dir, name: snaps.last!)
        let (store, e, report) = try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: testMachine))
        store.close()
        #expect(report.snapshot == snaps.first && report.damagedSnapshots.count == 1, "\(report)")
        #expect(report.recordsReplayed == cmds.count - 300)
        #expect(e.snapshot() == (try replayed(cmds)).snapshot())
        // Both damaged and the journal no longer reaching the start: refused, not an empty start.
        var first = try FileIO.readAll("\(dir)/\(snaps.first!)")
        first[40] ^= 1
        try FileIO.writeAtomically(first, dir: dir, name: snaps.first!)
        #expect(throws: StoreError.self) { try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: testMachine)) }
    }

    /// A data directory written with other machine flags is refused with a message naming them.
    @Test(arguments: [
        try! Machine(memoryBytes: 256 * 4096, swapBytes: 16 * 4096, cgroup: .v2),
        try! Machine(memoryBytes: 128 * 4096, swapBytes: 0, cgroup: .v2),
        try! Machine(memoryBytes: 128 * 4096, swapBytes: 16 * 4096, cgroup: .v1),
        try! Machine(pageSize: 8192, memoryBytes: 128 * 8192, swapBytes: 16 * 8192, cgroup: .v2),
        try! Machine(memoryBytes: 128 * 4096, swapBytes: 16 * 4096, cgroup: .v2, lru: .seed),
        try! Machine(memoryBytes: 128 * 4096, swapBytes: 16 * 4096, cgroup: .v2, swappiness: 10),
    ])
    func otherMachineIsRefused(other: Machine) throws {
        for withSnapshot in [false, true] {
            let dir = tempDir()
            defer { removeTree(dir) }
            do {
                let (store, e, _) = try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: testMachine))
                run(store, e, commands(10, seed: 1))
                if withSnapshot { _ = try store.write(try store.takeSnapshot(of: e)) }
                store.close()
            }
            do {
                _ = try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: other))
                Issue.record("another machine was accepted")
            } catch {
                #expect(error.message.contains("another machine setting") && error.message.contains("--memory 524288")
                        && error.message.contains("--lru split --swappiness 60"), "\(error.message)")
            }
        }
    }

    /// Concurrent writers under `always` each see their record durable;
    /// the journal holds every record once, in sequence order.
    @Test func groupCommitUnderConcurrency() async throws {
        let dir = tempDir()
        defer { removeTree(dir) }
        let (store, e, _) = try Store.open(StoreConfig(dataDir: dir, fsync: .always, machine: testMachine))
        let box = EngineBox(e)
        await withTaskGroup(of: Void.self) { g in
            for t in 0..<8 {
                g.addTask {
                    for i in 0..<50 {
                        let seq = box.locked { _ in store.append(.createProcess(pid: 1000 + t * 100 + i, container: "root")) }
                        #expect(store.waitDurable(seq))
                    }
                }
            }
        }
        store.close()
        let back = try JournalReader.records(dir: dir, after: 0, limit: 10_000)!
        #expect(back.map(\.seq) == Array(1...400))
    }
}

/// An engine behind a mutex, as the HTTP layer holds it.
final class EngineBox: @unchecked Sendable {
    let e: MemcgEngine
    let lock = StoreMutex()
    init(_ e: MemcgEngine) { self.e = e }
    func locked<T>(_ body: (MemcgEngine) -> T) -> T { lock.locked { body(e) } }
}
