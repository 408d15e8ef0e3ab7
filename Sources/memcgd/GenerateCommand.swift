import ArgumentParser
import MemcgWorkload
#if canImport(Glibc)
import Glibc
#endif

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn a workload spec (YAML or JSON) into a logical trace on standard output.",
        discussion: "The same spec and seed give the same trace. `memcgd replay` and `memcgd whatif` take a spec directly too. Exit codes: 0, 64 bad usage, 65 bad spec (the message names the field).")

    @Argument(help: "The spec: .yaml, .yml or .json (- for standard input).") var spec: String
    @Option(name: .shortAndLong, help: "Write the trace here instead of standard output.") var output: String?
    @Option(help: "Use this seed instead of the spec's.") var seed: UInt64?

    func run() throws {
        var s = try loadSpec(spec)
        if let seed { s.seed = seed }
        let fd: Int32 = output.map { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) } ?? 1
        guard fd >= 0 else { throw usage("cannot write \(output!)") }
        defer { if fd != 1 { close(fd) } }
        let out = LineWriter(fd: fd)
        let n = WorkloadGenerator.write(s) { out.line($0) }
        out.flush()
        if output != nil { writeErr("memcgd generate: \(n) records, \(Int(s.duration)) virtual seconds\n") }
    }
}

/// Reads a workload spec, mapping errors to exit 65 (64 when the file cannot be read).
func loadSpec(_ path: String) throws -> WorkloadSpec {
    do { return try SpecReader.read(path: path) } catch {
        printError("\(path): \(error)")
        throw error.field.isEmpty && error.message.hasPrefix("cannot") ? TraceExit.usage : TraceExit.badTrace
    }
}
