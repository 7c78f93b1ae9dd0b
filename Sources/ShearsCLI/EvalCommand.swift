// `shears eval`: top-1 accuracy of a checkpoint on an image folder, with the preprocessing
// of torchvision (PIL-exact), so the number equals what the user's PyTorch prints.

import ArgumentParser
import Foundation
import ShearsKit

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate top-1 accuracy on a labelled image folder.",
        discussion: """
        Images are decoded as PIL does (libjpeg-turbo defaults, grayscale/CMYK to RGB) and \
        preprocessed as torchvision's Resize, CenterCrop, ToTensor, Normalize, bit for bit.

        Examples:
          shears eval examples/models/teacher.pt --data examples/fashion \\
              --resize 36 --crop 32
          shears eval model.pt --data food-11 --split validation --json
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint (.pt, .pth, .bin, .ckpt, .safetensors) or Shears .pkl blob.", valueName: "checkpoint"))
    var checkpoint: String

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions

    @Flag(name: .long, help: "Print one JSON object (with per-class accuracy and the confusion matrix).")
    var json = false

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws { _ = try dataOptions.requireData() }

    func run() throws {
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: try? dataOptions.preprocessing().crop)
        let images = try dataOptions.decodeImages(for: loaded)
        let progress = ProgressBar("evaluating", total: images.count)
        let result = try Evaluator.evaluate(loaded.model, on: images, batch: dataOptions.batch, unknownLabels: dataOptions.unknownLabels, progress: { done in progress.advance(by: done - progress.done) })
        progress.finish()
        let tally = result.classification
        if json {
            try printJSON([
                "checkpoint": checkpoint,
                "architecture": loaded.model.architecture,
                "accuracy": tally.accuracy,
                "correct": tally.correct,
                "images": tally.images,
                "unlabelled": images.count - tally.images,
                "skipped": images.skipped.map(\.description),
                "images_per_second": result.imagesPerSecond,
                "per_class_accuracy": tally.perClassAccuracy.map { $0 as Any? ?? NSNull() },
                "confusion": tally.confusion,
            ])
        } else {
            print("\(checkpoint) (\(loaded.model.architecture)) on \(images.count) images".escapingControlCharacters)
            print(String(format: "accuracy  %.4f  (%d / %d)", tally.accuracy, tally.correct, tally.images))
            for (c, accuracy) in tally.perClassAccuracy.enumerated() {
                if let accuracy { print(String(format: "  class %2d  %.4f", c, accuracy)) }
            }
            print(String(format: "speed     %.1f images/s", result.imagesPerSecond))
            if !images.skipped.isEmpty { print("skipped   \(images.skipped.count) unreadable files (listed on stderr)") }
        }
    }
}
