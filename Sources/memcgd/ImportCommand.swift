import ArgumentParser
struct Import: ParsableCommand { static let configuration = CommandConfiguration(abstract: "x") }
