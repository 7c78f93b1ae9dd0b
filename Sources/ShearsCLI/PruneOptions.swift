// PruneOptions: the layer-selection and channel options shared by prune, sweep,
// sensitivity and bench, and the pruning methods as arguments.

import ArgumentParser
import Foundation
import ShearsKit

/// `--layers`, `--exclude`, `--round-to`, `--prune-residual`, `--seed`.
struct PruneOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only prune layers whose names match these globs, e.g. 'layer*'.", valueName: "glob,glob"))
    var layers: String?

    @Option(name: .long, help: ArgumentHelp("Never prune layers matching these globs, e.g. 'conv1,fc'.", valueName: "glob,glob"))
    var exclude: String?

    @Option(name: .long, help: ArgumentHelp("Channel removal: keep channel counts multiples of N (8 or 16 suit fast kernels).", valueName: "n"))
    var roundTo: Int = 1

    @Flag(name: .long, help: "Channel removal: also prune channels joined by residual adds (together, by summed importance).")
    var pruneResidual = false

    @Option(name: .long, help: ArgumentHelp("Seed of the random method.", valueName: "n"))
    var seed: UInt64 = 0

    func validate() throws {
        guard roundTo >= 1 else { throw ValidationError("--round-to must be at least 1") }
    }

    /// The options as ShearsKit's settings.
    var settings: PruneSettings {
        PruneSettings(selection: LayerSelection(include: Self.globs(layers), exclude: Self.globs(exclude)), seed: seed,
                      roundTo: roundTo, pruneResidualGroups: pruneResidual)
    }

    private static func globs(_ text: String?) -> [String] {
        text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
    }
}

/// Pruning methods on the command line, by the names Prune gives them (`PruningMethod(name:)`):
/// `--method`, `--methods`, `--iterative-method` and `--prune` take them.
extension PruningMethod: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }

    /// Empty, so that a wrong name is one line ("The value 'x' is invalid for '--method
    /// <name>'") rather than a list; the help texts name the methods.
    public static var allValueStrings: [String] { [] }

    /// Every name, for help texts.
    static var list: String { names.joined(separator: ", ") }

    /// A comma-separated list of names, in order.
    static func parseList(_ text: String) throws -> [PruningMethod] {
        try text.split(separator: ",").map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let parsed = PruningMethod(name: name) else { throw ValidationError("unknown pruning method '\(name)': choose from \(list)") }
            return parsed
        }
    }
}
