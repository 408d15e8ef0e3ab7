extension OpenAPIDocument {
    /// The spec for one machine: in the `PageCount` schema, the largest
    /// machine's 2^31 frames become this machine's (a range's `count` is at
    /// most its frames, model.md section 8), so schema-valid batches are
    /// accepted. Everything else is the repository's openapi/openapi.yaml.
    static func served(frames: Int) -> String {
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "    PageCount:"),
              let i = lines[start...].firstIndex(of: "      maximum: 2147483648")
        else { return yaml }
        lines[i] = "      maximum: \(frames)"
        return lines.joined(separator: "\n")
    }
}
