/// The fast path of the logical trace reader: the page-access records that
/// make up nearly every line of a real trace (`anon`, `file`, `shm`,
/// `unmap`, `mlock`, `munlock`) read straight from the line's bytes, with no
/// JSON value tree and no string per field.
///
/// The fast path only ever accepts: a line it takes gives exactly the
/// `Record`s the general reader would give (same ops, ids, ranges, flags,
/// time records and counters). Anything it is not sure of (an escape in a
/// string, a fraction or exponent where an integer is wanted, a duplicate or
/// unknown key, a value out of range, a record of another op) makes it
/// decline, and the general reader reads the line and names any error.
extension TraceReader {
    /// The keys a fast record may hold.
    private enum Key: UInt16 {
        case op, t, pid, addr, len, write, file, segment, offset, mapped
    }

    /// Reads `line` as a fast record and returns true, or returns false
    /// having changed nothing. Each value must have its key's type as it is
    /// read (strings for op, file and segment; integers for pid, addr, len
    /// and offset; booleans for write and mapped; any number for t).
    mutating func addFast(line b: UnsafeBufferPointer<UInt8>, number: Int) -> Bool {
        guard kind == .logical, sawRecord, number <= Int(UInt32.max), let base = b.baseAddress else { return false }
        var seen: UInt16 = 0
        var opS = 0, opE = 0, nameS = 0, nameE = 0
        var pidV = 0, startV = 0, lenV = 0
        var writeV = false, mappedV = false
        var tInt = 0, tS = 0, tE = 0, tIsInt = false
        var i = 0
        let n = b.count
        @inline(__always) func skipSpace() {
            while i < n, base[i] == 0x20 || base[i] == 0x09 || base[i] == 0x0D { i += 1 }
        }
        skipSpace()
        guard i < n, base[i] == 0x7B else { return false }
        i += 1
        while true {
            skipSpace()
            // The key: a short string of lower-case letters.
            guard i < n, base[i] == 0x22 else { return false }
            i += 1
            let ks = i
            while i < n, base[i] != 0x22 {
                guard base[i] >= 0x61, base[i] <= 0x7A else { return false }
                i += 1
            }
            guard i < n, let key = Self.key(b, ks, i) else { return false }
            i += 1
            let bit: UInt16 = 1 << key.rawValue
            guard seen & bit == 0 else { return false }
            seen |= bit
            skipSpace()
            guard i < n, base[i] == 0x3A else { return false }
            i += 1
            skipSpace()
            guard i < n else { return false }
            let c = base[i]
            switch key {
            case .op, .file, .segment:
                // Printable ASCII without escapes.
                guard c == 0x22 else { return false }
                i += 1
                let s = i
                while i < n, base[i] != 0x22 {
                    guard base[i] >= 0x20, base[i] != 0x5C, base[i] <= 0x7E else { return false }
                    i += 1
                }
                guard i < n else { return false }
                if key == .op { opS = s; opE = i } else { nameS = s; nameE = i }
                i += 1
            case .write, .mapped:
                let v: Bool
                if c == 0x74, i + 4 <= n, base[i + 1] == 0x72, base[i + 2] == 0x75, base[i + 3] == 0x65 {
                    v = true; i += 4
                } else if c == 0x66, i + 5 <= n, base[i + 1] == 0x61, base[i + 2] == 0x6C, base[i + 3] == 0x73, base[i + 4] == 0x65 {
                    v = false; i += 5
                } else { return false }
                if key == .write { writeV = v } else { mappedV = v }
            case .pid, .addr, .len, .offset, .t:
                let s = i
                var neg = false
                if c == 0x2D {
                    guard key == .t else { return false }
                    neg = true; i += 1
                }
                let ds = i
                var value = 0
                while i < n, base[i] >= 0x30, base[i] <= 0x39 {
                    guard i - ds < 18 else { return false }
                    value = value &* 10 &+ Int(base[i] &- 0x30)
                    i += 1
                }
                guard i > ds, !(i - ds > 1 && base[ds] == 0x30) else { return false }
                if i < n, base[i] == 0x2E || base[i] == 0x65 || base[i] == 0x45 {
                    // A fraction or exponent: only `t` takes one here.
                    guard key == .t else { return false }
                    if base[i] == 0x2E {
                        i += 1
                        let f = i
                        while i < n, base[i] >= 0x30, base[i] <= 0x39 { i += 1 }
                        guard i > f else { return false }
                    }
                    if i < n, base[i] == 0x65 || base[i] == 0x45 {
                        i += 1
                        if i < n, base[i] == 0x2B || base[i] == 0x2D { i += 1 }
                        let e = i
                        while i < n, base[i] >= 0x30, base[i] <= 0x39 { i += 1 }
                        guard i > e else { return false }
                    }
                    tS = s; tE = i
                } else {
                    switch key {
                    case .pid: pidV = value
                    case .addr, .offset: startV = value
                    case .len: lenV = value
                    default: tInt = neg ? -value : value; tIsInt = true
                    }
                }
            }
            skipSpace()
            guard i < n else { return false }
            if base[i] == 0x2C { i += 1; continue }
            guard base[i] == 0x7D else { return false }
            i += 1
            break
        }
        skipSpace()
        guard i == n, seen & (1 << Key.op.rawValue) != 0, let op = Self.fastOp(b, opS, opE) else { return false }

        // The keys each op takes, and which of them it needs.
        let has = { (k: Key) -> Bool in seen & (1 << k.rawValue) != 0 }
        let allowed: UInt16, needed: UInt16
        switch op {
        case .anon: (allowed, needed) = Self.anonKeys
        case .unmap, .mlock, .munlock: (allowed, needed) = Self.rangeKeys
        case .file: (allowed, needed) = Self.fileKeys
        case .shm: (allowed, needed) = Self.shmKeys
        default: return false
        }
        guard seen & ~allowed == 0, seen & needed == needed else { return false }
        var pid: UInt32 = 0
        if has(.pid) {
            guard pidV >= 1, pidV <= Int(Int32.max) else { return false }
            pid = UInt32(pidV)
        }
        let a = startV, l = lenV
        guard UInt64(a) < Self.addressLimit, UInt64(l) <= Self.addressLimit - UInt64(a) else { return false }
        var flags: UInt8 = 0
        if writeV { flags |= Record.write }
        if mappedV {
            guard pid != 0 else { return false }
            flags |= Record.mapped
        }
        let hasObject = op == .file || op == .shm
        if hasObject {
            guard nameE > nameS, nameE - nameS <= 4096 else { return false }
        }
        var newTime: Double? = nil
        if has(.t) {
            let t: Double
            if tIsInt {
                t = Double(tInt)
            } else {
                let text = String(decoding: UnsafeBufferPointer(rebasing: b[tS..<tE]), as: UTF8.self)
                guard let d = Double(text), d.isFinite else { return false }
                t = d
            }
            guard t >= 0, t >= time else { return false }
            if t > time { newTime = t }
        }

        // Accepted: the same effects as the general reader's.
        recordCount += 1
        if let t = newTime {
            time = t
            records.append(Record(op: .time, a: t.bitPattern, line: UInt32(number)))
        }
        var r = Record(op: op, pid: pid, a: UInt64(a), b: UInt64(l), flags: op == .shm ? flags | Record.mapped : flags, line: UInt32(number))
        if hasObject {
            let name = String(decoding: UnsafeBufferPointer(rebasing: b[nameS..<nameE]), as: UTF8.self)
            r.id = objectID(name, shm: op == .shm)
        }
        if op == .anon || op == .file || op == .shm { touched = touched &+ r.b }
        records.append(r)
        return true
    }

    private static func mask(_ keys: [Key]) -> UInt16 { keys.reduce(0) { $0 | 1 << $1.rawValue } }
    /// (the keys an op may hold, the keys it must hold)
    private static let anonKeys = (mask([.op, .t, .pid, .addr, .len, .write]), mask([.op, .pid, .addr, .len]))
    private static let rangeKeys = (mask([.op, .t, .pid, .addr, .len]), mask([.op, .pid, .addr, .len]))
    private static let fileKeys = (mask([.op, .t, .pid, .file, .offset, .len, .mapped, .write]), mask([.op, .file, .offset, .len]))
    private static let shmKeys = (mask([.op, .t, .pid, .segment, .offset, .len, .write]), mask([.op, .pid, .segment, .offset, .len]))

    private static func key(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Key? {
        switch e - s {
        case 1: return b[s] == 0x74 ? .t : nil
        case 2: return b[s] == 0x6F && b[s + 1] == 0x70 ? .op : nil
        case 3: return equal(b, s, "pid") ? .pid : equal(b, s, "len") ? .len : nil
        case 4: return equal(b, s, "addr") ? .addr : equal(b, s, "file") ? .file : nil
        case 5: return equal(b, s, "write") ? .write : nil
        case 6: return equal(b, s, "offset") ? .offset : equal(b, s, "mapped") ? .mapped : nil
        case 7: return equal(b, s, "segment") ? .segment : nil
        default: return nil
        }
    }

    private static func fastOp(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> RecordOp? {
        switch e - s {
        case 3: return equal(b, s, "shm") ? .shm : nil
        case 4: return equal(b, s, "anon") ? .anon : equal(b, s, "file") ? .file : nil
        case 5: return equal(b, s, "unmap") ? .unmap : equal(b, s, "mlock") ? .mlock : nil
        case 7: return equal(b, s, "munlock") ? .munlock : nil
        default: return nil
        }
    }

    @inline(__always)
    private static func equal(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ word: StaticString) -> Bool {
        let w = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount where b[s + k] != w[k] { return false }
        return true
    }
}
