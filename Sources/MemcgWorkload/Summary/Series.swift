import MemcgEngine

/// One row of the time series: a container at a moment of virtual time.
public struct SeriesRow: Sendable, Equatable {
    public var time: Double
    public var container: String
    public var usage: Int
    public var workingSet: Int
    public var swap: Int
    public var refaults: Int
    public var evictions: Int
    public var failcnt: Int
    public var oomKills: Int
}

/// Samples every container each `every` seconds of virtual time.
struct SeriesRecorder {
    let every: Double
    var next: Double
    var rows: [SeriesRow] = []

    init(every: Double) {
        self.every = every
        self.next = 0
    }

    mutating func advance(to t: Double, driver: Driver) {
        guard t >= next else { return }
        sample(at: t, driver: driver)
        next = (t / every).rounded(.down) * every + every
    }

    mutating func sample(at t: Double, driver: Driver) {
        if let last = rows.last, last.time == t { rows.removeAll { $0.time == t } }
        let ps = driver.config.machine.pageSize
        for (c, name) in driver.trace.containers.enumerated() {
            guard let s = try? driver.engine.view.stats(named: name) else { continue }
            rows.append(SeriesRow(time: t, container: name, usage: s.usage * ps, workingSet: s.workingSet * ps,
                                  swap: s.total.swap * ps, refaults: driver.counts[c].refaults,
                                  evictions: s.total.pgsteal, failcnt: s.failcnt, oomKills: driver.counts[c].oomKills))
        }
    }
}

extension Driver {
    /// The time series rows recorded (with `ReplayConfig.seriesEvery`).
    public var seriesRows: [SeriesRow] { series?.rows ?? [] }
}
