import Foundation
import Testing
import MemcgEngine
@testable import MemcgWorkload

/// Runs a shell command; returns its exit status.
@discardableResult
func sh(_ cmd: String) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", cmd]
    do { try p.run() } catch { return -1 }
    p.waitUntilExit()
    return p.terminationStatus
}

func importAndReplay(_ tool: String, _ input: String) throws -> (ImportStats, RunSummary, Trace) {
    let out = NSTemporaryDirectory() + "memcgd-\(tool)-\(getpid()).jsonl"
    let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let w = LineWriter(fd: fd)
    let r = try LineReader(path: input)
    let st = tool == "lackey" ? try Importer.lackey(input: r, out: w, container: "app") : try Importer.perf(input: r, out: w, container: "app")
    close(fd)
    let trace = try TraceReader.read(path: out)
    let s = try Driver(trace: trace, config: ReplayConfig(machine: try Machine(memoryBytes: 1 << 30))).run()
    return (st, s, trace)
}

@Suite(.serialized) struct RealPrograms {
    static let dir = NSTemporaryDirectory() + "memcgd-import-\(getpid())"

    /// A C program writing 64 KiB under valgrind lackey: its stores become first touches of its pages.
    @Test func lackey() throws {
        sh("mkdir -p \(Self.dir)")
        let src = Self.dir + "/touch.c"
        try "static char b[1 << 16]; int main(void) { for (int i = 0; i < (1 << 16); i += 64) b[i] = (char)i; return b[64] - 64; }\n"
            .write(toFile: src, atomically: true, encoding: .utf8)
        guard sh("command -v valgrind >/dev/null && command -v cc >/dev/null") == 0 else {
            print("SKIP lackey importer test: valgrind or cc is not installed")
            return
        }
        #expect(sh("cc -O0 -o \(Self.dir)/touch \(src)") == 0)
        let log = Self.dir + "/lackey.txt"
        guard sh("valgrind --tool=lackey --trace-mem=yes --log-file=\(log) \(Self.dir)/touch") == 0 else {
            print("SKIP lackey importer test: valgrind cannot run here")
            return
        }
        let (st, s, trace) = try importAndReplay("lackey", log)
        #expect(st.records > 10_000)
        #expect(trace.objects.contains("touch"))          // instruction fetches: mapped reads of the program
        #expect(s.kills.isEmpty)
        // b[] spans 16 pages, all written: at least 16 anonymous first touches, plus the stack.
        #expect(s.firstTouches >= 16 + 1)
        #expect(s.container("app")!.peakUsage >= 16 * 4096)
    }

    /// A program that forks two children under perf page-faults: forks, exits and COW faults come through.
    @Test func perf() throws {
        sh("mkdir -p \(Self.dir)")
        let src = Self.dir + "/forker.c"
        try """
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            #include <sys/wait.h>
            int main(void) {
                char *p = malloc(1 << 20); memset(p, 1, 1 << 20);
                for (int k = 0; k < 2; k++) if (fork() == 0) { char *q = malloc(1 << 19); memset(q, 2, 1 << 19); p[k * 4096] = 3; _exit(0); }
                while (wait(0) > 0) {}
                return 0;
            }

            """.write(toFile: src, atomically: true, encoding: .utf8)
        guard sh("command -v perf >/dev/null && command -v cc >/dev/null") == 0 else {
            print("SKIP perf importer test: perf (linux-perf) or cc is not installed")
            return
        }
        #expect(sh("cc -O0 -o \(Self.dir)/forker \(src)") == 0)
        let data = Self.dir + "/perf.data", txt = Self.dir + "/perf.txt"
        guard sh("perf record -q -e page-faults -c 1 -d --all-user -o \(data) \(Self.dir)/forker 2>/dev/null") == 0 else {
            print("SKIP perf importer test: perf record cannot run here (perf_event_paranoid?)")
            return
        }
        #expect(sh("perf script -i \(data) -F pid,tid,time,addr --show-task-events > \(txt) 2>/dev/null") == 0)
        let (st, s, trace) = try importAndReplay("perf", txt)
        #expect(st.processes == 3)
        #expect(trace.records.filter { $0.op == .fork }.count == 2)
        #expect(trace.records.filter { $0.op == .exit }.count == 3)
        #expect(s.cows >= 2)                               // each child wrote a page of the parent's heap
        #expect(s.firstTouches >= 256 + 2 * 128)           // 1 MiB in the parent, 512 KiB in each child
        #expect(s.kills.isEmpty)
    }
}
