import Testing
@testable import MemcgWorkload

/// The driver's page tables: the chunk map against a Dictionary, and the
/// page index's look-ahead reads against its ordinary ones.
struct PageIndexTests {
    /// Random inserts, overwrites and removals over a small key range (so
    /// probe runs collide, wrap and get holes) agree with a Dictionary
    /// after every step.
    @Test func chunkMapMatchesDictionary() {
        var rng = SplitMix(seed: 7)
        var m = ChunkMap()
        var d: [UInt64: Int32] = [:]
        for step in 0..<40_000 {
            let k = PageIndex.key(Int(rng.next() % 5), rng.next() % 700)
            switch rng.next() % 3 {
            case 0, 1:
                let v = Int32(truncatingIfNeeded: rng.next() % 1_000_000)
                m[k] = v
                d[k] = v
            default:
                #expect(m.remove(k) == d.removeValue(forKey: k), "step \(step)")
            }
            #expect(m.count == d.count)
            if step % 97 == 0 {
                for space in 0..<5 {
                    for c in 0..<700 {
                        let key = PageIndex.key(space, UInt64(c))
                        if m[key] != d[key] { Issue.record("step \(step): key \(key) is \(String(describing: m[key])), want \(String(describing: d[key]))"); return }
                    }
                }
            }
        }
    }

    /// `position`/`peek` read what `get` reads, for present and absent pages.
    @Test func lookAheadReadsTheSameEntries() {
        var idx = PageIndex()
        var rng = SplitMix(seed: 3)
        var want: [Int: [UInt64: UInt32]] = [:]
        for _ in 0..<5_000 {
            let space = Int(rng.next() % 3), page = rng.next() % 20_000
            let v = UInt32(truncatingIfNeeded: rng.next() % 1000 + 1)
            idx.set(space, page, v)
            want[space, default: [:]][page] = v
        }
        for space in 0..<4 {
            for page in stride(from: UInt64(0), to: 20_000, by: 7) {
                let pos = idx.position(space, page)
                let seen = pos < 0 ? 0 : idx.peek(position: pos)
                #expect(seen == idx.get(space, page))
                #expect(seen == want[space]?[page] ?? 0)
            }
        }
    }
}
