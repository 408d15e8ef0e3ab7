import MemcgEngine

/// What a journal record holds: a command for the engine's `apply`, or a
/// machine reset (a fresh engine on the same machine).
public enum JournalEntry: Sendable {
    case command(Command)
    case reset
}

/// The compact binary form of a command in a journal record (documented
/// in docs/durability.md). Page lists whose pages all fit 32 bits are
/// written as 4-byte numbers, others as 8-byte ones; decoding checks every
/// length against the record, so a damaged record throws and never traps.
public enum CommandCodec {
    enum Tag: UInt8 {
        case createContainer = 1, deleteContainer, setLimits, updateContainer, resetStats, forceEmpty, reclaim
        case createProcess, fork, moveProcess, exitProcess, events
        case reset = 100
    }

    public static func encode(_ entry: JournalEntry, into w: inout BinaryWriter) {
        guard case .command(let c) = entry else { w.u8(Tag.reset.rawValue); return }
        switch c {
        case let .createContainer(name, parent, limits, chargeType, oomGroup, labels):
            w.u8(Tag.createContainer.rawValue)
            w.string(name)
            w.bool(parent != nil)
            if let parent { w.string(parent) }
            encode(limits, &w)
            w.u8(chargeType == .all ? 0 : 1)
            w.bool(oomGroup)
            w.int(labels.count)
            for k in labels.keys.sorted() { w.string(k); w.string(labels[k]!) }
        case let .deleteContainer(name):
            w.u8(Tag.deleteContainer.rawValue); w.string(name)
        case let .setLimits(name, values):
            w.u8(Tag.setLimits.rawValue); w.string(name); encode(values, &w)
        case let .updateContainer(name, chargeType, oomGroup):
            w.u8(Tag.updateContainer.rawValue); w.string(name)
            w.u8(chargeType.map { $0 == .all ? 1 : 2 } ?? 0)
            w.u8(oomGroup.map { $0 ? 2 : 1 } ?? 0)
        case let .resetStats(name, maxUsage, failcnt):
            w.u8(Tag.resetStats.rawValue); w.string(name); w.bool(maxUsage); w.bool(failcnt)
        case let .forceEmpty(name):
            w.u8(Tag.forceEmpty.rawValue); w.string(name)
        case let .reclaim(name, pages):
            w.u8(Tag.reclaim.rawValue); w.string(name); w.int(pages)
        case let .createProcess(pid, container):
            w.u8(Tag.createProcess.rawValue); w.int(pid); w.string(container)
        case let .fork(pid, parentPid):
            w.u8(Tag.fork.rawValue); w.int(pid); w.int(parentPid)
        case let .moveProcess(pid, container, moveCharge):
            w.u8(Tag.moveProcess.rawValue); w.int(pid); w.string(container); w.int(moveCharge)
        case let .exitProcess(pid):
            w.u8(Tag.exitProcess.rawValue); w.int(pid)
        case let .events(events, listEvicted):
            w.u8(Tag.events.rawValue)
            w.bool(listEvicted)
            w.int(events.count)
            for e in events {
                w.u8(UInt8(e.op.rawValue))
                w.bool(e.pid != nil)
                if let pid = e.pid { w.int(pid) }
                w.bool(e.shmem)
                encode(e.pages, &w)
                if let old = e.oldPages { encode(old, &w) } else { w.u8(0) }
            }
        }
    }

    private static func encode(_ v: ControlValues, _ w: inout BinaryWriter) {
        for c in Control.allCases {
            w.bool(v[c] != nil)
            if let x = v[c] { w.int(x) }
        }
    }

    private static func encode(_ p: PageEvent.Pages, _ w: inout BinaryWriter) {
        switch p {
        case let .range(first, count):
            w.u8(1); w.int(first); w.int(count)
        case let .list(list):
            if list.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) {
                w.u8(2); w.int(list.count)
                for v in list { w.u32(UInt32(v)) }
            } else {
                w.u8(3); w.int(list.count)
                for v in list { w.int(v) }
            }
        }
    }

    public static func decode(_ r: inout BinaryReader) throws(EngineError) -> JournalEntry {
        guard let tag = Tag(rawValue: try r.u8()) else { throw bad("unknown command tag") }
        switch tag {
        case .reset: return .reset
        case .createContainer:
            let name = try r.string(max: 4096)
            let parent = try r.bool() ? try r.string(max: 4096) : nil
            let limits = try controls(&r)
            let type: ChargeType = try r.u8() == 0 ? .all : .mapped
            let oomGroup = try r.bool()
            var labels: [String: String] = [:]
            for _ in 0..<(try r.int(in: 0...(r.remaining / 8), "labels")) {
                let k = try r.string()
                labels[k] = try r.string()
            }
            return .command(.createContainer(name: name, parent: parent, limits: limits, chargeType: type, oomGroup: oomGroup, labels: labels))
        case .deleteContainer: return .command(.deleteContainer(name: try r.string(max: 4096)))
        case .setLimits: return .command(.setLimits(name: try r.string(max: 4096), try controls(&r)))
        case .updateContainer:
            let name = try r.string(max: 4096)
            let t = try r.u8(), g = try r.u8()
            return .command(.updateContainer(name: name, chargeType: t == 0 ? nil : (t == 1 ? .all : .mapped), oomGroup: g == 0 ? nil : g == 2))
        case .resetStats: return .command(.resetStats(name: try r.string(max: 4096), maxUsage: try r.bool(), failcnt: try r.bool()))
        case .forceEmpty: return .command(.forceEmpty(name: try r.string(max: 4096)))
        case .reclaim: return .command(.reclaim(name: try r.string(max: 4096), pages: try r.int()))
        case .createProcess: return .command(.createProcess(pid: try r.int(), container: try r.string(max: 4096)))
        case .fork: return .command(.fork(pid: try r.int(), parentPid: try r.int()))
        case .moveProcess: return .command(.moveProcess(pid: try r.int(), container: try r.string(max: 4096), moveCharge: try r.int()))
        case .exitProcess: return .command(.exitProcess(pid: try r.int()))
        case .events:
            let listEvicted = try r.bool()
            let n = try r.int(in: 0...(r.remaining / 4), "events")
            var events: [PageEvent] = []
            events.reserveCapacity(n)
            for _ in 0..<n {
                guard let op = PageOp(rawValue: Int(try r.u8())) else { throw bad("unknown page op") }
                let pid = try r.bool() ? try r.int() : nil
                let shmem = try r.bool()
                guard let pages = try pages(&r) else { throw bad("event without pages") }
                events.append(PageEvent(op: op, pid: pid, pages: pages, oldPages: try self.pages(&r), shmem: shmem))
            }
            return .command(.events(events, listEvicted: listEvicted))
        }
    }

    private static func controls(_ r: inout BinaryReader) throws(EngineError) -> ControlValues {
        var v = ControlValues()
        for c in Control.allCases where try r.bool() { v[c] = try r.int() }
        return v
    }

    private static func pages(_ r: inout BinaryReader) throws(EngineError) -> PageEvent.Pages? {
        switch try r.u8() {
        case 0: return nil
        case 1: return .range(first: try r.int(), count: try r.int())
        case 2:
            let n = try r.int(in: 0...(r.remaining / 4), "pages")
            let raw = try r.raw(n * 4)
            return .list(raw.withUnsafeBytes { b in (0..<n).map { Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } })
        case 3:
            let n = try r.int(in: 0...(r.remaining / 8), "pages")
            let raw = try r.raw(n * 8)
            return .list(raw.withUnsafeBytes { b in (0..<n).map { Int(Int64(littleEndian: b.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) } })
        default: throw bad("bad page form")
        }
    }

    static func bad(_ what: String) -> EngineError { EngineError(.EINVAL, "journal record: \(what)") }
}
