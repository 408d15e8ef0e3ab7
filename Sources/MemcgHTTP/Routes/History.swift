import MemcgEngine
#if canImport(Glibc)
import Glibc
#endif

/// A ring buffer of samples of usage and working set per container, for
/// the web view's chart (`GET /containers/{name}/history`). A service
/// feature, not engine state: samples carry wall-clock times, and the
/// engine stays deterministic.
///
/// Memory is bounded: `capacity` samples for at most `maxContainers`
/// containers (4 bytes per value: usage and working set are page counts,
/// which fit in 32 bits since a machine has at most 2^31 frames). Containers
/// beyond that are not sampled until others go away.
/// `@unchecked Sendable`: every field is read and written under its lock.
public final class HistoryRecorder: @unchecked Sendable {
    public static let capacity = 600
    public static let maxContainers = 2048

    public struct Sample: Sendable, Equatable {
        /// Unix time in milliseconds.
        public var timeMs: Int64
        /// Pages.
        public var usage: Int
        public var workingSet: Int
    }

    private struct Series {
        /// Number of the first sample taken of this container.
        var first: Int
        var usage: [UInt32]
        var workingSet: [UInt32]
    }

    private let lock = PosixLock()
    private var times = [Int64](repeating: 0, count: HistoryRecorder.capacity)
    /// Samples taken so far; sample k lives at index k % capacity.
    private var taken = 0
    private var series: [String: Series] = [:]

    public init() {}

    /// Records one sample of every container in `containers`; containers
    /// that are gone lose their history.
    public func record(_ containers: [ContainerSnapshot], timeMs: Int64) {
        let cap = Self.capacity
        lock.withLock {
            let k = taken
            let slot = k % cap
            times[slot] = timeMs
            var seen = Set<String>(minimumCapacity: containers.count)
            for c in containers {
                seen.insert(c.name)
                if series[c.name] == nil {
                    guard series.count < Self.maxContainers else { continue }
                    series[c.name] = Series(first: k, usage: [UInt32](repeating: 0, count: cap), workingSet: [UInt32](repeating: 0, count: cap))
                }
                series[c.name]!.usage[slot] = UInt32(clamping: c.usage)
                series[c.name]!.workingSet[slot] = UInt32(clamping: c.workingSet)
            }
            if series.count > seen.count || containers.count > seen.count {
                for name in series.keys where !seen.contains(name) { series[name] = nil }
            }
            taken = k + 1
        }
    }

    /// The samples of one container, oldest first; nil when it is not sampled.
    public func samples(_ name: String) -> [Sample]? {
        lock.withLock { () -> [Sample]? in
            guard let s = series[name] else { return nil }
            let cap = Self.capacity
            let from = max(s.first, taken - cap)
            var out: [Sample] = []
            out.reserveCapacity(taken - from)
            for k in from..<taken {
                let i = k % cap
                out.append(Sample(timeMs: times[i], usage: Int(s.usage[i]), workingSet: Int(s.workingSet[i])))
            }
            return out
        }
    }

    /// Forgets everything (a machine reset).
    public func clear() {
        lock.withLock {
            series = [:]
            taken = 0
        }
    }

    /// Unix time in milliseconds.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000)
    }
}

/// A thread that calls `tick` every `interval` until stopped.
/// `@unchecked Sendable`: its stop flag is only touched under its lock.
final class Ticker: @unchecked Sendable {
    private let interval: Duration
    private let tick: @Sendable () -> Void
    private let lock = PosixLock()
    private var stopped = false
    private var thread: pthread_t?

    init(interval: Duration, tick: @escaping @Sendable () -> Void) {
        self.interval = interval
        self.tick = tick
    }

    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { raw in
            let me = Unmanaged<Ticker>.fromOpaque(raw!).takeRetainedValue()
            me.run()
            return nil
        }, box)
        if rc == 0 { thread = t } else { Unmanaged<Ticker>.fromOpaque(box).release() }
    }

    private func run() {
        let clock = ContinuousClock()
        var next = clock.now
        while !lock.withLock({ stopped }) {
            tick()
            next += interval
            // Fell behind (a loaded machine): skip the missed ticks, never burst.
            if next < clock.now { next = clock.now + interval }
            // Sleep in short steps so stop() is answered quickly.
            while clock.now < next && !lock.withLock({ stopped }) {
                let left = next - clock.now
                let step = min(left, .milliseconds(100))
                usleep(UInt32(max(1, step / .microseconds(1))))
            }
        }
    }

    func stop() {
        lock.withLock { stopped = true }
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }
}
