// FineTune: the `shears finetune` workflow. A model trains on a training split for some
// epochs (or steps) with an optimizer, a learning-rate schedule and a loss (cross-entropy, or
// the homework's distillation loss against a teacher that the inference engine runs in eval
// mode on the same augmented batch); after each epoch it is measured on a validation split.
// Pruned weights stay zero (the masks a pruning step made, or the zeros a pruned checkpoint
// holds); a channel-removed model trains as its smaller dense self.

import Foundation

/// How a model is fine-tuned.
public struct FineTuneSettings: Sendable, Equatable {
    /// Passes over the training split.
    public var epochs: Int
    /// Stop after this many steps in all (nil: every epoch runs to its end).
    public var maxSteps: Int?
    /// Images per step (the last batch of an epoch is smaller, as `drop_last=False`).
    public var batchSize: Int
    public var optimizer: OptimizerSettings
    public var schedule: LearningRateSchedule
    /// Shuffle each epoch (seeded by `seed` and the epoch); without it the images come in the
    /// order `shears eval` lists them.
    public var shuffle: Bool
    /// Seeds the shuffles, the augmentation's draws and dropout's masks.
    public var seed: UInt64
    public var loss: TrainingLoss
    /// `nn.BatchNorm2d`'s momentum (a state dict does not store it).
    public var batchNormMomentum: Float

    public init(epochs: Int = 1, maxSteps: Int? = nil, batchSize: Int = 64,
                optimizer: OptimizerSettings = OptimizerSettings(kind: .sgd, learningRate: 0.01, momentum: 0.9),
                schedule: LearningRateSchedule = .constant, shuffle: Bool = true, seed: UInt64 = 0,
                loss: TrainingLoss = .crossEntropy(CrossEntropyLoss()), batchNormMomentum: Float = 0.1) {
        self.epochs = epochs; self.maxSteps = maxSteps; self.batchSize = batchSize; self.optimizer = optimizer
        self.schedule = schedule; self.shuffle = shuffle; self.seed = seed; self.loss = loss
        self.batchNormMomentum = batchNormMomentum
    }

    /// Steps in one epoch over `images` training images.
    public func stepsPerEpoch(_ images: Int) -> Int { (images + batchSize - 1) / batchSize }
}

/// What one epoch of fine-tuning measured.
public struct FineTuneEpoch: Sendable, Equatable {
    /// 1-based.
    public let epoch: Int
    /// Steps run in this epoch.
    public let steps: Int
    /// Mean loss per image over the epoch's batches (each batch's loss weighted by its size).
    public let loss: Double
    /// Top-1 accuracy on the training batches as they were seen (augmented, in training mode).
    public let trainingAccuracy: Double
    /// Top-1 accuracy on the validation split after the epoch (nil: none was given).
    public let validationAccuracy: Double?
    /// Wall-clock seconds of the epoch's training steps (validation excluded).
    public let seconds: Double
    /// Training images per second.
    public var imagesPerSecond: Double
}

/// Fine-tuning and distillation.
public enum FineTune {
    /// The masks that keep a checkpoint's pruned weights at zero: for each conv and linear
    /// weight holding exact zeros, 1 where the weight is nonzero (a dense model trained by
    /// PyTorch has none, so nothing is held).
    public static func zeroMasks(_ model: Model) -> [String: Tensor] {
        var masks: [String: Tensor] = [:]
        for node in model.graph.nodes {
            switch node.op {
            case .conv2d, .linear:
                let key = "\(node.name).weight"
                guard let weight = model.stateDict.tensor(key), weight.scalars.contains(0) else { continue }
                masks[key] = Tensor(shape: weight.shape, scalars: weight.scalars.map { $0 == 0 ? 0 : 1 })
            default: continue
            }
        }
        return masks
    }

    /// Trains `model` on `training` as `settings` say, holding `masks` (by weight key) at zero,
    /// with `teacher` for a distillation loss, measuring `validation` after each epoch.
    ///
    /// - Parameters:
    ///   - classCount: the validation evaluator's class count (nil: the model's outputs).
    ///   - epochDone: called after each epoch with what it measured.
    /// - Returns: the trained model (parameters, running statistics and batch counts written
    ///   back under their keys) and each epoch's record.
    /// - Throws: `TrainingError.diverged` at the first step whose loss is not finite (nothing
    ///   is returned, so nothing diverged is written).
    public static func run(_ model: Model, training: TrainingImages, validation: DecodedImages? = nil, teacher: Model? = nil,
                           settings: FineTuneSettings, masks: [String: Tensor] = [:], classCount: Int? = nil,
                           epochDone: ((FineTuneEpoch) -> Void)? = nil) throws -> (model: Model, epochs: [FineTuneEpoch]) {
        guard settings.epochs >= 1 else { throw TrainingError.invalidSetting(name: "epochs", reason: "\(settings.epochs) must be >= 1") }
        guard settings.batchSize >= 1 else { throw TrainingError.invalidSetting(name: "batch", reason: "\(settings.batchSize) must be >= 1") }
        if let steps = settings.maxSteps, steps < 1 { throw TrainingError.invalidSetting(name: "max steps", reason: "\(steps) must be >= 1") }
        try settings.schedule.validate()
        guard settings.loss.needsTeacher == (teacher != nil) else {
            throw TrainingError.invalidSetting(name: "teacher", reason: settings.loss.needsTeacher ? "distillation needs a teacher" : "a teacher is given without a distillation loss")
        }
        let input = [3, training.preprocessing.crop, training.preprocessing.crop]
        let teacherExecutor = try teacher.map { try Executor(model: $0, input: input, maxBatch: min(settings.batchSize, training.count)) }
        var trainer = Trainer(model: try TrainableModel(model, batchNormMomentum: settings.batchNormMomentum, dropoutSeed: settings.seed),
                              optimizer: try Optimizer(settings.optimizer, masks: masks), loss: settings.loss)
        let stepsPerEpoch = settings.stepsPerEpoch(training.count)
        var records: [FineTuneEpoch] = []
        var stepsDone = 0
        epochs: for epoch in 0..<settings.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            var (lossSum, correct, seen, steps) = (0.0, 0, 0, 0)
            for (step, batch) in try training.batches(epoch: epoch, size: settings.batchSize, shuffle: settings.shuffle, seed: settings.seed).enumerated() {
                if let limit = settings.maxSteps, stepsDone == limit { break }
                let rate = try settings.schedule.learningRate(base: settings.optimizer.learningRate, epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch)
                let momentum = try settings.schedule.momentum(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch)
                let result = try trainer.step(batch.images, labels: batch.labels, teacherLogits: try teacherExecutor?.run(batch.images),
                                              learningRate: rate, momentum: momentum)
                guard result.loss.isFinite else { throw TrainingError.diverged(step: stepsDone + 1, loss: result.loss) }
                lossSum += Double(result.loss) * Double(batch.labels.count)
                (correct, seen, steps, stepsDone) = (correct + result.correct, seen + batch.labels.count, steps + 1, stepsDone + 1)
            }
            guard steps > 0 else { break epochs }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let accuracy = try validation.map { try Evaluator.evaluate(trainer.model.model, on: $0, batch: settings.batchSize, classCount: classCount).classification.accuracy }
            let record = FineTuneEpoch(epoch: epoch + 1, steps: steps, loss: lossSum / Double(seen), trainingAccuracy: Double(correct) / Double(seen),
                                       validationAccuracy: accuracy, seconds: seconds, imagesPerSecond: Double(seen) / max(seconds, 1e-9))
            records.append(record)
            epochDone?(record)
        }
        return (trainer.model.model, records)
    }
}
