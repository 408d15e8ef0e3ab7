#if canImport(Glibc)
import Glibc
#endif

/// The route table: path templates, their methods, and how a concrete path
/// matches (by segments; names and pids are checked by the handlers).
public enum Route: String, CaseIterable, Sendable {
    case web = "/"
    case healthz = "/healthz"
    case machine = "/machine"
    case machineReset = "/machine/reset"
    case containers = "/containers"
    case container = "/containers/{name}"
    case limits = "/containers/{name}/limits"
    case containerStats = "/containers/{name}/stats"
    case history = "/containers/{name}/history"
    case statsReset = "/containers/{name}/stats/reset"
    case forceEmpty = "/containers/{name}/force_empty"
    case reclaim = "/containers/{name}/reclaim"
    case processes = "/processes"
    case process = "/processes/{pid}"
    case processContainer = "/processes/{pid}/container"
    case events = "/events"
    case stats = "/stats"
    case metrics = "/metrics"
    case openapi = "/openapi.yaml"
    case workloads = "/workloads"
    case workload = "/workloads/{id}"
    case snapshot = "/snapshot"
    case journal = "/journal"

    /// The template, used as the `route` label of the HTTP metrics.
    public var template: String { rawValue }

    var methods: [String] {
        switch self {
        case .web, .healthz, .machine, .containerStats, .history, .stats, .metrics, .openapi, .journal: ["GET"]
        case .containers, .processes, .workloads: ["GET", "POST"]
        case .workload: ["GET", "DELETE"]
        case .container: ["GET", "PATCH", "DELETE"]
        case .process: ["GET", "DELETE"]
        case .limits: ["GET", "PUT"]
        case .statsReset, .forceEmpty, .reclaim, .events, .machineReset, .snapshot: ["POST"]
        case .processContainer: ["PUT"]
        }
    }

    /// Matches a path; returns the route and its one parameter, if any.
    /// Splits on '/' by hand (this runs on every request).
    static func match(_ path: String) -> (Route, String?)? {
        var path = path
        return path.withUTF8 { u -> (Route, String?)? in
            guard u.first == 0x2F else { return nil }
            var end = u.count
            if end > 1 && u[end - 1] == 0x2F { end -= 1 }  // tolerate one trailing slash
            var starts: (Int, Int, Int, Int) = (0, 0, 0, 0), ends: (Int, Int, Int, Int) = (0, 0, 0, 0)
            var n = 0
            var i = 1, start = 1
            while i <= end {
                if i == end || u[i] == 0x2F {
                    guard n < 4 else { return nil }
                    switch n {
                    case 0: starts.0 = start; ends.0 = i
                    case 1: starts.1 = start; ends.1 = i
                    case 2: starts.2 = start; ends.2 = i
                    default: starts.3 = start; ends.3 = i
                    }
                    n += 1
                    start = i + 1
                }
                i += 1
            }
            func seg(_ s: Int, _ e: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: u[s..<e]) }
            func eq(_ s: Int, _ e: Int, _ lit: StaticString) -> Bool {
                let b = seg(s, e)
                return b.count == lit.utf8CodeUnitCount && memcmp(b.baseAddress!, lit.utf8Start, b.count) == 0
            }
            func str(_ s: Int, _ e: Int) -> String { String(decoding: seg(s, e), as: UTF8.self) }
            switch n {
            case 1:
                let (s, e) = (starts.0, ends.0)
                if s == e { return (.web, nil) }
                if eq(s, e, "healthz") { return (.healthz, nil) }
                if eq(s, e, "machine") { return (.machine, nil) }
                if eq(s, e, "containers") { return (.containers, nil) }
                if eq(s, e, "processes") { return (.processes, nil) }
                if eq(s, e, "events") { return (.events, nil) }
                if eq(s, e, "stats") { return (.stats, nil) }
                if eq(s, e, "metrics") { return (.metrics, nil) }
                if eq(s, e, "openapi.yaml") { return (.openapi, nil) }
                if eq(s, e, "workloads") { return (.workloads, nil) }
                if eq(s, e, "snapshot") { return (.snapshot, nil) }
                if eq(s, e, "journal") { return (.journal, nil) }
                return nil
            case 2:
                if eq(starts.0, ends.0, "containers") { return (.container, str(starts.1, ends.1)) }
                if eq(starts.0, ends.0, "processes") { return (.process, str(starts.1, ends.1)) }
                if eq(starts.0, ends.0, "workloads") { return (.workload, str(starts.1, ends.1)) }
                if eq(starts.0, ends.0, "machine") && eq(starts.1, ends.1, "reset") { return (.machineReset, nil) }
                return nil
            case 3:
                let p = str(starts.1, ends.1)
                if eq(starts.0, ends.0, "containers") {
                    if eq(starts.2, ends.2, "limits") { return (.limits, p) }
                    if eq(starts.2, ends.2, "stats") { return (.containerStats, p) }
                    if eq(starts.2, ends.2, "force_empty") { return (.forceEmpty, p) }
                    if eq(starts.2, ends.2, "history") { return (.history, p) }
                    if eq(starts.2, ends.2, "reclaim") { return (.reclaim, p) }
                    return nil
                }
                if eq(starts.0, ends.0, "processes") && eq(starts.2, ends.2, "container") { return (.processContainer, p) }
                return nil
            case 4:
                if eq(starts.0, ends.0, "containers") && eq(starts.2, ends.2, "stats") && eq(starts.3, ends.3, "reset") {
                    return (.statsReset, str(starts.1, ends.1))
                }
                return nil
            default:
                return nil
            }
        }
    }
}
