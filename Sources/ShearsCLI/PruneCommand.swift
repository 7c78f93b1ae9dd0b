// `shears prune`: prune a checkpoint once (or iteratively) and write the result (masks
// applied, as after prune.remove; channel removal writes the smaller shapes) as a torch.save
// zip of a plain state dict, a safetensors file or an ONNX model, by the output's extension,
// printing per-layer sparsity.

import ArgumentParser
import Foundation
import ShearsKit

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Prune a checkpoint and write the pruned state dict.",
        discussion: """
        Methods (torch.nn.utils.prune's semantics; amounts are fractions of what remains):
          l1         unstructured, smallest |w| per layer (conv and linear weights)
          global-l1  unstructured, smallest |w| across all selected layers
          random     unstructured, seeded random
          ln, ln1    structured masks on conv output channels, L2 (ln) or L1 (ln1) norm
          channel    removes conv output channels for real: a smaller, faster network,
                     ranked by --importance: l1 (filter norm, the default), l2, or bn-scale
                     (|gamma| of the BatchNorm after each conv: network slimming), the
                     methods then named channel-l2 and channel-bn-scale

        The output format follows its extension: .pt/.pth (torch.load(weights_only=True)
        reads it), .safetensors, or .onnx (a graph ONNX Runtime runs; the way to keep a
        pruned ONNX or module-tree model loadable). Catalog models load back with no flags.

        Examples:
          shears prune examples/models/teacher.pt --method l1 --amount 0.5 \\
              -o teacher-l1.pt
          shears prune model.pt --method channel --amount 0.3 --round-to 8 \\
              --exclude conv1 -o small.pt
          shears prune model.pt --method l1 --step 0.1 --steps 5 -o it.pt
          shears prune student.onnx --method channel --amount 0.3 -o small.onnx
          shears prune model.pt --method channel --importance bn-scale \\
              --step 0.1 --steps 5 -o slim.pt
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint to prune.", valueName: "checkpoint"))
    var checkpoint: String

    @Option(name: .long, help: ArgumentHelp("Pruning method: \(PruningMethod.list).", valueName: "name"))
    var method: PruningMethod = .l1

    @Option(name: .long, help: ArgumentHelp("Fraction to prune in one shot.", valueName: "a"))
    var amount: Double?

    @Option(name: .long, help: ArgumentHelp("Iterative: fraction of what remains pruned per step.", valueName: "s"))
    var step: Double?

    @Option(name: .long, help: ArgumentHelp("Iterative: number of steps, at most \(PruneCommand.maximumSteps).", valueName: "k"))
    var steps: Int = 1

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the pruned model: .pt, .safetensors or .onnx.", valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Input size an .onnx output is written for where a layer needs one (AdaptiveAvgPool2d to k x k, k > 1); default: the size an .onnx checkpoint declares.", valueName: "CxHxW"))
    var input: String?

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var pruneOptions: PruneOptions
    @OptionGroup var importanceOption: ImportanceOption

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @OptionGroup var limitOptions: LimitOptions

    /// The most iterative steps (1000 steps of 1% leave 0.004% of the weights).
    static let maximumSteps = 1000

    func validate() throws {
        if let input { _ = try parseInputShape(input) }
        guard (amount == nil) != (step == nil) else { throw ValidationError("give --amount A, or --step S with --steps K") }
        for value in [amount, step].compactMap({ $0 }) where !(0...1).contains(value) {
            throw ValidationError("amounts are fractions in [0, 1], got \(value)")
        }
        guard (1...Self.maximumSteps).contains(steps) else {
            throw ValidationError("--steps must be between 1 and \(Self.maximumSteps), got \(steps)")
        }
        _ = try rankedMethod()
    }

    /// `--method` ranked by `--importance`.
    func rankedMethod() throws -> PruningMethod {
        try importanceOption.check([method], from: "--method \(method)")
        return try importanceOption.ranked(method, flag: "--method")
    }

    func run() throws {
        if let output { try AtomicFile.requireWritable(output) }
        let method = try rankedMethod()
        let loaded = try loadModel(checkpoint, modelOptions)
        var model = loaded.model
        var record: PruneRecord?
        let schedule: PruneSchedule = amount.map { .oneShot(.fraction($0)) } ?? .iterative(step: .fraction(step!), steps: steps)
        try pruneOptions.settings.run(loaded.model, method: method, schedule: schedule) { _, next, nextRecord in (model, record) = (next, nextRecord) }
        guard let record else { return }
        if let output {
            let size = try input.map(parseInputShape) ?? (ModelFile.isONNX(checkpoint) ? ONNXImporter.declaredInput(path: checkpoint) : nil)
            for note in try ModelFile.write(model, to: output, input: size) { printError("note: \(note)") }
        }
        if json {
            try printJSON([
                "checkpoint": checkpoint, "method": method.description, "ratio": amount ?? PruneSchedule.cumulativeFraction(step: step!, steps: steps),
                "parameters_before": ModelStatistics.parameterCount(of: loaded.model),
                "parameters": record.parameters, "nonzero": record.nonzero, "sparsity": record.sparsity,
                "output": output as Any? ?? NSNull(),
                "layers": record.layers.map { ["name": $0.name, "total": $0.total, "zeros": $0.zeros, "sparsity": $0.sparsity] as [String: Any] },
            ])
        } else {
            var rows = [["layer", "weights", "zeros", "sparsity"]]
            for layer in record.layers {
                rows.append([layer.name, grouped(layer.total), grouped(layer.zeros), String(format: "%.1f%%", 100 * layer.sparsity)])
            }
            print(renderColumns(rows, rightAligned: [1, 2, 3]))
            for group in record.channelGroups where group.before != group.after {
                print("channels \(group.producers.joined(separator: "+")): \(group.before) -> \(group.after)".escapingControlCharacters)
            }
            print("\nparameters \(grouped(record.parameters)), nonzero \(grouped(record.nonzero)) (\(String(format: "%.1f", 100 * record.sparsity))% zero)")
            if let output { print("wrote \(output)") }
        }
    }
}
