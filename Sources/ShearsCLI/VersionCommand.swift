// `shears version`: prints the tool version and the linked libraries.

import ArgumentParser

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the Shears version."
    )

    func run() throws {
        print("shears \(Shears.configuration.version)")
    }
}
