// `shears finetune`: train a (pruned) checkpoint on a training split, with cross-entropy or
// the homework's distillation loss from a teacher, measuring a validation split before and
// after each epoch, and write the result as `prune -o` does (.pt, .safetensors or .onnx).

import ArgumentParser
import Foundation
import ShearsKit

extension OptimizerKind: ExpressibleByArgument {}
extension Augmentation: ExpressibleByArgument {}

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

    @Option(name: .customLong("max-steps"), help: ArgumentHelp("Stop after N steps in all.", valueName: "n"))
    var maxSteps: Int?

    @Option(name: .long, help: ArgumentHelp("Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var optimizer: OptimizerKind = .sgd

    @Option(name: .long, help: ArgumentHelp("Learning rate (OneCycle's max_lr).", valueName: "lr"))
    var lr: Double = 0.01

    @Option(name: .long, help: ArgumentHelp("SGD momentum (Adam's beta1 is --beta1).", valueName: "m"))
    var momentum: Double = 0.9

    @Flag(name: .long, help: "SGD with Nesterov momentum.")
    var nesterov = false

    @Option(name: .long, help: ArgumentHelp("Adam/AdamW beta1.", valueName: "b"))
    var beta1: Double = 0.9

    @Option(name: .customLong("weight-decay"), help: ArgumentHelp("Weight decay (L2 for SGD and Adam, decoupled for AdamW; default 0, AdamW 0.01).", valueName: "wd"))
    var weightDecay: Double?

    @Option(name: .long, help: ArgumentHelp("Learning-rate schedule: constant, step, cosine, onecycle.", valueName: "name"))
    var schedule: String = "constant"

    @Option(name: .customLong("step-size"), help: ArgumentHelp("step schedule: epochs between decays.", valueName: "n"))
    var stepSize: Int = 1

    @Option(name: .long, help: ArgumentHelp("step schedule: the factor at each decay.", valueName: "g"))
    var gamma: Double = 0.1

    @Option(name: .long, help: ArgumentHelp("Augmentation: none, flip (RandomHorizontalFlip), crop-flip (RandomResizedCrop to --crop, then flip).", valueName: "name"))
    var augment: Augmentation = .flip

    @Flag(name: .customLong("no-shuffle"), help: "Take the images in listing order every epoch.")
    var noShuffle = false

    @Option(name: .long, help: ArgumentHelp("Seed of the shuffles and augmentation draws.", valueName: "n"))
    var seed: UInt64 = 0

    @Option(name: .customLong("label-smoothing"), help: ArgumentHelp("Cross-entropy label smoothing in [0, 1].", valueName: "e"))
    var labelSmoothing: Float = 0

    @Option(name: .long, help: ArgumentHelp("Teacher checkpoint: train with the homework's loss_fn_kd against its logits.", valueName: "checkpoint"))
    var teacher: String?

    @Option(name: .long, help: ArgumentHelp("Distillation: weight of the KL term, 1 - alpha on cross-entropy (default 0.5).", valueName: "a"))
    var alpha: Float?

    @Option(name: .long, help: ArgumentHelp("Distillation: softmax temperature (default 1, loss_fn_kd's).", valueName: "t"))
    var temperature: Float?

    @Option(name: .customLong("bn-momentum"), help: ArgumentHelp("BatchNorm momentum (a state dict does not store it; torchvision's MNASNet uses 0.0003).", valueName: "m"))
    var bnMomentum: Float = 0.1

    @Flag(name: .customLong("keep-zeros"), inversion: .prefixedNo, help: "Hold the exact zeros of conv and linear weights (pruned weights) at zero.")
    var keepZeros = true

    @Option(name: .long, help: ArgumentHelp("Input size an .onnx output is written for where a layer needs one; default: the size an .onnx checkpoint declares.", valueName: "CxHxW"))
    var input: String?

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var modelOptions: ModelOptions

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws {
        if let input { _ = try parseInputShape(input) }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1, got \(maxSteps)") }
        guard ["constant", "step", "cosine", "onecycle"].contains(schedule) else {
            throw ValidationError("unknown --schedule '\(schedule)': choose constant, step, cosine or onecycle")
        }
        if teacher == nil, alpha != nil || temperature != nil { throw ValidationError("--alpha and --temperature need --teacher") }
        do {
            try optimizerSettings.validate()
            _ = try loss()
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
    }

    /// The loss these options describe.
    func loss() throws -> TrainingLoss {
        teacher == nil ? .crossEntropy(try CrossEntropyLoss(labelSmoothing: labelSmoothing))
            : .distillation(try DistillationLoss(alpha: alpha ?? 0.5, temperature: temperature ?? 1))
    }

    /// The optimizer these options describe.
    var optimizerSettings: OptimizerSettings {
        OptimizerSettings(kind: optimizer, learningRate: lr, momentum: optimizer == .sgd ? momentum : 0,
                          nesterov: nesterov, weightDecay: weightDecay, beta1: beta1)
    }

    /// The settings these options describe, for `stepsPerEpoch` steps an epoch.
    func settings(stepsPerEpoch: Int) throws -> FineTuneSettings {
        let optimizer = optimizerSettings
        let total = min(maxSteps ?? Int.max, epochs * stepsPerEpoch)
        let schedule: LearningRateSchedule
        switch self.schedule {
        case "step": schedule = .step(size: stepSize, gamma: gamma)
        case "cosine": schedule = .cosine(epochs: epochs, minimum: 0)
        case "onecycle": schedule = .oneCycle(OneCycleSchedule(totalSteps: total, cycleMomentum: self.optimizer != .sgd || momentum > 0))
        default: schedule = .constant
        }
        try schedule.validate()
        return FineTuneSettings(epochs: epochs, maxSteps: maxSteps, batchSize: dataOptions.batch, optimizer: optimizer, schedule: schedule,
                                shuffle: !noShuffle, seed: seed, loss: try loss(), batchNormMomentum: bnMomentum)
    }

    func run() throws {
        if let output { try AtomicFile.requireWritable(output) }
        let preprocessing = try dataOptions.preprocessing()
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: preprocessing.crop)
        let teacherModel = try teacher.map { try loadModel($0, try ModelOptions.parse([]), inputSize: preprocessing.crop).model }
        let dataset = try ImageDataset(root: try dataOptions.requireData(), split: dataOptions.split ?? "training")
        let count = dataOptions.limit.map { min($0, dataset.samples.count) } ?? dataset.samples.count
        let decoding = ProgressBar("decoding", total: count)
        let training = try TrainingImages(dataset: dataset, preprocessing: try dataOptions.preprocessing(for: loaded), augmentation: augment,
                                          limit: dataOptions.limit, skipBad: dataOptions.skipBad, progress: { _, _ in decoding.advance() })
        decoding.finish()
        for skipped in training.skipped { printError("skipped: \(skipped)") }
        let validation = valSplit == "none" ? nil : try dataOptions.decodeImages(split: valSplit, for: loaded)
        let settings = try settings(stepsPerEpoch: FineTuneSettings(batchSize: dataOptions.batch).stepsPerEpoch(training.count))
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
