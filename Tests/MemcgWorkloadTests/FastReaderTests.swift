import Testing
@testable import MemcgWorkload

/// The reader's fast path for page-access records must read every line it
/// takes exactly as the general reader does, and leave every other line to
/// it untouched.
@Suite struct FastReaderTests {
    /// What a reader holds that a line can change.
    struct State: Equatable {
        var records: [Record], objects: [String], shm: [Bool], count: Int, touched: UInt64, time: Double
        init(_ r: TraceReader) {
            records = r.records; objects = r.objects; shm = r.objectIsShm
            count = r.recordCount; touched = r.touched; time = r.time
        }
    }

    static func withBytes<T>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var s = s
        return s.withUTF8 { body($0) }
    }

    /// A page-access line with random key order, spacing, optional fields
    /// and number forms; `t` when asked, at or after `time`.
    static func line(_ rng: inout SplitMix, time: inout Double) -> String {
        let ops = ["anon", "file", "shm", "unmap", "mlock", "munlock"]
        let op = ops[Int(rng.next() % 6)]
        var fields: [(String, String)] = [("op", "\"\(op)\"")]
        let big = rng.next() % 8 == 0
        let start = big ? "\(rng.next() % (1 << 53))" : "\(4096 * (rng.next() % 1000))"
        let len = big ? "\(rng.next() % (1 << 53))" : "\(4096 * (1 + rng.next() % 8))"
        switch op {
        case "file":
            if rng.next() % 2 == 0 { fields.append(("pid", "\(1 + rng.next() % 4)")) }
            fields.append(("file", "\"\(["data", "log", "a.b-c_9"][Int(rng.next() % 3)])\""))
            fields.append(("offset", start))
            if rng.next() % 3 == 0 { fields.append(("mapped", rng.next() % 2 == 0 ? "true" : "false")) }
            if rng.next() % 3 == 0 { fields.append(("write", rng.next() % 2 == 0 ? "true" : "false")) }
        case "shm":
            fields.append(("pid", "\(1 + rng.next() % 4)"))
            fields.append(("segment", "\"\(["buffers", "wal"][Int(rng.next() % 2)])\""))
            fields.append(("offset", start))
            if rng.next() % 3 == 0 { fields.append(("write", "true")) }
        default:
            fields.append(("pid", "\(1 + rng.next() % 4)"))
            fields.append(("addr", start))
            if op == "anon" && rng.next() % 2 == 0 { fields.append(("write", rng.next() % 2 == 0 ? "true" : "false")) }
        }
        fields.append(("len", len))
        if rng.next() % 3 == 0 {
            switch rng.next() % 5 {
            case 0: time += 1; fields.append(("t", "\(Int(time))"))
            case 1: time += 0.25; fields.append(("t", "\(time)"))
            case 2: fields.append(("t", "\(time)e0"))
            case 3: fields.append(("t", "\(Int(time))"))
            default: time += 0.5; fields.append(("t", "\(time)E+0"))
            }
        }
        // Shuffle the keys and choose the spacing.
        for i in stride(from: fields.count - 1, to: 0, by: -1) { fields.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let sp = [" ", "", "", "\t"][Int(rng.next() % 4)]
        return "{" + sp + fields.map { "\"\($0.0)\"\(sp):\(sp)\($0.1)" }.joined(separator: "," + sp) + sp + "}"
    }

    /// A line changed so that it may no longer be a plain page access.
    static func mutate(_ s: String, _ rng: inout SplitMix) -> String {
        var b = Array(s.utf8)
        switch rng.next() % 10 {
        case 0: // duplicate a key
            return s.replacingFirst("\"len\":", with: "\"len\":1,\"len\":")
        case 1: return s.replacingFirst("\"pid\":", with: "\"pid\":-")
        case 2: return s.replacingFirst(":", with: ":\"\\u0061\",\"x\":")
        case 3: return s.replacingFirst("\"data\"", with: "\"d\\\"ata\"")
        case 4: return s.replacingFirst("\"len\":", with: "\"len\":0.")
        case 5: return s.replacingFirst("}", with: ",\"page\":3}")
        case 6: return s.replacingFirst("\"op\":\"", with: "\"op\":\"x")
        case 7: return s.replacingFirst("\"buffers\"", with: "\"bü\"")
        default:
            let alphabet = Array(#"{}[]":,.-0123456789eE truefalsnul\"#.utf8)
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let i = Int(rng.next() % UInt64(b.count))
                switch rng.next() % 3 {
                case 0: b[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: b.remove(at: i)
                default: b.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                }
            }
            return String(decoding: b, as: UTF8.self)
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func fastPathReadsWhatTheGeneralReaderReads(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        var general = TraceReader()
        general.fastPath = false
        var n = 0
        for l in [#"{"memcgd_trace":1}"#, #"{"op":"container","name":"app"}"#,
                  #"{"op":"spawn","pid":1,"container":"app"}"#, #"{"op":"fork","pid":2,"parent":1}"#] {
            n += 1
            try Self.withBytes(l) { (buf) -> Result<Void, TraceError> in
                do throws(TraceError) { try general.add(line: buf, number: n); return .success(()) } catch { return .failure(error) }
            }.get()
        }
        var time = 0.0
        var taken = 0, declined = 0, tried = 0
        for k in 0..<6000 {
            var l = Self.line(&rng, time: &time)
            if k % 2 == 1 { l = Self.mutate(l, &rng) }
            n += 1
            tried += 1
            var fast = general
            let before = State(fast)
            let tookIt = Self.withBytes(l) { fast.addFast(line: $0, number: n) }
            var slow = general
            let slowResult = Self.withBytes(l) { (buf) -> TraceError? in
                do throws(TraceError) { try slow.add(line: buf, number: n); return nil } catch { return error }
            }
            if tookIt {
                taken += 1
                #expect(slowResult == nil, "fast path took a line the reader refuses: \(l) (\(slowResult!.message))")
                #expect(State(fast) == State(slow), "fast path read \(l) differently")
            } else {
                declined += 1
                #expect(State(fast) == before, "fast path declined \(l) but changed the reader")
            }
            if slowResult == nil { general = slow }
        }
        // Both sides were exercised: nearly every unmutated line is taken.
        #expect(taken > tried * 45 / 100, "taken \(taken) of \(tried)")
        #expect(declined > tried / 4, "declined \(declined) of \(tried)")
    }

    /// The fast path also runs through `TraceReader.read`: a whole trace reads
    /// the same with and without it.
    @Test func wholeTraceSameEitherWay() throws {
        var rng = SplitMix(seed: 11)
        var time = 0.0
        var lines = [#"{"op":"spawn","pid":1,"container":"root"}"#, #"{"op":"fork","pid":2,"parent":1}"#,
                     #"{"op":"fork","pid":3,"parent":1}"#, #"{"op":"fork","pid":4,"parent":1}"#]
        for _ in 0..<2000 { lines.append(Self.line(&rng, time: &time)) }
        var a = TraceReader(), b = TraceReader()
        b.fastPath = false
        var refused = 0
        for (i, l) in lines.enumerated() {
            let ea = Self.withBytes(l) { (buf) -> TraceError? in
                do throws(TraceError) { try a.add(line: buf, number: i + 1); return nil } catch { return error }
            }
            let eb = Self.withBytes(l) { (buf) -> TraceError? in
                do throws(TraceError) { try b.add(line: buf, number: i + 1); return nil } catch { return error }
            }
            #expect(ea == eb, "\(l)")
            if ea != nil { refused += 1 }
        }
        // Lines past 2^52 are refused by both; the rest are read.
        #expect(refused > 0 && refused < 500, "refused \(refused)")
        #expect(State(a) == State(b))
        #expect(a.records.count > 1500)
    }
}

extension String {
    func replacingFirst(_ what: String, with: String) -> String {
        var s = self
        if let r = s.firstRange(of: what) { s.replaceSubrange(r, with: with) }
        return s
    }
}
