/// The interface modelled (model.md section 9).
public enum CgroupVersion: String, Sendable, CaseIterable {
    case v1, v2
}

/// A control of a container (model.md section 2), in the order a write
/// applies them: `swap_max`, `min`, `low`, `high`, `max`.
public enum Control: Int, Sendable, CaseIterable, Comparable {
    case swapMax, min, low, high, max

    /// The wire name (`swap_max`, ...).
    public var name: String {
        switch self {
        case .swapMax: "swap_max"
        case .min: "min"
        case .low: "low"
        case .high: "high"
        case .max: "max"
        }
    }

    /// The kernel file it models.
    public var kernelFile: String {
        switch self {
        case .swapMax: "memory.swap.max"
        case .min: "memory.min"
        case .low: "memory.low"
        case .high: "memory.high"
        case .max: "memory.max"
        }
    }

    public init?(name: String) {
        guard let c = Control.allCases.first(where: { $0.name == name }) else { return nil }
        self = c
    }

    /// Whether the interface has this control.
    public func exists(in version: CgroupVersion) -> Bool { version == .v2 || self == .max }

    public static func < (a: Control, b: Control) -> Bool { a.rawValue < b.rawValue }
}

/// Values for some controls, in pages; `Int.max` is unlimited (for `low`
/// and `min`: protect everything). One write may set several; they are
/// applied in `Control` order.
public struct ControlValues: Sendable, Equatable {
    private var values: [Int?] = Array(repeating: nil, count: Control.allCases.count)

    public init() {}

    public init(_ pairs: [(Control, Int)]) {
        for (c, v) in pairs { self[c] = v }
    }

    public subscript(_ c: Control) -> Int? {
        get { values[c.rawValue] }
        set { values[c.rawValue] = newValue }
    }

    /// The controls given, in the order a write applies them.
    public var given: [(Control, Int)] { Control.allCases.compactMap { c in values[c.rawValue].map { (c, $0) } } }

    public var isEmpty: Bool { values.allSatisfy { $0 == nil } }
}

extension ControlValues {
    /// Just `max`: `pages`, or unlimited when nil.
    public static func max(_ pages: Int?) -> ControlValues { ControlValues([(.max, pages ?? Int.max)]) }
}
