/// The one error type of the engine. Each case carries an errno-style code
/// that the HTTP layer maps to a status; `detail` is a human sentence.
public struct EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable, Error {
        case EINVAL, ENOENT, ESRCH, EEXIST, EBUSY, ENOMEM, EOPNOTSUPP
    }
    public var code: Code
    public var detail: String
    /// Pages evicted before the command failed (a limit write that reclaimed
    /// some pages and then gave up with EBUSY still reports them).
    public var evicted: [Int]

    public init(_ code: Code, _ detail: String, evicted: [Int] = []) {
        self.code = code
        self.detail = detail
        self.evicted = evicted
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
