// TrainingOptions: the training recipe shared by `finetune` and `sweep --finetune-epochs`:
// optimizer, learning rate and its schedule, augmentation, shuffling, loss (cross-entropy or
// distillation from --teacher), BatchNorm momentum and a cap on steps. Each option is stored
// as given (nil: not given) so that `sweep` can refuse one given without --finetune-epochs;
// the defaults (SGD, lr 0.01, momentum 0.9, flip) apply where they are read.

import ArgumentParser
import ShearsKit

extension OptimizerKind: ExpressibleByArgument {}
extension Augmentation: ExpressibleByArgument {}

/// The training options, used with `@OptionGroup`.
struct TrainingOptions: ParsableArguments {
    @Option(name: .customLong("max-steps"), help: ArgumentHelp("Stop training after N steps in all.", valueName: "n"))
    var maxSteps: Int?

    @Option(name: .long, help: ArgumentHelp("Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")) (default sgd).", valueName: "name"))
    var optimizer: OptimizerKind?

    @Option(name: .long, help: ArgumentHelp("Learning rate (OneCycle's max_lr; default 0.01).", valueName: "lr"))
    var lr: Double?

    @Option(name: .long, help: ArgumentHelp("SGD momentum (default 0.9; Adam's beta1 is --beta1).", valueName: "m"))
    var momentum: Double?

    @Flag(name: .long, help: "SGD with Nesterov momentum.")
    var nesterov = false

    @Option(name: .long, help: ArgumentHelp("Adam/AdamW beta1 (default 0.9).", valueName: "b"))
    var beta1: Double?

    @Option(name: .customLong("weight-decay"), help: ArgumentHelp("Weight decay (L2 for SGD and Adam, decoupled for AdamW; default 0, AdamW 0.01).", valueName: "wd"))
    var weightDecay: Double?

    @Option(name: .long, help: ArgumentHelp("Learning-rate schedule: constant (default), step, cosine, onecycle.", valueName: "name"))
    var schedule: String?

    @Option(name: .customLong("step-size"), help: ArgumentHelp("step schedule: epochs between decays (default 1).", valueName: "n"))
    var stepSize: Int?

    @Option(name: .long, help: ArgumentHelp("step schedule: the factor at each decay (default 0.1).", valueName: "g"))
    var gamma: Double?

    @Option(name: .long, help: ArgumentHelp("Augmentation: none, flip (RandomHorizontalFlip; the default), crop-flip (RandomResizedCrop to --crop, then flip).", valueName: "name"))
    var augment: Augmentation?

    @Flag(name: .customLong("no-shuffle"), help: "Take the training images in listing order every epoch.")
    var noShuffle = false

    @Option(name: .customLong("label-smoothing"), help: ArgumentHelp("Cross-entropy label smoothing in [0, 1] (default 0).", valueName: "e"))
    var labelSmoothing: Float?

    @Option(name: .long, help: ArgumentHelp("Teacher checkpoint: train with the homework's loss_fn_kd against its logits.", valueName: "checkpoint"))
    var teacher: String?

    @Option(name: .long, help: ArgumentHelp("Distillation: weight of the KL term, 1 - alpha on cross-entropy (default 0.5).", valueName: "a"))
    var alpha: Float?

    @Option(name: .long, help: ArgumentHelp("Distillation: softmax temperature (default 1, loss_fn_kd's).", valueName: "t"))
    var temperature: Float?

    @Option(name: .customLong("bn-momentum"), help: ArgumentHelp("BatchNorm momentum in training (default 0.1; a state dict does not store it; torchvision's MNASNet uses 0.0003).", valueName: "m"))
    var bnMomentum: Float?

    /// The options given on the command line, as their flags.
    var given: [String] {
        let options: [(String, Bool)] = [
            ("--max-steps", maxSteps != nil), ("--optimizer", optimizer != nil), ("--lr", lr != nil), ("--momentum", momentum != nil),
            ("--nesterov", nesterov), ("--beta1", beta1 != nil), ("--weight-decay", weightDecay != nil), ("--schedule", schedule != nil),
            ("--step-size", stepSize != nil), ("--gamma", gamma != nil), ("--augment", augment != nil), ("--no-shuffle", noShuffle),
            ("--label-smoothing", labelSmoothing != nil), ("--teacher", teacher != nil), ("--alpha", alpha != nil),
            ("--temperature", temperature != nil), ("--bn-momentum", bnMomentum != nil),
        ]
        return options.filter(\.1).map(\.0)
    }

    /// The augmentation (default flip).
    var augmentation: Augmentation { augment ?? .flip }

    func validate() throws {
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1, got \(maxSteps)") }
        if let schedule, !["constant", "step", "cosine", "onecycle"].contains(schedule) {
            throw ValidationError("unknown --schedule '\(schedule)': choose constant, step, cosine or onecycle")
        }
        if teacher == nil, alpha != nil || temperature != nil { throw ValidationError("--alpha and --temperature need --teacher") }
        do {
            try optimizerSettings.validate()
            _ = try crossEntropy()
            _ = try distillation()
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
    }

    /// The cross-entropy loss (`--label-smoothing`).
    func crossEntropy() throws -> TrainingLoss { .crossEntropy(try CrossEntropyLoss(labelSmoothing: labelSmoothing ?? 0)) }

    /// The distillation loss (`--alpha`, `--temperature`) where `--teacher` is given.
    func distillation() throws -> DistillationLoss? {
        try teacher.map { _ in try DistillationLoss(alpha: alpha ?? 0.5, temperature: temperature ?? 1) }
    }

    /// Lists and decodes split `split` of `data`'s folder once, the first `limit` images (all
    /// when nil), for training with `--augment`, with a progress bar; skipped files on stderr.
    func trainingImages(_ data: DataOptions, split: String, limit: Int?, for loaded: LoadedModel) throws -> TrainingImages {
        let dataset = try ImageDataset(root: try data.requireData(), split: split)
        let decoding = ProgressBar("decoding \(split)", total: limit.map { min($0, dataset.samples.count) } ?? dataset.samples.count)
        let images = try TrainingImages(dataset: dataset, preprocessing: try data.preprocessing(for: loaded), augmentation: augmentation,
                                        limit: limit, skipBad: data.skipBad, progress: { _, _ in decoding.advance() })
        decoding.finish()
        for skipped in images.skipped { printError("skipped: \(skipped)") }
        return images
    }

    /// `--teacher`, loaded for inputs of `crop` pixels with default model options (parsed: a
    /// ParsableArguments made by init() has no values) (nil without it).
    func loadTeacher(crop: Int) throws -> LoadedModel? {
        try teacher.map { try loadModel($0, try ModelOptions.parse([]), inputSize: crop) }
    }

    /// The optimizer these options describe.
    var optimizerSettings: OptimizerSettings {
        let kind = optimizer ?? .sgd
        return OptimizerSettings(kind: kind, learningRate: lr ?? 0.01, momentum: kind == .sgd ? momentum ?? 0.9 : 0,
                                 nesterov: nesterov, weightDecay: weightDecay, beta1: beta1 ?? 0.9)
    }

    /// The settings of `epochs` epochs of `batch` images, `stepsPerEpoch` steps each, seeded by
    /// `seed`, with `loss`.
    func settings(epochs: Int, batch: Int, seed: UInt64, stepsPerEpoch: Int, loss: TrainingLoss) throws -> FineTuneSettings {
        let optimizer = optimizerSettings
        let total = min(maxSteps ?? Int.max, epochs * stepsPerEpoch)
        let schedule: LearningRateSchedule
        switch self.schedule {
        case "step": schedule = .step(size: stepSize ?? 1, gamma: gamma ?? 0.1)
        case "cosine": schedule = .cosine(epochs: epochs, minimum: 0)
        case "onecycle": schedule = .oneCycle(OneCycleSchedule(totalSteps: total, cycleMomentum: optimizer.kind != .sgd || optimizer.momentum > 0))
        default: schedule = .constant
        }
        try schedule.validate()
        return FineTuneSettings(epochs: epochs, maxSteps: maxSteps, batchSize: batch, optimizer: optimizer, schedule: schedule,
                                shuffle: !noShuffle, seed: seed, loss: loss, batchNormMomentum: bnMomentum ?? 0.1)
    }
}
