import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Monotonic nanoseconds (CLOCK_MONOTONIC).
@inline(__always) func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// The request deadline (`--request-timeout`). libmicrohttpd's
/// `MHD_OPTION_CONNECTION_TIMEOUT` only closes a connection that is idle, so a
/// client sending one byte a second keeps its slot for ever. Here every open
/// connection has a clock: it starts when the connection opens and again when
/// a reply has been handed over, stops while the handler runs, and a
/// connection whose clock passes the deadline (headers or body still not
/// complete, or a reply not taken) is shut down. `shutdown(2)` only wakes
/// libmicrohttpd's poll with an end of stream; libmicrohttpd closes the socket
/// itself, after `NOTIFY_CONNECTION` reports it closed, and that report
/// removes the entry under the same lock, so a socket number is never shut
/// down after it was reused. `@unchecked Sendable`: the table is guarded by that lock.
final class RequestDeadlines: @unchecked Sendable {
    struct Entry {
        var fd: Int32
        var since: UInt64
        var running = false
        var expired = false
    }

    let timeoutNanos: UInt64
    private let lock = PosixLock()
    private var entries: [Int: Entry] = [:]
    private var timer: DispatchSourceTimer?
    /// Connections shut down for passing the deadline.
    let expiredCount = Atomic<Int>(0)

    init(timeoutSeconds: Int) {
        timeoutNanos = UInt64(timeoutSeconds) * 1_000_000_000
    }

    func start() {
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "memcgd.request-deadlines"))
        let period = DispatchTimeInterval.milliseconds(Int(min(1000, max(50, timeoutNanos / 4_000_000))))
        t.schedule(deadline: .now() + period, repeating: period, leeway: .milliseconds(20))
        t.setEventHandler { [weak self] in self?.sweep(now: monotonicNanos()) }
        t.resume()
        timer = t
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    @inline(__always) private func key(_ c: OpaquePointer) -> Int { Int(bitPattern: UnsafeRawPointer(c)) }

    func opened(_ c: OpaquePointer, fd: Int32) {
        guard fd >= 0 else { return }
        lock.withLock { entries[key(c)] = Entry(fd: fd, since: monotonicNanos()) }
    }

    func closed(_ c: OpaquePointer) {
        lock.withLock { _ = entries.removeValue(forKey: key(c)) }
    }

    /// The handler is working on a complete request: no deadline meanwhile.
    func running(_ c: OpaquePointer) {
        lock.withLock { entries[key(c)]?.running = true }
    }

    /// A reply is queued or done: the clock starts again.
    func restart(_ c: OpaquePointer) {
        let now = monotonicNanos()
        lock.withLock {
            entries[key(c)]?.running = false
            entries[key(c)]?.since = now
        }
    }

    /// Shuts down every connection past its deadline; returns how many.
    @discardableResult
    func sweep(now: UInt64) -> Int {
        var n = 0
        lock.withLock {
            for (k, e) in entries where !e.running && !e.expired && now &- e.since > timeoutNanos {
                shutdown(e.fd, Int32(SHUT_RDWR))
                entries[k]?.expired = true
                n += 1
            }
        }
        if n > 0 { expiredCount.add(n, ordering: .relaxed) }
        return n
    }
}
