// `shears summary`: a torchsummary-like table of a checkpoint or catalog architecture:
// layers with output shapes and parameters, totals, MACs and size.

import ArgumentParser
import Foundation
import ShearsKit

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Show layers, output shapes, parameters and MACs of a model.",
        discussion: """
        With a checkpoint, the architecture and its widths are read from the file. Without one, \
        --arch names a catalog architecture at its standard widths.

        Examples:
          shears summary examples/models/teacher.pt --input 3x32x32
          shears summary --arch resnet18 --classes 11
          shears summary examples/models/student.pt --input 3x32x32 --json
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint (.pt, .pth, .bin, .ckpt, .safetensors) or Shears .pkl blob.", valueName: "checkpoint"))
    var checkpoint: String?

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("Classes of a catalog architecture (without a checkpoint), at most \(SummaryCommand.maximumClasses).", valueName: "n"))
    var classes: Int = 1000

    @Option(name: .long, help: ArgumentHelp("Input size as CxHxW (three positive integers, each at most \(maximumInputSide)). Default: the size a .pt2 was exported at, else 3x224x224.", valueName: "CxHxW"))
    var input: String?

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var limitOptions: LimitOptions

    /// The most classes a catalog architecture is built with (ImageNet-21k has 21,841).
    static let maximumClasses = 100_000

    func validate() throws {
        if checkpoint == nil && modelOptions.arch == nil { throw ValidationError("give a checkpoint or --arch NAME") }
        guard (1...Self.maximumClasses).contains(classes) else {
            throw ValidationError("--classes must be between 1 and \(Self.maximumClasses), got \(classes)")
        }
        _ = try input.map(parseInputShape)
    }

    func run() throws {
        let requested = try input.map(parseInputShape)
        let model: Model, shape: [Int]
        if let checkpoint {
            let loaded = try loadModel(checkpoint, modelOptions, inputSize: (requested ?? defaultInputShape)[1])
            (model, shape) = (loaded.model, try loaded.inputSize(requested, fallback: defaultInputShape))
        } else {
            shape = requested ?? defaultInputShape
            model = try ArchitectureCatalog.defaultModel(modelOptions.arch!, classes: classes, input: shape)
        }
        let statistics = try ModelStatistics(model: model, input: shape)
        if let checkpoint, ModelFile.isONNX(checkpoint) {
            printError("note: \(checkpoint): the parameters are the ONNX file's: torch.onnx.export folds each BatchNorm after a conv into the conv, so the PyTorch module has more")
        }
        if json {
            try printJSON(summaryJSON(model: model, statistics: statistics, input: shape))
        } else {
            print(summaryTable(model: model, statistics: statistics, input: shape))
        }
    }

    private func summaryJSON(model: Model, statistics: ModelStatistics, input: [Int]) -> [String: Any] {
        [
            "architecture": model.architecture,
            "parameters": statistics.parameters,
            "trainable_parameters": statistics.parameters,
            "macs": statistics.macs,
            "parameter_bytes": statistics.parameters * 4,
            "input": input,
            "layers": statistics.layers.map { layer in
                ["name": layer.name, "type": layer.type, "output_shape": [-1] + layer.outputShape, "parameters": layer.parameters] as [String: Any]
            },
        ]
    }

    private func summaryTable(model: Model, statistics: ModelStatistics, input: [Int]) -> String {
        var rows = [["Layer (type)", "Output Shape", "Param #"]]
        for layer in statistics.layers {
            rows.append(["\(layer.name) (\(layer.type))", "[-1, " + layer.outputShape.map(String.init).joined(separator: ", ") + "]",
                         grouped(layer.parameters)])
        }
        var text = renderColumns(rows, rightAligned: [2])
        text += "\n\nArchitecture: \(model.architecture.escapingControlCharacters)"
        text += "\nInput: \(input.map(String.init).joined(separator: "x"))"
        text += "\nTotal params: \(grouped(statistics.parameters))"
        text += "\nTrainable params: \(grouped(statistics.parameters))"
        let macs = Double(statistics.macs)
        let scaled = macs >= 1e9 ? String(format: "%.2f GMAC", macs / 1e9) : String(format: "%.2f MMAC", macs / 1e6)
        text += "\nMACs: \(scaled) (\(grouped(statistics.macs)))"
        text += "\nParams size: \(String(format: "%.2f", Double(statistics.parameters * 4) / 1_048_576)) MB (float32)"
        return text
    }
}
