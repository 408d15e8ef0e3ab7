import MemcgEngine

/// Reads a `POST /events` body straight into engine events, without an
/// intermediate JSON tree: `pages` lists go into `[Int]` directly. Any
/// structural fault (unknown key or op, wrong type, negative or fractional
/// number, missing field) rejects the whole batch, and so does a batch of
/// more than `maxPages` single-page events (counted as they are read, so an
/// oversized batch is refused before anything is applied).
enum EventBatchDecoder {
    struct Batch {
        var events: [PageEvent]
        var listEvicted: Bool
    }

    static func decode(_ body: [UInt8], maxPages: Int = AppConfig.defaultMaxBatchPages) throws(JSONError) -> Batch {
        guard !body.isEmpty else { throw JSONError("the request body is empty; {\"events\": [...]} is expected") }
        return try body.withUnsafeBufferPointer { buf throws(JSONError) -> Batch in
            var s = JSONScanner(buf)
            var events: [PageEvent]? = nil
            var listEvicted = false
            try s.expect(UInt8(ascii: "{"))
            if !s.consume(UInt8(ascii: "}")) {
                repeat {
                    guard s.peek() == UInt8(ascii: "\"") else { throw s.error("member name expected") }
                    var key = s.matchKey("events") ? "events" : s.matchKey("list_evicted") ? "list_evicted" : nil
                    if key == nil { key = try s.parseString() }  // escaped or unknown: compare the decoded name
                    switch key {
                    case "events":
                        try s.expect(UInt8(ascii: ":"))
                        guard events == nil else { throw JSONError("duplicate key \"events\"") }
                        events = try decodeEvents(&s, maxPages: maxPages)
                    case "list_evicted":
                        try s.expect(UInt8(ascii: ":"))
                        guard case .bool(let b) = try s.parseValue() else { throw JSONError("list_evicted must be a boolean") }
                        listEvicted = b
                    default:
                        throw JSONError("unknown member \"\((key ?? "").prefix(40))\"; expected events, list_evicted")
                    }
                } while s.consume(UInt8(ascii: ","))
                try s.expect(UInt8(ascii: "}"))
            }
            try s.end()
            guard let events else { throw JSONError("missing member \"events\"") }
            return Batch(events: events, listEvicted: listEvicted)
        }
    }

    static func decodeEvents(_ s: inout JSONScanner, maxPages: Int) throws(JSONError) -> [PageEvent] {
        try s.expect(UInt8(ascii: "["))
        var out: [PageEvent] = []
        if s.consume(UInt8(ascii: "]")) { return out }
        var pages = 0
        repeat {
            let e = try decodeEvent(&s, index: out.count)
            // Both terms are at most maxPages here, so the sum cannot wrap.
            guard e.pageCount <= maxPages - pages else {
                throw JSONError("event \(out.count): the batch holds more than \(maxPages) single-page events (the --max-batch-pages limit); split it into smaller batches")
            }
            pages += e.pageCount
            out.append(e)
        } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "]"))
        return out
    }

    static func nonNegative(_ s: inout JSONScanner, _ what: String, _ index: Int) throws(JSONError) -> Int {
        switch try s.parseNumberOrOther() {
        case .int(let v) where v >= 0: return v
        case .int: throw JSONError("event \(index): \(what) must not be negative")
        case .number: throw JSONError("event \(index): \(what) must be a non-negative integer")
        case let other: throw JSONError("event \(index): \(what) must be an integer, not \(other.typeName)")
        }
    }

    static func intList(_ s: inout JSONScanner, _ what: String, _ index: Int) throws(JSONError) -> [Int] {
        guard s.consume(UInt8(ascii: "[")) else { throw JSONError("event \(index): \(what) must be an array of integers") }
        var list: [Int] = []
        if s.consume(UInt8(ascii: "]")) { return list }
        repeat {
            if let v = s.plainNonNegative() { list.append(v) } else { list.append(try nonNegative(&s, what, index)) }
        } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "]"))
        return list
    }

    static func decodeEvent(_ s: inout JSONScanner, index: Int) throws(JSONError) -> PageEvent {
        guard s.consume(UInt8(ascii: "{")) else { throw JSONError("event \(index) must be an object") }
        var op: PageOp? = nil
        var pid: Int? = nil, page: Int? = nil, count: Int? = nil, oldPage: Int? = nil
        var pages: [Int]? = nil, oldPages: [Int]? = nil
        var shmem: Bool? = nil
        if !s.consume(UInt8(ascii: "}")) {
            repeat {
                guard s.peek() == UInt8(ascii: "\"") else { throw s.error("member name expected") }
                func colon(_ s: inout JSONScanner, _ seen: Bool, _ name: String) throws(JSONError) {
                    guard !seen else { throw JSONError("event \(index): duplicate key \"\(name)\"") }
                    try s.expect(UInt8(ascii: ":"))
                }
                let key = try eventKey(&s, index)
                if key == .op {
                    try colon(&s, op != nil, "op")
                    if let o = s.matchOp() {
                        op = o
                    } else {
                        // Escaped or unknown: compare the decoded name.
                        let name = try s.parseStringOrType(index)
                        guard let o = PageOp(name: name) else { throw JSONError("event \(index): unknown op \"\(name.prefix(40))\"") }
                        op = o
                    }
                } else if key == .pid {
                    try colon(&s, pid != nil, "pid"); pid = try nonNegative(&s, "pid", index)
                } else if key == .page {
                    try colon(&s, page != nil, "page"); page = try nonNegative(&s, "page", index)
                } else if key == .count {
                    try colon(&s, count != nil, "count"); count = try nonNegative(&s, "count", index)
                } else if key == .oldPage {
                    try colon(&s, oldPage != nil, "old_page"); oldPage = try nonNegative(&s, "old_page", index)
                } else if key == .pages {
                    try colon(&s, pages != nil, "pages"); pages = try intList(&s, "pages", index)
                } else if key == .oldPages {
                    try colon(&s, oldPages != nil, "old_pages"); oldPages = try intList(&s, "old_pages", index)
                } else if key == .shmem {
                    try colon(&s, shmem != nil, "shmem")
                    guard case .bool(let b) = try s.parseValue() else { throw JSONError("event \(index): shmem must be a boolean") }
                    shmem = b
                } else if case .unknown(let name) = key {
                    throw JSONError("event \(index): unknown member \"\(name.prefix(40))\"")
                }
            } while s.consume(UInt8(ascii: ","))
            try s.expect(UInt8(ascii: "}"))
        }
        guard let op else { throw JSONError("event \(index): missing op") }
        if op.needsPid && pid == nil { throw JSONError("event \(index): \(op.name) needs pid") }
        if let pid, pid < 1 || pid > Int(Int32.max) { throw JSONError("event \(index): pid must be 1...\(Int32.max)") }
        let which: PageEvent.Pages
        var old: PageEvent.Pages? = nil
        switch (page, pages) {
        case (let p?, nil):
            if oldPages != nil { throw JSONError("event \(index): old_pages goes with pages") }
            which = .range(first: p, count: count ?? 1)
            if let oldPage { old = .range(first: oldPage, count: count ?? 1) }
        case (nil, let list?):
            if count != nil { throw JSONError("event \(index): count goes with page") }
            if oldPage != nil { throw JSONError("event \(index): old_page goes with page") }
            which = .list(list)
            if let oldPages {
                guard oldPages.count == list.count else { throw JSONError("event \(index): old_pages must be as long as pages") }
                old = .list(oldPages)
            }
        case (nil, nil): throw JSONError("event \(index): page or pages is required")
        default: throw JSONError("event \(index): give page or pages, not both")
        }
        if op.needsOldPage && old == nil { throw JSONError("event \(index): \(op.name) needs old_page") }
        if old != nil && !op.allowsOldPage { throw JSONError("event \(index): old_page does not go with \(op.name)") }
        if shmem != nil && op != .pagecacheAdd { throw JSONError("event \(index): shmem goes with pagecache_add only") }
        return PageEvent(op: op, pid: pid, pages: which, oldPages: old, shmem: shmem ?? false)
    }
}

extension EventBatchDecoder {
    enum EventKey: Equatable {
        case op, pid, page, count, oldPage, pages, oldPages, shmem
        case unknown(String)

        init(_ name: String) {
            switch name {
            case "op": self = .op
            case "pid": self = .pid
            case "page": self = .page
            case "count": self = .count
            case "old_page": self = .oldPage
            case "pages": self = .pages
            case "old_pages": self = .oldPages
            case "shmem": self = .shmem
            default: self = .unknown(name)
            }
        }
    }

    /// The next member name: matched in place when written plainly, else
    /// decoded (so `"p\u0069d"` is `pid`, as in every other route).
    static func eventKey(_ s: inout JSONScanner, _ index: Int) throws(JSONError) -> EventKey {
        if s.matchKey("op") { return .op }
        if s.matchKey("pid") { return .pid }
        if s.matchKey("page") { return .page }
        if s.matchKey("count") { return .count }
        if s.matchKey("pages") { return .pages }
        if s.matchKey("old_page") { return .oldPage }
        if s.matchKey("old_pages") { return .oldPages }
        if s.matchKey("shmem") { return .shmem }
        return EventKey(try s.parseString())
    }
}

extension JSONScanner {
    /// The op names as bytes, by the op's raw value (for `matchOp`).
    private static let opNames: [[UInt8]] = PageOp.allCases.map { Array($0.name.utf8) }

    /// Matches a plainly written op name (`"anon_fault"`) in place, without
    /// building a String, and consumes it; nil (nothing consumed) for
    /// anything else: another type, an escape, an unknown name.
    mutating func matchOp() -> PageOp? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        var end = i + 1
        while end < bytes.count && bytes[end] != UInt8(ascii: "\"") && bytes[end] != UInt8(ascii: "\\") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        let n = end - i - 1
        for (raw, name) in Self.opNames.enumerated() where name.count == n {
            var same = true
            for k in 0..<n where bytes[i + 1 + k] != name[k] { same = false; break }
            if same {
                i = end + 1
                return PageOp(rawValue: raw)
            }
        }
        return nil
    }

    /// The integer path of a `pages` list: a plain non-negative integer of
    /// at most 18 digits (so it cannot overflow), without a leading zero,
    /// followed by a delimiter; nil (nothing consumed) for anything else,
    /// which the general number parser then reads or rejects as before.
    @inline(__always) mutating func plainNonNegative() -> Int? {
        skipSpace()
        var j = i
        var v = 0
        while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39, j - i < 18 {
            v = v &* 10 &+ Int(bytes[j] &- 0x30)
            j += 1
        }
        let digits = j - i
        guard digits > 0, digits == 1 || bytes[i] != 0x30, j < bytes.count else { return nil }
        let b = bytes[j]
        guard b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return nil }
        i = j
        return v
    }

    /// A number, or any other value (for a type error message).
    mutating func parseNumberOrOther() throws(JSONError) -> JSONValue {
        guard let c = peek() else { throw error("unexpected end of input") }
        if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) { return try parseNumber() }
        return try parseValue()
    }

    mutating func parseStringOrType(_ index: Int) throws(JSONError) -> String {
        guard peek() == UInt8(ascii: "\"") else {
            throw JSONError("event \(index): op must be a string, not \(try parseValue().typeName)")
        }
        return try parseString()
    }
}
