import MemcgEngine

/// A map from (space, page number) to a 32-bit entry, in chunks of 512
/// entries like a page table's last level: one for the processes' page
/// tables (space = process), one for the page cache (space = file or shm
/// segment). A dense range costs 4 bytes a page; an absent chunk costs nothing.
struct PageIndex {
    static let shift = 9
    static let chunkSize = 1 << shift
    static let mask = chunkSize - 1

    private(set) var store: [UInt32] = []
    private var freeChunks: [Int32] = []
    private var map = ChunkMap()
    /// Chunk numbers of each space, in the order they were made.
    private(set) var chunksOf: [[UInt32]] = []
    private var lastKey: UInt64 = .max
    private var lastBase = 0

    @inline(__always) static func key(_ space: Int, _ chunk: UInt64) -> UInt64 { UInt64(space) << 32 | chunk }

    /// Bytes held (entries and the chunk map), for the memory benchmark.
    var bytes: Int { store.capacity * 4 + map.bytes + chunksOf.reduce(0) { $0 + $1.capacity * 4 } }

    mutating func ensureSpace(_ space: Int) {
        while chunksOf.count <= space { chunksOf.append([]) }
    }

    /// Base index in `store` of the chunk, or -1.
    @inline(__always) mutating func base(_ space: Int, _ page: UInt64) -> Int {
        let k = Self.key(space, page >> UInt64(Self.shift))
        if k == lastKey { return lastBase }
        guard let c = map[k] else { return -1 }
        lastKey = k
        lastBase = Int(c) << Self.shift
        return lastBase
    }

    /// The position in `store` of the page's entry, or -1 when its chunk
    /// does not exist; changes nothing (for look-ahead).
    @inline(__always) mutating func position(_ space: Int, _ page: UInt64) -> Int {
        let k = Self.key(space, page >> UInt64(Self.shift))
        if k == lastKey { return lastBase + Int(page & UInt64(Self.mask)) }
        guard let c = map[k] else { return -1 }
        return Int(c) << Self.shift + Int(page & UInt64(Self.mask))
    }

    /// Prefetches the entry at `position` (a hint).
    @inline(__always) mutating func prefetch(position i: Int) {
        store.withUnsafeMutableBufferPointer { b in
            if i >= 0 && i < b.count { prefetchForWrite(UnsafeRawPointer(b.baseAddress! + i)) }
        }
    }

    /// The entry at `position`, 0 when out of range (for look-ahead: the
    /// position may be stale).
    @inline(__always) mutating func peek(position i: Int) -> UInt32 {
        i >= 0 && i < store.count ? store[i] : 0
    }

    @inline(__always) mutating func get(_ space: Int, _ page: UInt64) -> UInt32 {
        let b = base(space, page)
        return b < 0 ? 0 : store[b + Int(page & UInt64(Self.mask))]
    }

    @inline(__always) mutating func set(_ space: Int, _ page: UInt64, _ value: UInt32) {
        var b = base(space, page)
        if b < 0 {
            if value == 0 { return }
            b = makeChunk(space, page >> UInt64(Self.shift))
        }
        store[b + Int(page & UInt64(Self.mask))] = value
    }

    private mutating func makeChunk(_ space: Int, _ chunk: UInt64) -> Int {
        let c: Int32
        if let reused = freeChunks.popLast() {
            c = reused
            let b = Int(c) << Self.shift
            for i in b..<(b + Self.chunkSize) { store[i] = 0 }
        } else {
            c = Int32(store.count >> Self.shift)
            store.append(contentsOf: repeatElement(0, count: Self.chunkSize))
        }
        let k = Self.key(space, chunk)
        map[k] = c
        ensureSpace(space)
        chunksOf[space].append(UInt32(chunk))
        lastKey = k
        lastBase = Int(c) << Self.shift
        return lastBase
    }

    /// The non-zero entries of the space with page in `first...last`, in
    /// ascending page order. Walks the space's chunks, never the whole
    /// range, so a huge range costs what is there.
    func collect(_ space: Int, from first: UInt64, through last: UInt64) -> [(UInt64, UInt32)] {
        guard space < chunksOf.count, first <= last else { return [] }
        let lo = first >> UInt64(Self.shift), hi = last >> UInt64(Self.shift)
        var chunks: [UInt32]
        if hi - lo < UInt64(chunksOf[space].count) {
            chunks = []
            var c = lo
            while c <= hi {
                if map[Self.key(space, c)] != nil { chunks.append(UInt32(c)) }
                c += 1
            }
        } else {
            chunks = chunksOf[space].filter { UInt64($0) >= lo && UInt64($0) <= hi }.sorted()
        }
        var out: [(UInt64, UInt32)] = []
        for c in chunks {
            let b = Int(map[Self.key(space, UInt64(c))]!) << Self.shift
            let start = UInt64(c) << UInt64(Self.shift)
            for i in 0..<Self.chunkSize {
                let page = start + UInt64(i)
                guard page >= first, page <= last else { continue }
                let e = store[b + i]
                if e != 0 { out.append((page, e)) }
            }
        }
        return out
    }

    /// Every non-zero entry of the space, chunk by chunk in the order the
    /// chunks were made.
    func entries(_ space: Int) -> [(UInt64, UInt32)] {
        guard space < chunksOf.count else { return [] }
        var out: [(UInt64, UInt32)] = []
        for c in chunksOf[space] {
            let b = Int(map[Self.key(space, UInt64(c))]!) << Self.shift
            for i in 0..<Self.chunkSize where store[b + i] != 0 {
                out.append((UInt64(c) << UInt64(Self.shift) + UInt64(i), store[b + i]))
            }
        }
        return out
    }

    /// Drops a space and frees its chunks.
    mutating func removeSpace(_ space: Int) {
        guard space < chunksOf.count else { return }
        for c in chunksOf[space] {
            let k = Self.key(space, UInt64(c))
            if let idx = map.remove(k) { freeChunks.append(idx) }
        }
        chunksOf[space] = []
        lastKey = .max
    }
}

/// The chunk numbers of a `PageIndex` by key (space and chunk): an
/// open-addressing table with linear probing and a multiplicative hash,
/// kept at most half full, with backward-shift deletion. It replaces a
/// `Dictionary`, whose seeded hashing was a tenth of a replay's time on
/// traces that jump between chunks. The table is never iterated, so its
/// order cannot show.
struct ChunkMap {
    private static let empty = UInt64.max
    private var keys: [UInt64] = Array(repeating: ChunkMap.empty, count: 16)
    private var values: [Int32] = Array(repeating: 0, count: 16)
    private var shift = 4
    private(set) var count = 0

    var bytes: Int { keys.capacity * 8 + values.capacity * 4 }

    @inline(__always) private func home(_ k: UInt64) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - shift))
    }

    @inline(__always) subscript(_ k: UInt64) -> Int32? {
        get {
            let mask = (1 << shift) - 1
            var i = home(k)
            while true {
                let x = keys[i]
                if x == k { return values[i] }
                if x == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
        set {
            guard let v = newValue else { _ = remove(k); return }
            insert(k, v)
        }
    }

    private mutating func insert(_ k: UInt64, _ v: Int32) {
        precondition(k != Self.empty, "chunk key out of range")
        if 2 * (count + 1) > keys.count { grow() }
        let mask = (1 << shift) - 1
        var i = home(k)
        while keys[i] != Self.empty && keys[i] != k { i = (i + 1) & mask }
        if keys[i] == Self.empty { count += 1 }
        keys[i] = k
        values[i] = v
    }

    private mutating func grow() {
        let (oldKeys, oldValues) = (keys, values)
        shift += 1
        keys = Array(repeating: Self.empty, count: 1 << shift)
        values = Array(repeating: 0, count: 1 << shift)
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where k != Self.empty { insert(k, v) }
    }

    /// Removes the key; returns its value.
    mutating func remove(_ k: UInt64) -> Int32? {
        let mask = (1 << shift) - 1
        var i = home(k)
        while keys[i] != k {
            if keys[i] == Self.empty { return nil }
            i = (i + 1) & mask
        }
        let v = values[i]
        var hole = i, j = i
        while true {
            j = (j + 1) & mask
            let x = keys[j]
            if x == Self.empty { break }
            let h = home(x)
            // Move x into the hole when the hole lies on its probe path
            // (between its home and j, cyclically).
            if (j - h) & mask >= (j - hole) & mask {
                keys[hole] = x
                values[hole] = values[j]
                hole = j
            }
        }
        keys[hole] = Self.empty
        count -= 1
        return v
    }
}
