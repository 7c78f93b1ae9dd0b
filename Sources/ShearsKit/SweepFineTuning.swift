// SweepFineTuning: recovery by training in a sweep. Every pruned point gets a fine-tuned twin
// (series "<method>+ft": cross-entropy) and, with a teacher, a distilled one ("<method>+kd":
// the homework's loss_fn_kd), each trained by FineTune on one training split decoded once for
// the whole sweep. Pruned weights are held at zero by the pruning step's masks; a
// channel-removed model trains as its smaller dense self.

/// How a sweep fine-tunes its pruned points.
public struct SweepFineTuning {
    /// The model a "+kd" series distils from.
    public struct Teacher {
        public var model: Model
        /// Its name in the records' recipe ("teacher" for teacher.pt).
        public var label: String
        public var loss: DistillationLoss

        public init(model: Model, label: String, loss: DistillationLoss) {
            self.model = model; self.label = label; self.loss = loss
        }
    }

    /// The training split, decoded once.
    public var training: TrainingImages
    /// The recipe of the "+ft" series (its loss is cross-entropy); "+kd" trains with the same
    /// settings and `teacher`'s loss.
    public var settings: FineTuneSettings
    /// Distillation's teacher (nil: no "+kd" series).
    public var teacher: Teacher?

    public init(training: TrainingImages, settings: FineTuneSettings, teacher: Teacher? = nil) {
        self.training = training; self.settings = settings; self.teacher = teacher
    }

    /// The recoveries each pruned point gets: fine-tuning, and distillation with a teacher.
    public var recoveries: [ResultRecord.Method.Recovery] { teacher == nil ? [.fineTuning] : [.fineTuning, .distillation] }

    /// The recipe `recovery`'s records carry.
    public func recipe(_ recovery: ResultRecord.Method.Recovery) -> ResultRecord.FineTuning {
        let distills = recovery == .distillation ? teacher : nil
        return ResultRecord.FineTuning(epochs: settings.epochs, maxSteps: settings.maxSteps, optimizer: settings.optimizer.kind.rawValue,
                                       learningRate: settings.optimizer.learningRate, batch: settings.batchSize,
                                       augment: training.augmentation.rawValue, seed: settings.seed, trainingImages: training.count,
                                       teacher: distills?.label, alpha: distills.map { Double($0.loss.alpha) },
                                       temperature: distills.map { Double($0.loss.temperature) })
    }

    /// `pruned` trained as `recovery` says (`.fineTuning` or `.distillation`), holding the
    /// masks of the pruning step (`masks`, by weight key) and any other exact zeros of its
    /// conv and linear weights at zero.
    public func train(_ pruned: Model, masks: [String: Tensor], recovery: ResultRecord.Method.Recovery) throws -> Model {
        var settings = settings
        var teacherModel: Model?
        if recovery == .distillation, let teacher {
            settings.loss = .distillation(teacher.loss)
            teacherModel = teacher.model
        }
        let held = FineTune.zeroMasks(pruned).merging(masks) { $1 }
        return try FineTune.run(pruned, training: training, teacher: teacherModel, settings: settings, masks: held).model
    }
}
