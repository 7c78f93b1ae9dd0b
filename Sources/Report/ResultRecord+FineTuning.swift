// ResultRecord+FineTuning: how a "+ft" or "+kd" point was trained, stored with it in
// results.jsonl as the object "fine_tuning" (epochs, max_steps, optimizer, lr, batch, augment,
// seed, training_images, and for distillation teacher, alpha, temperature). Records without it
// (every record before recovery by training existed) still read. The recipe is part of the
// record's key, so a rerun with other settings measures its own points instead of skipping.

extension ResultRecord {
    /// The training recipe of a fine-tuned or distilled point.
    public struct FineTuning: Codable, Hashable, Sendable {
        /// Passes over the training images.
        public var epochs: Int
        /// The cap on steps in all (nil: none).
        public var maxSteps: Int?
        /// torch.optim's name: "sgd", "adam", "adamw".
        public var optimizer: String
        /// The base learning rate.
        public var learningRate: Double
        /// Images per training step.
        public var batch: Int
        /// The augmentation ("none", "flip", "crop-flip").
        public var augment: String
        /// The seed of the shuffles and augmentation draws.
        public var seed: UInt64
        /// The number of training images.
        public var trainingImages: Int
        /// Distillation: the teacher's label, the KL term's weight and the temperature.
        public var teacher: String?
        public var alpha: Double?
        public var temperature: Double?

        public init(epochs: Int, maxSteps: Int? = nil, optimizer: String, learningRate: Double, batch: Int, augment: String,
                    seed: UInt64, trainingImages: Int, teacher: String? = nil, alpha: Double? = nil, temperature: Double? = nil) {
            self.epochs = epochs; self.maxSteps = maxSteps; self.optimizer = optimizer; self.learningRate = learningRate
            self.batch = batch; self.augment = augment; self.seed = seed; self.trainingImages = trainingImages
            self.teacher = teacher; self.alpha = alpha; self.temperature = temperature
        }

        enum CodingKeys: String, CodingKey {
            case epochs, maxSteps = "max_steps", optimizer, learningRate = "lr", batch, augment, seed
            case trainingImages = "training_images", teacher, alpha, temperature
        }

        /// A short label for charts: "2 epochs, sgd lr 0.01" (", max 50 steps" where capped;
        /// ", from teacher α 0.5 T 4" for distillation).
        public var summary: String {
            var text = "\(epochs) epoch\(epochs == 1 ? "" : "s"), \(optimizer) lr \(Chart.number(learningRate))"
            if let maxSteps { text += ", max \(maxSteps) steps" }
            if let teacher { text += ", from \(teacher)" + (alpha.map { " α \(Chart.number($0))" } ?? "") + (temperature.map { " T \(Chart.number($0))" } ?? "") }
            return text
        }

        /// Every setting, for the record's key.
        var keyText: String {
            func text(_ value: Any?) -> String { value.map { "\($0)" } ?? "-" }
            return [text(epochs), text(maxSteps), optimizer, text(learningRate), text(batch), augment, text(seed), text(trainingImages),
                    text(teacher), text(alpha), text(temperature)].joined(separator: ",")
        }
    }
}
