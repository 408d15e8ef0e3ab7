import MemcgEngine
import MemcgWorkload

/// The live player's routes (workloads.md section 7).
extension App {
    /// POST /workloads: a spec (JSON or YAML) with an optional `speed`
    /// (virtual seconds per wall second, default 1); 201 with the workload.
    func startWorkload(_ body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        guard let text = String(validating: body, as: UTF8.self) else { throw .invalid("the body must be UTF-8 (a JSON or YAML workload spec)") }
        let (spec, extra): (WorkloadSpec, [String: JSONLineValue])
        do { (spec, extra) = try SpecReader.parse(text, limits: WorkloadRegistry.limits, taking: ["speed"]) } catch {
            throw .invalid(error.description)
        }
        let speed = try Self.speed(extra["speed"]) ?? 1
        let p = try startWorkload(spec, speed: speed)
        var w = JSONWriter(capacity: 512)
        encodeWorkload(p, into: &w)
        return .json(201, w, headers: [("Location", "/workloads/\(p.id)")])
    }

    /// A `speed` member: a number above 0 and at most `WorkloadRegistry.maxSpeed`.
    static func speed(_ v: JSONLineValue?) throws(HTTPError) -> Double? {
        let speed: Double
        switch v {
        case nil: return nil
        case .int(let n)?: speed = Double(n)
        case .double(let d)?: speed = d
        case let v?: throw .invalid("speed: must be a number of virtual seconds per wall second, not \(v.typeName)")
        }
        guard speed > 0, speed <= WorkloadRegistry.maxSpeed else {
            throw .invalid("speed: must be above 0 and at most \(Int(WorkloadRegistry.maxSpeed)), not \(speed)")
        }
        return speed
    }

    /// Reads a spec file for `serve --workload` with the live player's
    /// bounds: the spec and its own `speed`, if it has one.
    public static func readWorkload(path: String) throws(HTTPError) -> (WorkloadSpec, Double?) {
        let (spec, extra): (WorkloadSpec, [String: JSONLineValue])
        do { (spec, extra) = try SpecReader.read(path: path, limits: WorkloadRegistry.limits, taking: ["speed"]) } catch {
            throw .invalid(error.description)
        }
        return (spec, try speed(extra["speed"]))
    }

    /// The highest `speed` a workload may play at.
    public static var maxWorkloadSpeed: Double { WorkloadRegistry.maxSpeed }

    /// Starts a workload (also `serve --workload`).
    public func startWorkload(spec: WorkloadSpec, speed: Double) throws(HTTPError) -> Int {
        try startWorkload(spec, speed: speed).id
    }

    func startWorkload(_ spec: WorkloadSpec, speed: Double) throws(HTTPError) -> WorkloadPlayer {
        let logger = self.logger
        let p = try workloads.start(spec: spec, name: spec.name, speed: speed, engine: engine, machine: config.machine,
                                    store: store, onSnapshotDue: { [self] in snapshotInBackground() }) { kills in
            for k in kills {
                logger.info("oom kill", metadata: ["pid": .stringConvertible(k.pid), "container": .string(k.container),
                                                   "pages": .stringConvertible(k.pages), "cause": "workload"])
            }
        }
        logger.info("workload started", metadata: ["workload": .stringConvertible(p.id), "speed": .stringConvertible(speed),
                                                   "virtual_seconds": .stringConvertible(Int(spec.duration))])
        return p
    }

    func listWorkloads() -> HTTPResponse {
        let all = workloads.all
        var w = JSONWriter(capacity: 512 * all.count + 32)
        w.beginObject()
        w.key("workloads")
        w.beginArray()
        for p in all { encodeWorkload(p, into: &w) }
        w.endArray()
        w.endObject()
        return .json(200, w)
    }

    func getWorkload(_ id: Int) throws(HTTPError) -> HTTPResponse {
        guard let p = workloads.player(id) else { throw HTTPError(404, "ENOENT", "no workload \(id)") }
        var w = JSONWriter(capacity: 512)
        encodeWorkload(p, into: &w)
        return .json(200, w)
    }

    /// DELETE /workloads/{id}: stops it; its containers and processes stay as they are.
    func stopWorkload(_ id: Int) throws(HTTPError) -> HTTPResponse {
        guard let p = workloads.stop(id) else { throw HTTPError(404, "ENOENT", "no workload \(id)") }
        var w = JSONWriter(capacity: 512)
        encodeWorkload(p, into: &w)
        return .json(200, w)
    }

    func workloadID(_ p: String?) throws(HTTPError) -> Int {
        guard let p, p.utf8.count <= 9, !p.isEmpty, p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int(p), v >= 1 else {
            throw .invalid("invalid workload id \"\((p ?? "").prefix(20))\": a decimal integer from 1 is expected")
        }
        return v
    }

    func encodeWorkload(_ p: WorkloadPlayer, into w: inout JSONWriter) {
        let s = p.snapshot
        w.beginObject()
        w.member("id", p.id)
        w.member("name", p.name)
        w.member("state", s.state.rawValue)
        w.key("speed"); w.number(p.speed)
        w.key("virtual_seconds"); w.number(s.virtualSeconds)
        w.key("duration_seconds"); w.number(p.duration)
        w.key("lag_seconds"); w.number(s.lagSeconds)
        w.key("wall_seconds"); w.number(s.wallSeconds)
        w.member("records_applied", s.recordsApplied)
        w.member("records_skipped", s.recordsSkipped)
        w.member("pages", s.pages)
        w.member("oom_kills", s.oomKills)
        w.key("containers")
        w.beginArray()
        for c in p.containers { w.string(c) }
        w.endArray()
        w.member("error", s.error)
        w.endObject()
    }

    /// The players' progress in the Prometheus text format, appended to /metrics.
    func workloadMetrics() -> [UInt8] {
        let all = workloads.all
        guard !all.isEmpty else { return [] }
        let snaps = all.map { ($0, $0.snapshot) }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ value: (WorkloadPlayer, WorkloadPlayer.Progress) -> String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (p, s) in snaps { out += "\(name){workload=\"\(p.id)\"} \(value(p, s))\n" }
        }
        family("memcgd_workload_virtual_seconds", "gauge", "Virtual seconds a live workload has played.") { _, s in "\(s.virtualSeconds)" }
        family("memcgd_workload_lag_seconds", "gauge", "Virtual seconds a live workload is behind its pace (0 when it keeps up).") { _, s in "\(s.lagSeconds)" }
        family("memcgd_workload_records_applied_total", "counter", "Trace records a live workload has applied.") { _, s in "\(s.recordsApplied)" }
        family("memcgd_workload_records_skipped_total", "counter", "Trace records skipped because their process was OOM-killed.") { _, s in "\(s.recordsSkipped)" }
        family("memcgd_workload_oom_kills_total", "counter", "OOM kills among a live workload's processes.") { _, s in "\(s.oomKills)" }
        family("memcgd_workload_running", "gauge", "1 while a live workload plays, else 0.") { _, s in s.state == .running ? "1" : "0" }
        return Array(out.utf8)
    }
}
