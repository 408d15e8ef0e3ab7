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
    private enum Key: Int {
        case op, t, pid, addr, len, write, file, segment, offset, mapped
    }

    /// One scanned value: an integer, a boolean, a string's byte range or
    /// a number's byte range (for `t`).
    private struct Slot {
        var present = false
        var int = 0
        var bool = false
        var isInt = false
        var isBool = false
        var isString = false
        var isNumber = false
        var start = 0
        var end = 0
    }

    /// Reads `line` as a fast record and returns true, or returns false
    /// having changed nothing.
    mutating func addFast(line b: UnsafeBufferPointer<UInt8>, number: Int) -> Bool {
        guard kind == .logical, sawRecord, number <= Int(UInt32.max) else { return false }
        var slots = (Slot(), Slot(), Slot(), Slot(), Slot(), Slot(), Slot(), Slot(), Slot(), Slot())
        var i = 0
        let n = b.count
        @inline(__always) func skipSpace() {
            while i < n, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D { i += 1 }
        }
        /// A string with printable ASCII only (no escapes): its byte range.
        @inline(__always) func scanString() -> (Int, Int)? {
            guard i < n, b[i] == 0x22 else { return nil }
            i += 1
            let s = i
            while i < n {
                let c = b[i]
                if c == 0x22 { i += 1; return (s, i - 1) }
                if c < 0x20 || c == 0x5C || c > 0x7E { return nil }
                i += 1
            }
            return nil
        }
        skipSpace()
        guard i < n, b[i] == 0x7B else { return false }
        i += 1
        skipSpace()
        if i < n, b[i] == 0x7D { return false }
        while true {
            skipSpace()
            guard let (ks, ke) = scanString() else { return false }
            guard let key = Self.key(b, ks, ke) else { return false }
            skipSpace()
            guard i < n, b[i] == 0x3A else { return false }
            i += 1
            skipSpace()
            guard i < n else { return false }
            var v = Slot()
            v.present = true
            let c = b[i]
            if c == 0x22 {
                guard let (s, e) = scanString() else { return false }
                v.isString = true; v.start = s; v.end = e
            } else if c == 0x74 || c == 0x66 {
                if c == 0x74, i + 4 <= n, b[i + 1] == 0x72, b[i + 2] == 0x75, b[i + 3] == 0x65 {
                    v.isBool = true; v.bool = true; i += 4
                } else if c == 0x66, i + 5 <= n, b[i + 1] == 0x61, b[i + 2] == 0x6C, b[i + 3] == 0x73, b[i + 4] == 0x65 {
                    v.isBool = true; v.bool = false; i += 5
                } else { return false }
            } else if c == 0x2D || (c >= 0x30 && c <= 0x39) {
                let s = i
                var neg = false
                if c == 0x2D { neg = true; i += 1 }
                let ds = i
                var value = 0
                while i < n, b[i] >= 0x30, b[i] <= 0x39 {
                    guard i - ds < 18 else { return false }
                    value = value * 10 + Int(b[i] - 0x30)
                    i += 1
                }
                guard i > ds, !(i - ds > 1 && b[ds] == 0x30) else { return false }
                if i < n, b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 {
                    // A fraction or exponent: only `t` takes one here.
                    guard key == .t else { return false }
                    if b[i] == 0x2E {
                        i += 1
                        let f = i
                        while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                        guard i > f else { return false }
                    }
                    if i < n, b[i] == 0x65 || b[i] == 0x45 {
                        i += 1
                        if i < n, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
                        let e = i
                        while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                        guard i > e else { return false }
                    }
                    v.isNumber = true; v.start = s; v.end = i
                } else {
                    v.isInt = true; v.int = neg ? -value : value
                }
            } else {
                return false
            }
            switch key {
            case .op: guard !slots.0.present else { return false }; slots.0 = v
            case .t: guard !slots.1.present else { return false }; slots.1 = v
            case .pid: guard !slots.2.present else { return false }; slots.2 = v
            case .addr: guard !slots.3.present else { return false }; slots.3 = v
            case .len: guard !slots.4.present else { return false }; slots.4 = v
            case .write: guard !slots.5.present else { return false }; slots.5 = v
            case .file: guard !slots.6.present else { return false }; slots.6 = v
            case .segment: guard !slots.7.present else { return false }; slots.7 = v
            case .offset: guard !slots.8.present else { return false }; slots.8 = v
            case .mapped: guard !slots.9.present else { return false }; slots.9 = v
            }
            skipSpace()
            guard i < n else { return false }
            if b[i] == 0x2C { i += 1; continue }
            guard b[i] == 0x7D else { return false }
            i += 1
            break
        }
        skipSpace()
        guard i == n else { return false }

        let (opS, tS, pidS, addrS, lenS, writeS, fileS, segS, offS, mappedS) = slots
        guard opS.isString, let op = Self.fastOp(b, opS.start, opS.end) else { return false }
        // Which keys the op takes (any other present key: decline).
        let takesPid: Bool, pidRequired: Bool
        var hasAddr = false, hasObject = false, takesWrite = false, takesMapped = false
        switch op {
        case .anon: takesPid = true; pidRequired = true; hasAddr = true; takesWrite = true
        case .unmap, .mlock, .munlock: takesPid = true; pidRequired = true; hasAddr = true
        case .file: takesPid = true; pidRequired = false; hasObject = true; takesWrite = true; takesMapped = true
        case .shm: takesPid = true; pidRequired = true; hasObject = true; takesWrite = true
        default: return false
        }
        if !takesPid && pidS.present { return false }
        if pidRequired && !pidS.present { return false }
        if hasAddr != addrS.present || !lenS.present { return false }
        if hasObject != offS.present { return false }
        if writeS.present && !takesWrite { return false }
        if mappedS.present && !takesMapped { return false }
        if op == .file ? (!fileS.present || segS.present) : op == .shm ? (!segS.present || fileS.present) : (fileS.present || segS.present) {
            return false
        }
        var pid: UInt32 = 0
        if pidS.present {
            guard pidS.isInt, pidS.int >= 1, pidS.int <= Int(Int32.max) else { return false }
            pid = UInt32(pidS.int)
        }
        let startS = hasAddr ? addrS : offS
        guard startS.isInt, lenS.isInt else { return false }
        let a = startS.int, l = lenS.int
        guard a >= 0, UInt64(a) < Self.addressLimit, l >= 0, UInt64(l) <= Self.addressLimit - UInt64(a) else { return false }
        var flags: UInt8 = 0
        if writeS.present {
            guard writeS.isBool else { return false }
            if writeS.bool { flags |= Record.write }
        }
        if mappedS.present {
            guard mappedS.isBool else { return false }
            if mappedS.bool {
                guard pid != 0 else { return false }
                flags |= Record.mapped
            }
        }
        let nameS = op == .file ? fileS : segS
        if hasObject {
            guard nameS.isString, nameS.end > nameS.start, nameS.end - nameS.start <= 4096 else { return false }
        }
        var newTime: Double? = nil
        if tS.present {
            let t: Double
            if tS.isInt {
                t = Double(tS.int)
            } else if tS.isNumber {
                let text = String(decoding: UnsafeBufferPointer(rebasing: b[tS.start..<tS.end]), as: UTF8.self)
                guard let d = Double(text), d.isFinite else { return false }
                t = d
            } else {
                return false
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
            let name = String(decoding: UnsafeBufferPointer(rebasing: b[nameS.start..<nameS.end]), as: UTF8.self)
            r.id = objectID(name, shm: op == .shm)
        }
        if op == .anon || op == .file || op == .shm { touched = touched &+ r.b }
        records.append(r)
        return true
    }

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
