import ArgumentParser
import MemcgWorkload
#if canImport(Glibc)
import Glibc
#endif

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn a real program's trace into a logical trace (on standard output).",
        discussion: """
            lackey: the output of `valgrind --tool=lackey --trace-mem=yes --log-file=FILE PROG`. \
            perf: the output of `perf script -F pid,tid,time,addr --show-task-events` after \
            `perf record -e page-faults -c 1 -d --all-user PROG` (first touches only). FILE may be - for standard input.
            """)

    @Argument(help: "lackey or perf.") var tool: String
    @Argument(help: "The tool's output.") var file: String
    @Option(help: "Container the program runs in. Default: app.") var container = "app"
    @Option(name: .shortAndLong, help: "Write the trace here instead of standard output.") var output: String?

    func run() throws {
        guard tool == "lackey" || tool == "perf" else { throw usage("import knows lackey and perf, not \"\(tool)\"") }
        let fd: Int32 = output.map { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) } ?? 1
        guard fd >= 0 else { throw usage("cannot write \(output!)") }
        defer { if fd != 1 { close(fd) } }
        let progress = Progress("importing \(file)")
        do {
            let input = try LineReader(path: file)
            let out = LineWriter(fd: fd)
            let st = tool == "lackey"
                ? try Importer.lackey(input: input, out: out, container: container) { progress.update($0, $1) }
                : try Importer.perf(input: input, out: out, container: container)
            progress.finish()
            writeErr("memcgd import \(tool): \(st.inputLines) lines, \(st.records) records, \(st.processes) processes\n")
            if tool == "perf" { writeErr("note: perf page faults are first touches only: re-references are not seen\n") }
        } catch {
            progress.finish()
            printError("\(file): \(error)")
            throw error.line == nil ? TraceExit.usage : TraceExit.badTrace
        }
    }
}
