// `shears finetune`: train a (pruned) checkpoint on a training split, with cross-entropy or
// the homework's distillation loss from a teacher, measuring a validation split before and
// after each epoch, and write the result as `prune -o` does (.pt, .safetensors or .onnx).

import ArgumentParser
import Foundation
import ShearsKit

struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune (or distill into) a checkpoint on a training split and write the result.",
        discussion: """
        Each step is PyTorch's loop: zero_grad, forward in training mode (BatchNorm on the batch's
        statistics, running statistics updated), loss, backward, optimizer.step(), with torch.optim's
        update rules. Pruned weights stay zero: the exact zeros of every conv and linear weight are
        held (--no-keep-zeros lets them train). With --no-shuffle --augment none the images come in
        the order `shears eval` lists them, so a PyTorch loop can reproduce every step.

        Schedules: constant; step (StepLR, per epoch: --step-size, --gamma); cosine
        (CosineAnnealingLR, T_max = --epochs, per epoch); onecycle (OneCycleLR, max_lr = --lr,
        per batch, momentum cycled).

        Examples:
          shears finetune small.pt --data examples/fashion --resize 36 --crop 32 \\
              --epochs 3 --optimizer adam --lr 0.001 -o small-ft.pt
          shears finetune small.pt --data examples/fashion --resize 36 --crop 32 \\
              --teacher examples/models/teacher.pt --alpha 0.5 --temperature 4 -o small-kd.pt
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint to train.", valueName: "checkpoint"))
    var checkpoint: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the trained model: .pt, .safetensors or .onnx.", valueName: "file"))
    var output: String?

    @Option(name: .customLong("val-split"), help: ArgumentHelp("Split measured before training and after each epoch; 'none' for no validation.", valueName: "name"))
    var valSplit: String = "validation"

    @Option(name: .long, help: ArgumentHelp("Passes over the training split.", valueName: "n"))
    var epochs: Int = 1

    @Option(name: .long, help: ArgumentHelp("Seed of the shuffles and augmentation draws.", valueName: "n"))
    var seed: UInt64 = 0

    @Flag(name: .customLong("keep-zeros"), inversion: .prefixedNo, help: "Hold the exact zeros of conv and linear weights (pruned weights) at zero.")
    var keepZeros = true

    @Option(name: .long, help: ArgumentHelp("Input size an .onnx output is written for where a layer needs one; default: the size an .onnx checkpoint declares.", valueName: "CxHxW"))
    var input: String?

    @OptionGroup var recipe: TrainingOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var modelOptions: ModelOptions

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws {
        if let input { _ = try parseInputShape(input) }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    }

    /// The loss these options describe: distillation with a teacher, else cross-entropy.
    func loss() throws -> TrainingLoss {
        try recipe.distillation().map { .distillation($0) } ?? recipe.crossEntropy()
    }

    func run() throws {
        if let output { try AtomicFile.requireWritable(output) }
        let preprocessing = try dataOptions.preprocessing()
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: preprocessing.crop)
        let teacherModel = try recipe.loadTeacher(crop: preprocessing.crop)?.model
        let training = try recipe.trainingImages(dataOptions, split: dataOptions.split ?? "training", limit: dataOptions.limit, for: loaded)
        let validation = valSplit == "none" ? nil : try dataOptions.decodeImages(split: valSplit, for: loaded)
        let settings = try recipe.settings(epochs: epochs, batch: dataOptions.batch, seed: seed,
                                           stepsPerEpoch: FineTuneSettings(batchSize: dataOptions.batch).stepsPerEpoch(training.count), loss: try loss())
        let masks = keepZeros ? FineTune.zeroMasks(loaded.model) : [:]
        if !masks.isEmpty { printError("note: holding the zeros of \(masks.count) pruned weight tensors (--no-keep-zeros lets them train)") }
        let before = try validation.map { try Evaluator.evaluate(loaded.model, on: $0, batch: dataOptions.batch).classification.accuracy }
        if let before, !json { printError(String(format: "before: validation %.4f", before)) }
        let (trained, epochs) = try FineTune.run(loaded.model, training: training, validation: validation, teacher: teacherModel,
                                                 settings: settings, masks: masks) { epoch in
            let measured = epoch.validationAccuracy.map { String(format: ", validation %.4f", $0) } ?? ""
            printError(String(format: "epoch %d/%d: loss %.4f, training %.4f", epoch.epoch, self.epochs, epoch.loss, epoch.trainingAccuracy) + measured
                       + String(format: " (%d steps, %.1f s, %.0f images/s)", epoch.steps, epoch.seconds, epoch.imagesPerSecond))
        }
        if let output {
            let size = try input.map(parseInputShape) ?? (ModelFile.isONNX(checkpoint) ? ONNXImporter.declaredInput(path: checkpoint) : nil)
            for note in try ModelFile.write(trained, to: output, input: size) { printError("note: \(note)") }
        }
        if json {
            try printJSON([
                "checkpoint": checkpoint, "output": output as Any? ?? NSNull(), "training_images": training.count,
                "validation_accuracy_before": before as Any? ?? NSNull(),
                "validation_accuracy": (epochs.last?.validationAccuracy).map { $0 as Any } ?? NSNull(),
                "held_tensors": masks.count,
                "epochs": epochs.map { e in
                    ["epoch": e.epoch, "steps": e.steps, "loss": e.loss, "training_accuracy": e.trainingAccuracy,
                     "validation_accuracy": e.validationAccuracy as Any? ?? NSNull(), "seconds": e.seconds, "images_per_second": e.imagesPerSecond] as [String: Any]
                },
            ])
        } else {
            let after = epochs.last?.validationAccuracy.map { String(format: "%.4f", $0) } ?? "-"
            print("\(checkpoint): \(epochs.count) epochs on \(training.count) images; validation \(before.map { String(format: "%.4f", $0) } ?? "-") -> \(after)".escapingControlCharacters)
            if let output { print("wrote \(output)") }
        }
    }
}
