import MemcgEngine

extension App {
    /// GET /: the web view, one self-contained page (no external resources).
    func webPage() -> HTTPResponse {
        HTTPResponse(status: 200, contentType: "text/html; charset=utf-8",
                     headers: [("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
                               ("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'")],
                     body: WebPage.bytes)
    }

    /// GET /containers/{name}/history: the samples of the last ten minutes.
    func containerHistory(_ name: String) throws(HTTPError) -> HTTPResponse {
        _ = try readEngine { e throws(EngineError) in try e.container(named: name) }
        let samples = history.samples(name)
        var w = JSONWriter(capacity: 128 + 64 * (samples?.count ?? 0))
        w.beginObject()
        w.member("name", name)
        w.member("interval_seconds", 1)
        w.member("capacity", HistoryRecorder.capacity)
        w.member("sampled", samples != nil)
        w.key("samples")
        w.beginArray()
        for s in samples ?? [] {
            w.beginObject()
            w.member("time_ms", Int(s.timeMs))
            w.member("usage", s.usage * pageSize)
            w.member("working_set", s.workingSet * pageSize)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return .json(200, w)
    }

    /// POST /machine/reset: a fresh engine on the same machine; the history
    /// starts again. The body is empty or `{}`.
    func resetMachine(_ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        if !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { _ = try object(body, allowed: []) }
        let fresh: MemcgEngine
        do { fresh = try MemcgEngine(machine: config.machine) } catch { throw HTTPError(error) }
        // Live workloads play into the engine being replaced: stop them first.
        workloads.stopAll()
        let seq = engine.replace(with: fresh) { store?.appendReset() ?? 0 }
        if let store, seq > 0, !store.waitDurable(seq) {
            throw HTTPError(503, "EIO", "the reset was applied but could not be journaled (\(store.failure ?? "journal failed"))")
        }
        history.clear()
        logger.info("machine reset", metadata: ["memory_bytes": .stringConvertible(config.machine.memoryBytes),
                                                "swap_bytes": .stringConvertible(config.machine.swapBytes)])
        return machineInfo()
    }

    /// OOM kills, at info level: one line per victim.
    func logKills(_ kills: [OOMKill], cause: String) {
        for k in kills {
            logger.info("oom kill", metadata: ["pid": .stringConvertible(k.pid), "container": .string(k.container),
                                               "pages": .stringConvertible(k.pages), "cause": .string(cause)])
        }
    }
}
