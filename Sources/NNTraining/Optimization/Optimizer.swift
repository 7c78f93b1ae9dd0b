// Optimizer: steps parameters by state-dict key with torch.optim's update rules (the
// single-tensor path, `foreach=False`), keeping each key's state (momentum buffer, moments,
// step count) between steps, and holding pruning masks so pruned entries stay zero.

import NNCore

/// An optimizer with its per-parameter state.
///
/// Pruning masks follow `torch.nn.utils.prune`: the layer uses `weight = weight_orig · mask`,
/// so `weight_orig` receives `grad · mask`. With binary masks and element-wise update rules
/// the effective weight after any number of steps equals `mask ·` (the step on the parameter
/// with the masked gradient); so a masked key's gradient entries are zeroed before the step and
/// its parameter multiplied by the mask after it.
public struct Optimizer: Sendable {
    public let settings: OptimizerSettings
    /// 0/1 masks by parameter key, each of its parameter's shape.
    public let masks: [String: Tensor]
    /// Per-key state, created at a key's first step.
    var state: [String: ParameterState] = [:]

    /// What torch keeps in `optimizer.state[p]`, flattened like the parameter.
    struct ParameterState: Sendable {
        /// `state["step"]`: steps taken (Adam).
        var step = 0
        /// SGD's `momentum_buffer` (nil until the first step with momentum).
        var momentumBuffer: [Float]?
        /// Adam's `exp_avg` (m) and `exp_avg_sq` (v).
        var expAvg: [Float] = []
        var expAvgSq: [Float] = []
        /// AMSGrad's `max_exp_avg_sq`.
        var maxExpAvgSq: [Float] = []
    }

    /// An optimizer with fresh state; throws `TrainingError.invalidSetting` for settings that
    /// `validate` refuses or a mask with an entry other than 0 or 1.
    public init(_ settings: OptimizerSettings, masks: [String: Tensor] = [:]) throws {
        try settings.validate()
        for (key, mask) in masks where mask.scalars.contains(where: { $0 != 0 && $0 != 1 }) {
            throw TrainingError.invalidSetting(name: "mask \(key)", reason: "has entries other than 0 and 1")
        }
        self.settings = settings
        self.masks = masks
    }

    /// The steps taken so far for `key` (torch's `state["step"]`; SGD counts too).
    public func steps(_ key: String) -> Int { state[key]?.step ?? 0 }

    /// One step of every parameter in `keys` (in that order, as torch walks a param group):
    /// `learningRate` is the rate in effect (a schedule's), `momentum` a cycled SGD momentum or
    /// Adam β1 (OneCycle's) replacing the settings' for this step. All shapes are checked
    /// before anything changes: a missing parameter or gradient, a gradient or mask whose shape
    /// differs from its parameter's, a mask for a key `parameters` lacks, or a parameter whose
    /// size changed since the last step is a thrown `TrainingError` naming the key.
    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], keys: [String],
                              learningRate: Double, momentum: Double? = nil) throws {
        try OptimizerSettings.check("learning rate", learningRate, learningRate >= 0, "must be finite and >= 0")
        if let momentum {
            try OptimizerSettings.check(settings.kind == .sgd ? "momentum" : "beta1", momentum, momentum >= 0 && momentum < 1, "must be in [0, 1)")
        }
        for key in keys { try checkShapes(key, parameters, gradients) }
        for key in masks.keys where parameters[key] == nil { throw TrainingError.missingParameter(key) }
        for key in keys {
            // Taken out of the dictionaries so that each array has one owner and is updated in place.
            guard var gradient = gradients[key]?.scalars, var parameter = parameters.removeValue(forKey: key) else { continue }
            let mask = masks[key]?.scalars
            if let mask { for i in gradient.indices where mask[i] == 0 { gradient[i] = 0 } }
            var keyState = state.removeValue(forKey: key) ?? ParameterState()
            keyState.step += 1
            switch settings.kind {
            case .sgd: stepSGD(&parameter.scalars, gradient, &keyState, learningRate: learningRate, momentum: momentum ?? settings.momentum)
            case .adam, .adamw: stepAdam(&parameter.scalars, gradient, &keyState, learningRate: learningRate, beta1: momentum ?? settings.beta1)
            }
            if let mask { for i in parameter.scalars.indices { parameter.scalars[i] *= mask[i] } }
            state[key] = keyState
            parameters[key] = parameter
        }
    }

    /// Throws unless `key` has a parameter, a gradient and any mask of one shape, and state (if any) of its size.
    private func checkShapes(_ key: String, _ parameters: [String: Tensor], _ gradients: [String: Tensor]) throws {
        guard let parameter = parameters[key] else { throw TrainingError.missingParameter(key) }
        guard let gradient = gradients[key] else {
            throw TrainingError.shapeMismatch("\(key): no gradient for the parameter \(parameter.shape)")
        }
        guard gradient.shape == parameter.shape, gradient.count == parameter.count else {
            throw TrainingError.shapeMismatch("\(key): the gradient is \(gradient.shape), the parameter \(parameter.shape)")
        }
        if let mask = masks[key], mask.shape != parameter.shape || mask.count != parameter.count {
            throw TrainingError.shapeMismatch("\(key): the mask is \(mask.shape), the parameter \(parameter.shape)")
        }
        if let keyState = state[key] {
            let sizes = [keyState.momentumBuffer?.count, keyState.expAvg.isEmpty ? nil : keyState.expAvg.count].compactMap { $0 }
            if sizes.contains(where: { $0 != parameter.count }) {
                throw TrainingError.shapeMismatch("\(key): the parameter \(parameter.shape) changed size since the optimizer's last step (make a new optimizer)")
            }
        }
    }
}
