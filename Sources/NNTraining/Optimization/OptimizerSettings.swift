// OptimizerSettings: an optimizer described by its torch.optim hyperparameters (SGD, Adam,
// AdamW), with torch's defaults and its validity rules; what the CLI's `--optimizer`, `--lr`,
// `--momentum` and `--weight-decay` build and what `Optimizer` steps with.

/// Which of torch.optim's update rules an `Optimizer` follows.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    /// `torch.optim.SGD`: momentum, dampening, nesterov, L2 weight decay added to the gradient.
    case sgd
    /// `torch.optim.Adam`: L2 weight decay added to the gradient.
    case adam
    /// `torch.optim.AdamW`: decoupled weight decay, `p ← p · (1 − lr · wd)` before the Adam step.
    case adamw
}

/// The hyperparameters of one optimizer, as Python floats (doubles); the update casts each
/// scalar to float32 where torch's kernels do. Fields a kind does not read are ignored
/// (`momentum`, `dampening`, `nesterov` by Adam and AdamW; `beta1`, `beta2`, `eps`, `amsgrad` by SGD).
public struct OptimizerSettings: Sendable, Codable, Equatable {
    public var kind: OptimizerKind
    /// The base learning rate (a schedule scales it; OneCycle reads it as `max_lr`).
    public var learningRate: Double
    /// SGD's momentum factor μ (0: none).
    public var momentum: Double
    /// SGD's dampening τ: `buf ← μ · buf + (1 − τ) · g`.
    public var dampening: Double
    /// SGD's Nesterov momentum: `g ← g + μ · buf`.
    public var nesterov: Bool
    /// L2 penalty (SGD, Adam) or decoupled decay (AdamW).
    public var weightDecay: Double
    /// Adam's β1 and β2: the decay rates of the first and second moments.
    public var beta1: Double
    public var beta2: Double
    /// Adam's ε, added to the bias-corrected `sqrt(v)`.
    public var eps: Double
    /// Adam's AMSGrad: normalise by the running maximum of `v`.
    public var amsgrad: Bool

    /// Settings with torch's defaults for `kind` (AdamW's weight decay 0.01, the others' 0).
    public init(kind: OptimizerKind, learningRate: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                weightDecay: Double? = nil, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, amsgrad: Bool = false) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay ?? (kind == .adamw ? 0.01 : 0)
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.amsgrad = amsgrad
    }

    /// Throws `TrainingError.invalidSetting` unless every setting is one torch accepts and
    /// Shears can step with: lr ≥ 0, weight decay ≥ 0 (finite); SGD: momentum in [0, 1),
    /// dampening in [0, 1], nesterov only with momentum > 0 and dampening 0; Adam(W): betas
    /// in [0, 1), ε > 0.
    public func validate() throws {
        try OptimizerSettings.check("learning rate", learningRate, learningRate >= 0, "must be finite and >= 0")
        try OptimizerSettings.check("weight decay", weightDecay, weightDecay >= 0, "must be finite and >= 0")
        switch kind {
        case .sgd:
            try OptimizerSettings.check("momentum", momentum, momentum >= 0 && momentum < 1, "must be in [0, 1)")
            try OptimizerSettings.check("dampening", dampening, dampening >= 0 && dampening <= 1, "must be in [0, 1]")
            if nesterov && (momentum <= 0 || dampening != 0) {
                throw TrainingError.invalidSetting(name: "nesterov", reason: "needs momentum > 0 and dampening 0 (momentum \(momentum), dampening \(dampening))")
            }
        case .adam, .adamw:
            try OptimizerSettings.check("beta1", beta1, beta1 >= 0 && beta1 < 1, "must be in [0, 1)")
            try OptimizerSettings.check("beta2", beta2, beta2 >= 0 && beta2 < 1, "must be in [0, 1)")
            try OptimizerSettings.check("eps", eps, eps > 0, "must be finite and > 0")
        }
    }

    /// Throws `invalidSetting(name, "<value> <rule>")` unless `value` is finite and `holds`.
    static func check(_ name: String, _ value: Double, _ holds: Bool, _ rule: String) throws {
        guard value.isFinite, holds else { throw TrainingError.invalidSetting(name: name, reason: "\(value) \(rule)") }
    }
}
