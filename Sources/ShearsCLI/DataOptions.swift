// DataOptions: the validation-data options shared by every command that evaluates
// (eval, predict, sweep, sensitivity, quantize): where the images are, how they are
// preprocessed, how many and in what batches.

import ArgumentParser
import Foundation
import ShearsKit

/// `--data`, `--split`, preprocessing and batching options, used with `@OptionGroup`.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Image folder: food-11 layout (<split>/<label>_<n>.jpg) or torchvision ImageFolder (one sub-folder per class).",
        valueName: "dir"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp(
        "Split folder inside --data (training, validation, evaluation). Ignored when --data has no split folders.",
        valueName: "name"))
    var split: String = "validation"

    @Option(name: .long, help: ArgumentHelp("Preprocessing preset: food11 = Resize 256, CenterCrop 224, ImageNet mean/std.",
                                            valueName: "name"))
    var preset: String = "food11"

    @Option(name: .long, help: ArgumentHelp("Resize the shorter side to N pixels (overrides the preset).", valueName: "n"))
    var resize: Int?

    @Option(name: .long, help: ArgumentHelp("Centre-crop to N x N pixels (overrides the preset).", valueName: "n"))
    var crop: Int?

    @Option(name: .long, help: ArgumentHelp("Per-channel mean, R,G,B (overrides the preset).", valueName: "a,b,c"))
    var mean: String?

    @Option(name: .long, help: ArgumentHelp("Per-channel standard deviation, R,G,B (overrides the preset).", valueName: "a,b,c"))
    var std: String?

    @Option(name: .long, help: ArgumentHelp("Use only the first N images (in sorted order).", valueName: "n"))
    var limit: Int?

    @Option(name: .long, help: ArgumentHelp("Images per inference batch.", valueName: "n"))
    var batch: Int = 64

    @Flag(name: .long, help: "Skip unreadable images (listed on stderr) instead of stopping at the first one.")
    var skipBad = false

    @Flag(name: .long, help: ArgumentHelp(
        "Count images whose label is beyond the model's classes as wrong, as PyTorch's (prediction == label) does.",
        discussion: "Without it such a folder is refused: it is usually the wrong model or the wrong folder."))
    var countUnknownLabels = false

    @Option(name: .long, help: ArgumentHelp(
        "Refuse an image whose JPEG header declares more than N pixels (width x height), before decoding it.",
        discussion: "The default is PIL's decompression-bomb limit, 178956970 pixels.", valueName: "n"))
    var maxPixels: Int = JPEGDecoder.defaultMaximumPixels

    /// What the evaluator does with labels the model cannot predict.
    var unknownLabels: Evaluator.UnknownLabels { countUnknownLabels ? .countAsWrong : .refuse }

    func validate() throws {
        guard preset == "food11" else { throw ValidationError("unknown --preset '\(preset)': the only preset is food11") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1") }
        _ = try preprocessing()
    }

    /// The preprocessing these options describe: the preset with any overrides applied.
    func preprocessing() throws -> Preprocessing {
        let base = Preprocessing.food11
        do {
            var settings = try Preprocessing(resize: resize ?? base.resize, crop: crop ?? base.crop,
                                             mean: try mean.map { try Self.floats($0, name: "--mean") } ?? base.mean,
                                             std: try std.map { try Self.floats($0, name: "--std") } ?? base.std)
            settings.maximumPixels = maxPixels
            return settings
        } catch let error as NNError {
            throw ValidationError(error.description)
        }
    }

    /// The `--data` folder, or a validation error when it is missing.
    func requireData() throws -> String {
        guard let data else { throw ValidationError("--data <dir> is required") }
        return data
    }

    /// Lists and decodes the dataset at `root` (default `--data`) once; the uint8 crops are
    /// kept and reused for every model variant.
    func decodeImages(root: String? = nil) throws -> DecodedImages {
        let dataset = try ImageDataset(root: try root ?? requireData(), split: split)
        let progress = ProgressBar("decoding", total: limit.map { min($0, dataset.samples.count) } ?? dataset.samples.count)
        let images = try DecodedImages(dataset: dataset, preprocessing: try preprocessing(), limit: limit,
                                       skipBad: skipBad, progress: { _, _ in progress.advance() })
        progress.finish()
        for skipped in images.skipped { printError("skipped: \(skipped)") }
        return images
    }

    /// Parses "a,b,c" as three floats, rounding each from Double as torch does.
    static func floats(_ text: String, name: String) throws -> [Float] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Double($0) }
        guard values.count == 3, parts.count == 3 else { throw ValidationError("\(name) needs three comma-separated numbers, got '\(text)'") }
        return values.map { Float($0) }
    }
}

/// Writes one line to stderr.
func printError(_ line: String) {
    try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
}
