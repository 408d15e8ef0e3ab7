import MemcgEngine
import MemcgStore

extension App {
    /// Takes a snapshot now: the state is copied under the shared lock
    /// (requests that only read keep being served, and GET /healthz never
    /// waits), then written outside it.
    public func snapshotNow() throws(StoreError) -> SnapshotResult? {
        guard let store else { return nil }
        let t0 = ContinuousClock.now
        let pending = try engine.readEngine { e throws(StoreError) in try store.takeSnapshot(of: e) }
        let encode = ContinuousClock.now - t0
        let seconds = Double(encode.components.seconds) + Double(encode.components.attoseconds) / 1e18
        let r = try store.write(pending, encodeSeconds: seconds)
        logger.info("snapshot written", metadata: [
            "file": .string(r.file), "seq": .stringConvertible(r.seq), "bytes": .stringConvertible(r.bytes),
            "copy_ms": .stringConvertible(Int(r.encodeSeconds * 1000)), "write_ms": .stringConvertible(Int(r.writeSeconds * 1000)),
            "removed": .string(r.removed.joined(separator: " ")),
        ])
        return r
    }

    /// A snapshot the journal's size made due, on a thread of its own (the
    /// request that crossed the size is not held up).
    func snapshotInBackground() {
        Task.detached { [self] in
            do throws(StoreError) { _ = try snapshotNow() } catch { logger.error("snapshot failed", metadata: ["error": .string(error.message)]) }
        }
    }

    /// POST /snapshot.
    func postSnapshot() throws(HTTPError) -> HTTPResponse {
        let r: SnapshotResult?
        do { r = try snapshotNow() } catch { throw HTTPError(500, "EIO", "snapshot failed: \(error.message)") }
        guard let r else { throw HTTPError(409, "EOPNOTSUPP", "the service runs without --data-dir: state lives in memory only, there is nothing to snapshot to") }
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.member("file", r.file)
        w.member("seq", Int(r.seq))
        w.member("bytes", r.bytes)
        w.member("copy_ms", Int(r.encodeSeconds * 1000))
        w.member("write_ms", Int(r.writeSeconds * 1000))
        w.endObject()
        return .json(200, w)
    }

    /// GET /journal?from=N&limit=M: the records after sequence number N as
    /// JSON lines, at most M (default 10000, at most 100000).
    func getJournal(_ query: [String: String]) throws(HTTPError) -> HTTPResponse {
        guard let store else { throw HTTPError(409, "EOPNOTSUPP", "the service runs without --data-dir: there is no journal") }
        func number(_ name: String, _ def: Int, _ range: ClosedRange<Int>) throws(HTTPError) -> Int {
            guard let text = query[name] else { return def }
            guard text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(text), range.contains(v) else {
                throw .invalid("query argument \(name) must be an integer in \(range.lowerBound)...\(range.upperBound), not \"\(text.prefix(40))\"")
            }
            return v
        }
        let from = try number("from", 0, 0...Int.max)
        let limit = try number("limit", 10_000, 1...100_000)
        let records: [(seq: UInt64, entry: JournalEntry)]?
        do { records = try store.records(after: UInt64(from), limit: limit) } catch { throw HTTPError(500, "EIO", error.message) }
        guard let records else {
            throw HTTPError(410, "ENOENT", "record \(from + 1) is no longer in the journal (a snapshot covers it); ask from a later sequence number")
        }
        var w = JSONWriter(capacity: 64 * records.count + 16)
        for (seq, entry) in records {
            JournalJSON.write(seq: seq, entry, into: &w)
            w.newline()
        }
        return HTTPResponse(status: 200, contentType: "application/x-ndjson", body: w.bytes)
    }
}
