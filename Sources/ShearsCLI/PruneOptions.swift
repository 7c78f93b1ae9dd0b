// PruneOptions: method names and the layer-selection options shared by prune, sweep,
// sensitivity and bench, mapped onto the Prune module's types.

import ArgumentParser
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

/// Method names on the command line.
enum PruneSpec {
    static let names = ["l1", "random", "global-l1", "ln", "ln1", "ln2", "channel"]

    /// "l1" → .l1, "ln"/"ln2" → L2 structured, "ln1" → L1 structured, …
    static func method(_ name: String) throws -> PruningMethod {
        switch name {
        case "l1": return .l1
        case "random": return .random
        case "global-l1", "global": return .globalL1
        case "ln", "ln2": return .ln(n: 2)
        case "ln1": return .ln(n: 1)
        case "channel": return .channel
        default: throw ValidationError("unknown pruning method '\(name)': choose from \(names.joined(separator: ", "))")
        }
    }

    /// A comma-separated list of method names, validated, in order.
    static func methods(_ text: String) throws -> [(name: String, method: PruningMethod)] {
        try text.split(separator: ",").map { let name = String($0).trimmingCharacters(in: .whitespaces); return (name, try method(name)) }
    }
}
