// `shears quantize`: min-max quantization of every floating tensor to a pickle blob that
// plain Python reads, with the sizes, the per-layer error and (with --eval) the accuracy
// before and after. ShearsKit's QuantizationComparison computes them; the command parses,
// writes the files (last) and prints.

import ArgumentParser
import Foundation
import ShearsKit

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a checkpoint to a uint8 (or 2-7 bit) min-max .pkl blob.",
        discussion: """
        Each tensor is stored as q = round((w - min) / (max - min) * (2^bits - 1)) with its min \
        and max (per output channel with --per-channel). The blob is a Python pickle that \
        `pickle.load` reads without numpy or torch (format: docs/BLOB_FORMAT.md), and \
        `shears eval model.pkl` evaluates it directly.

        Examples:
          shears quantize examples/models/teacher.pt -o teacher.pkl
          shears quantize model.pt -o model.pkl --bits 4 --per-channel \\
              --eval food-11 --json
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint to quantize.", valueName: "checkpoint"))
    var checkpoint: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The .pkl blob to write.", valueName: "file"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("Bits per code, 2 to 8.", valueName: "b"))
    var bits: Int = 8

    @Flag(name: .long, help: "One min/max per output channel instead of per tensor.")
    var perChannel = false

    @Flag(name: .long, help: "Quantize only conv and linear weights; keep biases and BatchNorm in float32.")
    var onlyWeights = false

    @Option(name: .long, help: ArgumentHelp("Image folder to evaluate the model on before and after.", valueName: "dir"))
    var eval: String?

    @Option(name: .long, help: ArgumentHelp("Prune first with this method (channel removal really shrinks the blob; masked zeros do not).", valueName: "method"))
    var prune: PruningMethod?

    @Option(name: .long, help: ArgumentHelp("Amount for --prune.", valueName: "a"))
    var amount: Double = 0.5

    @Option(name: .long, help: ArgumentHelp("Also write the dequantized model: a torch-loadable state dict (.pth), .safetensors, or .onnx.", valueName: "file"))
    var alsoFloat: String?

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var pruneOptions: PruneOptions

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws {
        guard (2...8).contains(bits) else { throw ValidationError("--bits must be between 2 and 8, got \(bits)") }
        guard (0...1).contains(amount) else { throw ValidationError("--amount must lie in [0, 1]") }
    }

    func run() throws {
        for path in [output] + (alsoFloat.map { [$0] } ?? []) { try AtomicFile.requireWritable(path) }
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: try? dataOptions.preprocessing().crop)
        let images = try (eval ?? dataOptions.data).map { try dataOptions.decodeImages(root: $0, for: loaded) }
        let comparison = QuantizationComparison(config: QuantizationConfig(bits: bits, perChannel: perChannel, onlyWeights: onlyWeights),
                                                prune: prune, amount: amount, settings: pruneOptions.settings,
                                                source: (checkpoint as NSString).lastPathComponent,
                                                batch: dataOptions.batch, unknownLabels: dataOptions.unknownLabels)
        let result = try comparison.run(loaded.model, images: images)
        let (noise, total) = (result.noise, result.total)
        // Written last, once every input is read and every number computed.
        try AtomicFile.write(result.blob, to: output)
        if let alsoFloat { try ModelFile.write(result.dequantized, to: alsoFloat) }

        if json {
            var object: [String: Any] = [
                "checkpoint": checkpoint, "output": output, "architecture": result.model.architecture,
                "bits": bits, "per_channel": perChannel, "prune": prune.map { "\($0) \(amount)" } as Any? ?? NSNull(),
                "original_bytes": loaded.fileBytes, "blob_bytes": result.blobBytes,
                "ratio": Double(loaded.fileBytes) / Double(max(result.blobBytes, 1)),
                "rmse": total.rmse, "sqnr_db": total.sqnrDB.isFinite ? total.sqnrDB : NSNull(),
                "layers": noise.map { ["name": $0.name, "rmse": $0.rmse, "sqnr_db": $0.sqnrDB.isFinite ? $0.sqnrDB : NSNull()] as [String: Any] },
            ]
            if let accuracyBefore = result.accuracyBefore, let accuracyAfter = result.accuracyAfter {
                object["accuracy_before"] = accuracyBefore
                object["accuracy"] = accuracyAfter
            }
            try printJSON(object)
        } else {
            var rows = [["tensor", "RMSE", "SQNR dB"]]
            for e in noise { rows.append([e.name, String(format: "%.3g", e.rmse), e.sqnrDB.isFinite ? String(format: "%.1f", e.sqnrDB) : "exact"]) }
            print(renderColumns(rows, rightAligned: [1, 2]))
            print("")
            print("original  \(grouped(loaded.fileBytes)) bytes  \(checkpoint)".escapingControlCharacters)
            print("blob      \(grouped(result.blobBytes)) bytes  \(output)  (\(bits)-bit\(perChannel ? " per channel" : ""))".escapingControlCharacters)
            print(String(format: "ratio     %.2fx smaller; overall SQNR %.1f dB", Double(loaded.fileBytes) / Double(max(result.blobBytes, 1)), total.sqnrDB))
            if let accuracyBefore = result.accuracyBefore, let accuracyAfter = result.accuracyAfter {
                print(String(format: "accuracy  %.4f before, %.4f after (%+.4f)", accuracyBefore, accuracyAfter, accuracyAfter - accuracyBefore))
            }
        }
    }
}
