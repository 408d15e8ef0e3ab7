#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast generator whose
/// output depends only on the seed, so a spec generates the same trace on
/// every machine and toolchain (the standard library's generators and
/// `random(in:)` make no such promise).
public struct SplitMix64: Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [0, n), without modulo bias (Lemire 2019).
    public mutating func below(_ n: UInt64) -> UInt64 {
        precondition(n > 0, "below(0)")
        var m = next().multipliedFullWidth(by: n)
        if m.low < n {
            let t = (0 &- n) % n
            while m.low < t { m = next().multipliedFullWidth(by: n) }
        }
        return m.high
    }
}

/// Zipf over ranks 1...n with exponent `theta` by rejection-inversion
/// (Hörmann and Derflinger, "Rejection-inversion to generate variates from
/// monotone discrete distributions", 1996): exact, O(1) per sample, no
/// table, any theta > 0 including 1.
public struct ZipfSampler: Sendable {
    public let n: Int
    public let theta: Double
    private let hX1: Double, hN: Double, s: Double

    public init(n: Int, theta: Double) {
        precondition(n >= 1 && theta > 0, "zipf needs n >= 1 and theta > 0")
        self.n = n
        self.theta = theta
        hX1 = Self.hIntegral(1.5, theta) - 1
        hN = Self.hIntegral(Double(n) + 0.5, theta)
        s = 2 - Self.hIntegralInverse(Self.hIntegral(2.5, theta) - Self.h(2, theta), theta)
    }

    /// A rank from 1 (the most frequent) to n.
    public func sample(_ rng: inout SplitMix64) -> Int {
        while true {
            let u = hN + rng.unit() * (hX1 - hN)
            let x = Self.hIntegralInverse(u, theta)
            var k = Int((x + 0.5).rounded(.down))
            if k < 1 { k = 1 } else if k > n { k = n }
            if Double(k) - x <= s || u >= Self.hIntegral(Double(k) + 0.5, theta) - Self.h(Double(k), theta) { return k }
        }
    }

    /// The share of samples the hottest `k` ranks get: H(k, theta) / H(n, theta).
    public static func share(top k: Int, of n: Int, theta: Double) -> Double {
        var top = 0.0, all = 0.0
        for i in 1...n {
            let w = pow(Double(i), -theta)
            all += w
            if i <= k { top += w }
        }
        return top / all
    }

    static func h(_ x: Double, _ e: Double) -> Double { exp(-e * log(x)) }
    static func hIntegral(_ x: Double, _ e: Double) -> Double {
        let lx = log(x)
        return helper2((1 - e) * lx) * lx
    }
    static func hIntegralInverse(_ x: Double, _ e: Double) -> Double {
        var t = x * (1 - e)
        if t < -1 { t = -1 }
        return exp(helper1(t) * x)
    }
    /// log(1+x)/x, accurate near 0.
    static func helper1(_ x: Double) -> Double { abs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x)) }
    /// (exp(x)-1)/x, accurate near 0.
    static func helper2(_ x: Double) -> Double { abs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x)) }
}

/// Where the next access of a pattern goes, over a region of `pages` pages.
struct PatternState {
    let pattern: Pattern
    let pages: UInt64
    var position: UInt64 = 0
    let zipf: ZipfSampler?

    init(_ pattern: Pattern, pages: UInt64) {
        self.pattern = pattern
        self.pages = pages
        if case .zipf(let theta) = pattern { zipf = ZipfSampler(n: Int(pages), theta: theta) } else { zipf = nil }
    }

    /// Next page for an access made `progress` (0...1) of the way through the phase.
    mutating func next(_ rng: inout SplitMix64, progress: Double) -> UInt64 {
        switch pattern {
        case .sequential: return sweep(0, pages)
        case .random: return rng.below(pages)
        case .zipf: return UInt64(zipf!.sample(&rng) - 1)
        case .hotCold(let hot, let share):
            let hotPages = min(pages, max(1, UInt64((Double(pages) * hot).rounded(.up))))
            if rng.unit() < share || hotPages == pages { return rng.below(hotPages) }
            return hotPages + rng.below(pages - hotPages)
        case .stairs(let steps):
            // masim's stairs.cfg: 10 s over every region, then 5 s on each alone.
            let initial = 1.0 / 6
            if progress < initial { return sweep(0, pages) }
            let i = min(UInt64(steps - 1), UInt64((progress - initial) / (1 - initial) * Double(steps)))
            let (lo, hi) = part(i, of: UInt64(steps))
            return sweep(lo, hi)
        case .zigzag(let steps):
            // masim's zigzag.cfg: 10 s over both halves, then 5 s low, 5 s high, alternating.
            let initial = 1.0 / 7
            if progress < initial { return sweep(0, pages) }
            let j = min(UInt64(steps - 1), UInt64((progress - initial) / (1 - initial) * Double(steps)))
            let (lo, hi) = part(j % 2, of: 2)
            return sweep(lo, hi)
        }
    }

    /// Pages of part `i` of `n` equal parts (the last one takes the rest).
    func part(_ i: UInt64, of n: UInt64) -> (UInt64, UInt64) {
        let size = max(1, pages / n)
        let lo = min(i * size, pages - 1)
        return (lo, i == n - 1 ? pages : min(pages, lo + size))
    }

    /// The next page of a sequential sweep over [lo, hi).
    mutating func sweep(_ lo: UInt64, _ hi: UInt64) -> UInt64 {
        let span = max(1, hi - lo)
        let p = lo + position % span
        position &+= 1
        return p
    }
}
