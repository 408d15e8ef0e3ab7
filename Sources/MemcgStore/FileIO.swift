#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What went wrong with the data directory; `message` is for the operator
/// (it names the file, and the offset when there is one).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Thin POSIX file helpers (the store's only contact with the system).
enum FileIO {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func readAll(_ path: String) throws(StoreError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError("cannot stat \(path): \(errnoText())") }
        let size = Int(st.st_size)
        var out = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw StoreError("cannot read \(path): \(n == 0 ? "file shrank" : errnoText())") }
            done += n
        }
        return out
    }

    /// Writes every byte (retrying short writes); false with errno set on failure.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Writes a file atomically: a temporary file, fsync, rename, fsync of the directory.
    static func writeAtomically(_ bytes: [UInt8], dir: String, name: String) throws(StoreError) {
        let tmp = "\(dir)/\(name).tmp", path = "\(dir)/\(name)"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError("cannot create \(tmp): \(errnoText())") }
        let ok = bytes.withUnsafeBytes { writeAll(fd, $0) } && fsync(fd) == 0
        let err = errnoText()
        close(fd)
        guard ok else { unlink(tmp); throw StoreError("cannot write \(tmp): \(err)") }
        guard rename(tmp, path) == 0 else { throw StoreError("cannot rename \(tmp): \(errnoText())") }
        syncDirectory(dir)
    }

    static func listDirectory(_ dir: String) throws(StoreError) -> [String] {
        guard let d = opendir(dir) else { throw StoreError("cannot read the data directory \(dir): \(errnoText())") }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates the directory (and its parents) when missing.
    static func makeDirectory(_ dir: String) throws(StoreError) {
        var path = ""
        for part in dir.split(separator: "/", omittingEmptySubsequences: false) {
            path += (path.isEmpty && dir.hasPrefix("/") ? "" : (path.isEmpty ? "" : "/")) + part
            if path.isEmpty { path = "/"; continue }
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw StoreError("cannot create \(path): \(errnoText())") }
        }
        var st = stat()
        guard stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw StoreError("\(dir) is not a directory") }
    }

    static func truncate(_ path: String, at offset: Int) throws(StoreError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0, ftruncate(fd, off_t(offset)) == 0, fsync(fd) == 0 else {
            let err = errnoText()
            if fd >= 0 { close(fd) }
            throw StoreError("cannot truncate \(path) at \(offset): \(err)")
        }
        close(fd)
    }

    static func remove(_ path: String) { unlink(path) }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
