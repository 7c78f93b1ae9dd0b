// PruneOptions: the layer-selection and channel options shared by prune, sweep,
// sensitivity and bench, and the method names, mapped onto the Prune module's types.

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

    var selection: LayerSelection {
        LayerSelection(include: Self.globs(layers), exclude: Self.globs(exclude))
    }

    /// Prunes `model` once by `amount` (of what remains) with `method` and these options.
    func prune(_ model: Model, method: PruningMethod, amount: Double) throws -> (Model, PruneRecord) {
        try Pruner.prune(model, method: method, amount: .fraction(amount), selection: selection, seed: seed,
                         roundTo: roundTo, pruneResidualGroups: pruneResidual)
    }

    /// Runs `schedule` with `method` and these options, calling `body(step, model, record)` after each step.
    func run(_ model: Model, method: PruningMethod, schedule: PruneSchedule, body: (Int, Model, PruneRecord) throws -> Void) throws {
        try Pruner.run(model, method: method, schedule: schedule, selection: selection, seed: seed,
                       roundTo: roundTo, pruneResidualGroups: pruneResidual, body: body)
    }

    private static func globs(_ text: String?) -> [String] {
        text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
    }
}

/// Pruning method names on the command line, listed once: `--method`, `--methods`,
/// `--iterative-method` and `--prune` take them.
enum PruneMethodName: String, CaseIterable, ExpressibleByArgument {
    case l1, random
    case globalL1 = "global-l1"
    case ln, ln1, ln2, channel

    /// Accepts "global" for global-l1 too.
    init?(argument: String) { self.init(rawValue: argument == "global" ? "global-l1" : argument) }

    /// Empty, so that a wrong name is one line ("The value 'x' is invalid for '--method
    /// <name>'") rather than a list; the help texts name the methods.
    static var allValueStrings: [String] { [] }

    /// "l1" → .l1, "ln"/"ln2" → L2 structured, "ln1" → L1 structured, …
    var method: PruningMethod {
        switch self {
        case .l1: return .l1
        case .random: return .random
        case .globalL1: return .globalL1
        case .ln, .ln2: return .ln(n: 2)
        case .ln1: return .ln(n: 1)
        case .channel: return .channel
        }
    }

    /// Every name, for help texts.
    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// A comma-separated list of names, in order.
    static func parseList(_ text: String) throws -> [PruneMethodName] {
        try text.split(separator: ",").map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let parsed = PruneMethodName(argument: name) else { throw ValidationError("unknown pruning method '\(name)': choose from \(list)") }
            return parsed
        }
    }
}
