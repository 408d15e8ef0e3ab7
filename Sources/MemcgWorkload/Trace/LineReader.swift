#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file (or standard input) line by line in large blocks, without
/// holding it whole: lackey output runs to gigabytes.
public final class LineReader {
    private let fd: Int32
    private let ownsFD: Bool
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    private var start = 0, end = 0
    private var eof = false
    /// Bytes consumed so far.
    public private(set) var bytesRead = 0
    /// Size of the file when known (not for pipes).
    public let totalBytes: Int?
    public private(set) var lineNumber = 0

    /// Opens `path` (`-` is standard input).
    public init(path: String) throws(TraceError) {
        if path == "-" {
            fd = 0
            ownsFD = false
        } else {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw TraceError(line: nil, "cannot open \(path): \(String(cString: strerror(errno)))") }
            ownsFD = true
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { totalBytes = Int(st.st_size) } else { totalBytes = nil }
        buffer = .allocate(capacity: JSONLineParser.maxLineBytes * 2)
    }

    deinit {
        buffer.deallocate()
        if ownsFD { close(fd) }
    }

    /// Calls `body` with the next line (without its newline); false at the end.
    /// A line longer than `JSONLineParser.maxLineBytes` is an error.
    public func next<R>(_ body: (UnsafeBufferPointer<UInt8>) throws(TraceError) -> R) throws(TraceError) -> R? {
        while true {
            if let nl = findNewline() {
                let line = UnsafeBufferPointer(rebasing: buffer[start..<nl])
                lineNumber += 1
                bytesRead += nl + 1 - start
                start = nl + 1
                return try body(line)
            }
            if eof {
                guard start < end else { return nil }
                let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                lineNumber += 1
                bytesRead += end - start
                start = end
                return try body(line)
            }
            try fill()
        }
    }

    private var scanFrom = 0

    private func findNewline() -> Int? {
        var k = max(start, scanFrom)
        guard let base = buffer.baseAddress else { return nil }
        if k < end, let p = memchr(base + k, 0x0A, end - k) {
            let nl = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            scanFrom = nl + 1
            return nl
        }
        k = end
        scanFrom = k
        return nil
    }

    private func fill() throws(TraceError) {
        if start > 0 {
            let n = end - start
            if n > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, n) }
            scanFrom -= start
            end = n
            start = 0
        }
        if end >= JSONLineParser.maxLineBytes {
            throw TraceError(line: lineNumber + 1, "line longer than \(JSONLineParser.maxLineBytes) bytes")
        }
        let got = read(fd, buffer.baseAddress! + end, buffer.count - end)
        if got < 0 {
            if errno == EINTR { return }
            throw TraceError(line: lineNumber + 1, "read error: \(String(cString: strerror(errno)))")
        }
        if got == 0 { eof = true } else { end += got }
    }
}
