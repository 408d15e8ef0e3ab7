import MemcgEngine

extension App {
    /// POST /events: a batch of page events, applied in order under one lock.
    func postEvents(_ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        let batch: EventBatchDecoder.Batch
        do { batch = try EventBatchDecoder.decode(body, maxPages: config.maxBatchPages) } catch { throw HTTPError(error) }
        let out = try withEngine { e throws(EngineError) in
            try e.apply(.events(batch.events, listEvicted: batch.listEvicted))
        }
        if !out.oomKills.isEmpty { logKills(out.oomKills, cause: "events") }
        var w = JSONWriter(capacity: 128 + 48 * out.failures.count + (batch.listEvicted ? 8 * out.evicted.count : 0))
        w.beginObject()
        w.member("applied", out.applied)
        w.member("failed", out.failed)
        w.key("errors")
        w.beginArray()
        for f in out.failures {
            w.beginObject()
            w.member("index", f.index)
            w.member("page", f.page)
            w.member("count", f.count)
            w.member("code", f.result.name)
            if let c = f.container { w.member("container", c) }
            w.endObject()
        }
        w.endArray()
        encodeOOMKills(out, into: &w)
        encodeEvicted(out, into: &w, list: batch.listEvicted)
        w.endObject()
        return .json(200, w)
    }

    func machineInfo() -> HTTPResponse {
        let s = engine.read { $0.engineSnapshot }
        let m = config.machine
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.member("page_size", m.pageSize)
        w.member("memory_bytes", m.memoryBytes)
        w.member("swap_bytes", m.swapBytes)
        w.member("total_pages", m.frames)
        w.member("free_pages", s.freePages)
        w.member("swap_free_bytes", s.swapFree * m.pageSize)
        w.member("cgroup", m.cgroup.rawValue)
        w.member("lru", m.lru.rawValue)
        w.member("swappiness", m.swappiness)
        w.member("version", config.version)
        w.endObject()
        return .json(200, w)
    }

    func engineStats() -> HTTPResponse {
        let s = engine.read { $0.engineSnapshot }
        let ps = config.machine.pageSize
        var w = JSONWriter(capacity: 2048)
        w.beginObject()
        w.member("charged_pages", s.chargedPages)
        w.member("free_pages", s.freePages)
        w.member("swap_used_bytes", s.swapUsed * ps)
        w.member("swap_free_bytes", s.swapFree * ps)
        w.member("containers", s.containers)
        w.member("processes", s.processes)
        w.member("charges", s.counters.charges)
        w.member("uncharges", s.counters.uncharges)
        w.member("evictions", s.counters.evictions)
        w.member("oom_kills", s.counters.oomKills)
        w.member("anomalies", s.counters.anomalies)
        w.member("unbalanced_uncharges", s.counters.unbalancedUncharges)
        w.member("event_batches", s.counters.commands)
        w.member("events_applied", s.counters.events.reduce(0) { $0 + $1.reduce(0, +) })
        w.key("events")
        w.beginObject()
        for op in PageOp.allCases {
            w.key(dynamic: op.name)
            w.beginObject()
            for r in EventResult.allCases {
                w.key(dynamic: r.name)
                w.int(s.counters.events[op.rawValue][r.rawValue])
            }
            w.endObject()
        }
        w.endObject()
        w.endObject()
        return .json(200, w)
    }
}
