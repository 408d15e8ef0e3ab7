import Testing
import Foundation
import MemcgEngine
@testable import MemcgWorkload

@Suite struct Determinism {
    /// The same trace and flags give byte-identical JSON.
    @Test func sameJSON() throws {
        let lines = WholeTraces.zipfTrace(pages: 300, records: 3000)
        let set = [Override(container: "app", control: .max, bytes: 600 * 1024)]
        let (_, a) = try replay(lines, set: set)
        let (_, b) = try replay(lines, set: set)
        #expect(a.json(trace: "t") == b.json(trace: "t"))
        #expect(a.refaults > 0)
    }

    /// whatif with one job and with two gives the same results, in the order of the values.
    @Test func jobsDoNotChangeTheTable() throws {
        let trace = try TraceReader.read(text: WholeTraces.zipfTrace(pages: 300, records: 3000).joined(separator: "\n"))
        let cfg = ReplayConfig(machine: try Machine(memoryBytes: 64 << 20, swapBytes: 64 << 20))
        let values: [Int?] = [256 << 10, 512 << 10, 1 << 20, nil]
        let one = WhatIf.sweep(trace, base: cfg, container: "app", control: .max, values: values, jobs: 1).map { try! $0.get() }
        let two = WhatIf.sweep(trace, base: cfg, container: "app", control: .max, values: values, jobs: 2).map { try! $0.get() }
        #expect(one == two)
        #expect(one[0].refaults > one[2].refaults)
        #expect(one[3].refaults == 0)
    }

    /// --vary ranges and lists parse to bytes; every v2 control is a target; unknown ones are refused by name.
    @Test func varySyntax() throws {
        let r = try WhatIf.parseVary("web.max=128M..2G/16")
        #expect(r.values.count == 16)
        #expect(r.values.first! == 128 << 20)
        #expect(r.values.last! == 2 << 30)
        #expect(try WhatIf.parseVary("web.max=256M,1G,max").values == [256 << 20, 1 << 30, nil])
        #expect(try WhatIf.parseVary("web.high=1G").control == .high)
        #expect(try WhatIf.parseVary("web.swap_max=0,1G").control == .swapMax)
        #expect(throws: TraceError.self) { try WhatIf.parseVary("web.soft=1G") }
    }
}

@Suite struct Packed {
    /// A packed trace reads back equal and replays to the same summary; damaged bytes are refused.
    @Test func roundTrip() throws {
        let trace = try TraceReader.read(text: WholeTraces.zipfTrace(pages: 100, records: 500).joined(separator: "\n"))
        let bytes = try TracePack.pack(trace)
        let back = try TracePack.unpack(bytes)
        #expect(back.records == trace.records)
        #expect(back.containerSpecs == trace.containerSpecs)
        var cut = bytes
        cut.removeLast(3)
        #expect(throws: TraceError.self) { try TracePack.unpack(cut) }
        var flipped = bytes
        flipped[bytes.count - 2] = 200   // an op that does not exist
        #expect(throws: TraceError.self) { try TracePack.unpack(flipped) }
    }

    /// From a file: mapped, it reads back as the bytes do; a truncated file
    /// is refused; a pipe (not mappable) is read in chunks.
    @Test func fromFile() throws {
        let trace = try TraceReader.read(text: WholeTraces.zipfTrace(pages: 100, records: 500).joined(separator: "\n"))
        let bytes = try TracePack.pack(trace)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("packed-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.mtrace")
        try Data(bytes).write(to: file)
        #expect(try TracePack.read(path: file.path).records == trace.records)
        try Data(bytes.dropLast(5)).write(to: file)
        #expect(throws: TraceError.self) { try TracePack.read(path: file.path) }
        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            bytes.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        #expect(try TracePack.read(path: fifo).records == trace.records)
    }
}
