import Testing
import MemcgEngine
@testable import MemcgWorkload

/// `replay --series` and `replay --plot`: the time series of a replay and its usage chart.
@Suite struct SeriesPlotTests {
    /// A container that grows by 256K a second up to its 1M limit and is
    /// OOM-killed at t=4 (no swap), sampled every second.
    func growing() throws -> (Driver, RunSummary) {
        let lines = [
            #"{"op":"container","name":"web","limits":{"max":"1M"}}"#,
            #"{"op":"spawn","pid":1,"container":"web"}"#,
        ] + (0...4).map { #"{"op":"anon","pid":1,"addr":\#($0 * 262_144),"len":262144,"write":true,"t":\#($0)}"# }
        let trace = try TraceReader.read(text: lines.joined(separator: "\n"))
        let cfg = ReplayConfig(machine: try Machine(memoryBytes: 64 << 20, swapBytes: 0), seriesEvery: 1)
        let d = try Driver(trace: trace, config: cfg)
        return (d, try d.run())
    }

    /// Each row holds the state before the records of its moment; the last
    /// row is the end of the trace, after the kill.
    @Test func seriesRowsFollowUsage() throws {
        let (d, s) = try growing()
        let web = d.seriesRows.filter { $0.container == "web" }
        #expect(web.map(\.time) == [1, 2, 3, 4])
        #expect(web.map(\.usage) == [262_144, 524_288, 786_432, 0])
        #expect(web.map(\.oomKills) == [0, 0, 0, 1])
        #expect(s.kills.map(\.pid) == [1] && s.kills.first?.time == 4)
        let csv = d.seriesRows.csv().split(separator: "\n")
        #expect(csv.first == "t,container,usage_bytes,working_set_bytes,swap_bytes,refaults,evictions,failcnt,oom_kills")
        #expect(csv.contains("3.0,web,786432,786432,0,0,0,0,0"))
    }

    /// The chart draws web (not the root beside it) as a line, its limit and
    /// the kill where it happened, with a title and axis labels in units.
    @Test func usagePlotShowsLineLimitAndKill() throws {
        let (d, s) = try growing()
        let svg = UsagePlot.svg(title: "growing", rows: d.seriesRows, summary: s)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains(">growing</text>"))
        #expect(svg.contains("virtual time (seconds)") && svg.contains("usage, memory.current (MiB)"))
        #expect(svg.components(separatedBy: "class=\"usage\"").count == 2)
        #expect(svg.contains("data-container=\"web\"") && !svg.contains("data-container=\"root\""))
        #expect(svg.contains("web (max 1M)"))
        #expect(svg.components(separatedBy: "class=\"limit\"").count == 2)
        // The kill is at the end of virtual time: the right edge of the plot (x = 90 + 640).
        #expect(svg.contains("class=\"kill\" x1=\"730.0\""))
        #expect(svg.contains("OOM kill pid 1"))
        // A step line: two points per sample but the first.
        let points = svg.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }.split(separator: " ")
        #expect(points.count == 2 * 4 - 1)
    }
}
