import Testing
import MemcgEngine
@testable import MemcgWorkload
#if canImport(Glibc)
import Glibc
#endif

/// The patterns checked as distributions and shapes, through the generator.
@Suite struct Distributions {
    /// Accesses of one touch phase over `pages` pages.
    static func touches(_ pattern: String, pages: Int, rate: Int, seconds: Int, seed: Int = 1) throws -> [(time: Double, op: RecordOp, page: UInt64)] {
        let spec = try SpecReader.parse("""
            seed: \(seed)
            containers: [{name: a}]
            processes: [{pid: 1, container: a, phases: [{for: \(seconds)s, touch: {anon: \(pages * 4096), \(pattern), rate: \(rate)/s}}]}]
            """)
        return Specs.accesses(WorkloadGenerator.trace(spec))
    }

    /// Zipf with theta 0.99 over 10000 pages puts H(100)/H(10000) of the accesses on the hottest 1%
    /// and H(1000)/H(10000) on the hottest 10%; tolerance 5 standard deviations of a binomial share.
    @Test func zipfShares() throws {
        let n = 10_000
        let a = try Self.touches("pattern: zipf, theta: 0.99", pages: n, rate: 100_000, seconds: 3)
        #expect(a.count == 300_000)
        for top in [1, 100, 1000] {
            let p = ZipfSampler.share(top: top, of: n, theta: 0.99)
            let got = Double(a.filter { $0.page < UInt64(top) }.count) / Double(a.count)
            let tolerance = 5 * (p * (1 - p) / Double(a.count)).squareRoot()
            #expect(abs(got - p) <= tolerance, "top \(top): \(got) vs \(p) ± \(tolerance)")
        }
        // The documented figures (docs/workloads.md): 1% of the pages take about 52%, 10% about 76%.
        #expect(abs(ZipfSampler.share(top: 100, of: n, theta: 0.99) - 0.52) < 0.01)
        #expect(abs(ZipfSampler.share(top: 1000, of: n, theta: 0.99) - 0.76) < 0.01)
    }

    /// Each rank's frequency follows 1/k^theta: the ratio of rank 1 to rank 2 is 2^theta (theta 1.2 here).
    @Test func zipfRankRatio() throws {
        let sampler = ZipfSampler(n: 1000, theta: 1.2)
        var rng = SplitMix64(seed: 42)
        var counts = [Int](repeating: 0, count: 3)
        let draws = 400_000
        for _ in 0..<draws { let k = sampler.sample(&rng); if k <= 2 { counts[k] += 1 } }
        let p1 = ZipfSampler.share(top: 1, of: 1000, theta: 1.2)
        let tol = 5 * (p1 * (1 - p1) / Double(draws)).squareRoot()
        #expect(abs(Double(counts[1]) / Double(draws) - p1) <= tol)
        #expect(abs(Double(counts[1]) / Double(counts[2]) - pow(2, 1.2)) < 0.05)
    }

    /// hot_cold: the hot 10% of the pages takes 90% of the accesses (binomial tolerance); uniform is uniform per decile.
    @Test func hotColdAndUniform() throws {
        let a = try Self.touches("pattern: hot_cold, hot: 0.1, hot_share: 0.9", pages: 5000, rate: 50_000, seconds: 2)
        let got = Double(a.filter { $0.page < 500 }.count) / Double(a.count)
        #expect(abs(got - 0.9) <= 5 * (0.09 / Double(a.count)).squareRoot())
        let u = try Self.touches("pattern: random", pages: 5000, rate: 50_000, seconds: 2)
        for d in 0..<10 {
            let share = Double(u.filter { $0.page / 500 == UInt64(d) }.count) / Double(u.count)
            #expect(abs(share - 0.1) <= 5 * (0.09 / Double(u.count)).squareRoot())
        }
    }

    /// masim's stairs: the first sixth sweeps the whole region, then each tenth of it is the only one accessed, in order.
    @Test func stairsShape() throws {
        let a = try Self.touches("pattern: stairs", pages: 1000, rate: 2000, seconds: 60)
        let initial = a.filter { $0.time < 10 }
        #expect(Set(initial.map { $0.page / 100 }).count == 10)
        for step in 0..<10 {
            let lo = 10 + Double(step) * 5, hi = lo + 5
            let window = a.filter { $0.time >= lo + 0.2 && $0.time < hi - 0.2 }
            #expect(!window.isEmpty)
            #expect(window.allSatisfy { $0.page / 100 == UInt64(step) }, "step \(step)")
        }
    }

    /// masim's zigzag: the first seventh sweeps both halves, then low and high halves alternate every 5 of 70 seconds.
    @Test func zigzagShape() throws {
        let a = try Self.touches("pattern: zigzag", pages: 1000, rate: 2000, seconds: 70)
        #expect(Set(a.filter { $0.time < 10 }.map { $0.page / 500 }) == [0, 1])
        for j in 0..<12 {
            let lo = 10 + Double(j) * 5, hi = lo + 5
            let window = a.filter { $0.time >= lo + 0.2 && $0.time < hi - 0.2 }
            #expect(!window.isEmpty)
            #expect(window.allSatisfy { $0.page / 500 == UInt64(j % 2) }, "interval \(j)")
        }
    }

    /// Sequential: page after page, wrapping; one pass over the phase when no rate is given.
    @Test func sequentialPass() throws {
        let spec = try SpecReader.parse("""
            containers: [{name: a}]
            processes: [{pid: 1, container: a, phases: [{for: 2s, read: {file: f, size: 4M}}]}]
            """)
        let pages = Specs.accesses(WorkloadGenerator.trace(spec)).map(\.page)
        #expect(pages == Array(0..<1024))
    }

    /// A sequential read of a file twice the limit, done twice: the second pass refaults every page.
    @Test func sequentialReadTwiceTheLimitRefaultsEverything() throws {
        let spec = try SpecReader.parse("""
            containers: [{name: batch, limits: {max: 8M}}]
            processes:
              - pid: 1
                container: batch
                phases:
                  - {for: 4s, read: {file: big.dat, size: 16M, rate: 4M/s}}
                  - {for: 4s, read: {file: big.dat, size: 16M, rate: 4M/s}}
            """)
        let r = try Specs.replay(WorkloadGenerator.trace(spec), swap: 0)
        let c = try #require(r.container("batch"))
        #expect(c.firstTouches == 4096)
        #expect(c.refaults == 4096)
        #expect(r.kills.isEmpty)
    }
}
