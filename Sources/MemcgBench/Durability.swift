import MemcgEngine
import MemcgStore
#if canImport(Glibc)
import Glibc
#endif

/// Snapshot and recovery benchmarks (durability.md): the engine's snapshot
/// of a 16 GiB machine with every one of its 4M frames charged (copy, write,
/// restore), and recovery of a journal of 100M page events.
func durabilityBenchmarks() throws {
    let dir = "/tmp/memcgd-bench-durability-\(getpid())"
    mkdir(dir, 0o755)
    defer {
        if let d = opendir(dir) {
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink("\(dir)/\(name)") }
            }
            closedir(d)
        }
        rmdir(dir)
    }
    let machine = try Machine(pageSize: 4096, memoryBytes: 16 << 30, swapBytes: 0)

    // Snapshot: 4M charged frames in 8 containers, mapped by 16 processes.
    do {
        let (store, e, _) = try Store.open(StoreConfig(dataDir: dir, fsync: .always, machine: machine))
        let frames = machine.frames
        for c in 0..<8 { try e.apply(.createContainer(name: "c\(c)", parent: nil)) }
        for p in 0..<16 { try e.apply(.createProcess(pid: p + 1, container: "c\(p % 8)")) }
        let per = frames / 16
        for p in 0..<16 {
            try e.apply(.events([PageEvent(op: p % 2 == 0 ? .anonFault : .fileFault, pid: p + 1, pages: .range(first: p * per, count: per))], listEvicted: false))
        }
        let charged = e.view.engineSnapshot.chargedPages
        var pending: PendingSnapshot? = nil
        let tCopy = try clock.measure { pending = try store.takeSnapshot(of: e) }
        var result: SnapshotResult? = nil
        let tWrite = try clock.measure { result = try store.write(pending!) }
        print("snapshot, 16 GiB machine, \(charged) charged frames: copy (under the shared lock) \(format1(seconds(tCopy) * 1000)) ms, write+fsync+rename \(format1(seconds(tWrite) * 1000)) ms, total \(format1(seconds(tCopy + tWrite) * 1000)) ms, \(result!.bytes >> 20) MiB")
        let bytes = e.snapshot()
        var back: MemcgEngine? = nil
        let tRestore = try clock.measure { back = try MemcgEngine.restore(bytes) }
        print("restore of that snapshot (checksum, tables, invariants): \(format1(seconds(tRestore) * 1000)) ms; same state: \(back!.snapshot() == bytes)")
        store.close()
        let (s2, _, report) = try Store.open(StoreConfig(dataDir: dir, fsync: .always, machine: machine))
        print("recovery from that snapshot: \(format1(report.seconds * 1000)) ms (\(report.snapshot ?? "none"), \(report.recordsReplayed) records)")
        s2.close()
    }
    // Fresh directory for the journal benchmark.
    if let d = opendir(dir) {
        while let ent = readdir(d) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { unlink("\(dir)/\(name)") }
        }
        closedir(d)
    }

    // Recovery of 100M journaled page events: 10,000 records of page lists
    // (5,000 anon faults and their 5,000 unmaps each), written with --fsync off.
    let total = Int(getenv("MEMCG_BENCH_JOURNAL_EVENTS").map { String(cString: $0) } ?? "") ?? 100_000_000
    do {
        let (store, e, _) = try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: machine))
        try e.apply(.createProcess(pid: 1, container: "root"))
        store.append(.createProcess(pid: 1, container: "root"))
        let per = 5_000
        var written = 0, i = 0
        let tWrite = clock.measure {
            while written < total {
                let pages = (0..<per).map { (i * 7_919 + $0 * 13) % machine.frames }
                store.append(.events([PageEvent(op: .anonFault, pid: 1, pages: .list(pages)), PageEvent(op: .unmap, pid: 1, pages: .list(pages))], listEvicted: false))
                written += 2 * per
                i += 1
            }
        }
        store.close()
        var size = 0
        if let d = opendir(dir) {
            while let ent = readdir(d) {
                let name = withUnsafeBytes(of: ent.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                var st = stat()
                if stat("\(dir)/\(name)", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG { size += Int(st.st_size) }
            }
            closedir(d)
        }
        print("journal of \(written) page events in \(i + 1) records: \(size >> 20) MiB written in \(format1(seconds(tWrite))) s")
        let (s2, e2, report) = try Store.open(StoreConfig(dataDir: dir, fsync: .off, machine: machine))
        print("recovery of \(report.pageEvents) journaled page events (\(report.recordsReplayed) records, \(report.segments) segments): \(format1(report.seconds)) s (target < 10 s); charged after: \(e2.view.engineSnapshot.chargedPages)")
        s2.close()
    }
}
