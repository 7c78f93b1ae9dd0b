// OptimizerTests: 20 steps of SGD (momentum and weight decay, nesterov, dampening, plain),
// Adam (L2, AMSGrad) and AdamW, some under StepLR or OneCycleLR (momentum / β1 cycled), some
// with pruning masks, give torch.optim's parameters (Tests/Fixtures/optimizers, written by
// scripts/fixtures/optimizers.py); bad gradients, masks and rates are refused naming the key.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class OptimizerTests: XCTestCase {
    /// runs.json.
    private struct Runs: Decodable {
        struct Options: Decodable {
            let lr: Double
            let momentum: Double?
            let dampening: Double?
            let nesterov: Bool?
            let weight_decay: Double?
            let betas: [Double]?
            let amsgrad: Bool?
        }
        struct Schedule: Decodable {
            let kind: String
            let stepsPerEpoch: Int?
            let stepSize: Int?
            let gamma: Double?
            let maxLR: Double?
            let totalSteps: Int?
        }
        struct Run: Decodable {
            let optimizer: String
            let options: Options
            let schedule: Schedule?
            let masked: Bool
        }
        let keys: [String]
        let shapes: [[Int]]
        let steps: Int
        let runs: [String: Run]
    }

    private let directory = "optimizers"

    /// `values` (the keys' tensors flattened one after another) split into tensors by key.
    private func split(_ values: [Float], _ runs: Runs) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:], offset = 0
        for (key, shape) in zip(runs.keys, runs.shapes) {
            let count = shape.reduce(1, *)
            tensors[key] = Tensor(shape: shape, scalars: Array(values[offset..<offset + count]))
            offset += count
        }
        return tensors
    }

    private func settings(_ run: Runs.Run) throws -> OptimizerSettings {
        let o = run.options
        let kind = try XCTUnwrap(OptimizerKind(rawValue: run.optimizer))
        return OptimizerSettings(kind: kind, learningRate: o.lr, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0,
                                 nesterov: o.nesterov ?? false, weightDecay: o.weight_decay, beta1: o.betas?[0] ?? 0.9,
                                 beta2: o.betas?[1] ?? 0.999, amsgrad: o.amsgrad ?? false)
    }

    /// The schedule a run steps under, its base rate (OneCycle's max_lr) and its steps per epoch.
    private func schedule(_ run: Runs.Run, steps: Int) throws -> (LearningRateSchedule, base: Double, stepsPerEpoch: Int) {
        guard let schedule = run.schedule else { return (.constant, run.options.lr, steps) }
        switch schedule.kind {
        case "step":
            return (.step(size: try XCTUnwrap(schedule.stepSize), gamma: try XCTUnwrap(schedule.gamma)), run.options.lr, try XCTUnwrap(schedule.stepsPerEpoch))
        default:
            return (.oneCycle(OneCycleSchedule(totalSteps: try XCTUnwrap(schedule.totalSteps))), try XCTUnwrap(schedule.maxLR), steps)
        }
    }

    /// Per tensor, max |difference| <= 1e-4 · max |PyTorch's value| (the measure).
    private func assertMatches(_ actual: [String: Tensor], _ expected: [String: Tensor], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        for (key, tensor) in expected {
            let scale = tensor.scalars.map(abs).max() ?? 0
            assertClose(actual[key]?.scalars ?? [], tensor.scalars, rtol: 0, atol: 1e-4 * scale, "\(label) \(key)", file: file, line: line)
        }
    }

    func testTwentyStepsMatchTorch() throws {
        let runs = try Fixtures.json("\(directory)/runs.json", as: Runs.self)
        let initial = split(try Fixtures.float32("\(directory)/initial.f32"), runs)
        let allGradients = try Fixtures.float32("\(directory)/gradients.f32")
        let perStep = allGradients.count / runs.steps
        let gradients = (0..<runs.steps).map { split(Array(allGradients[$0 * perStep..<($0 + 1) * perStep]), runs) }
        var masks = split(try Fixtures.float32("\(directory)/masks.f32"), runs)
        masks["conv.bias"] = nil  // torch prunes the two weights
        XCTAssertEqual(runs.runs.count, 12)
        for (name, run) in runs.runs.sorted(by: { $0.key < $1.key }) {
            let settings = try settings(run)
            let (schedule, base, stepsPerEpoch) = try schedule(run, steps: runs.steps)
            var optimizer = try Optimizer(settings, masks: run.masked ? masks : [:])
            var parameters = initial
            if run.masked {
                for (key, mask) in masks { parameters[key] = Tensor(shape: mask.shape, scalars: zip(mask.scalars, initial[key]!.scalars).map(*)) }
            }
            for t in 0..<runs.steps {
                let (epoch, step) = t.quotientAndRemainder(dividingBy: stepsPerEpoch)
                let rate = try schedule.learningRate(base: base, epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch)
                let momentum = try schedule.momentum(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch)
                try optimizer.step(&parameters, gradients: gradients[t], keys: runs.keys, learningRate: rate, momentum: momentum)
                if t == 0 { assertMatches(parameters, split(try Fixtures.float32("\(directory)/\(name)-step1.f32"), runs), "\(name) step 1") }
            }
            assertMatches(parameters, split(try Fixtures.float32("\(directory)/\(name)-step20.f32"), runs), "\(name) step 20")
            XCTAssertEqual(optimizer.steps("fc.weight"), runs.steps)
            if run.masked {
                for (key, mask) in masks {
                    XCTAssertEqual(zip(mask.scalars, parameters[key]!.scalars).filter { $0.0 == 0 && $0.1 != 0 }.count, 0, "\(name) \(key): pruned entries stay zero")
                }
            }
        }
    }

    private func tensors() -> [String: Tensor] {
        ["w": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), "b": Tensor(shape: [2], scalars: [0.5, -0.5])]
    }

    func testAMissingOrMisshapenGradientIsRefusedNamingTheKeyAndChangesNothing() throws {
        var optimizer = try Optimizer(OptimizerSettings(kind: .sgd, learningRate: 0.1, momentum: 0.9))
        var parameters = tensors()
        let gradients = ["w": Tensor(shape: [2, 2], repeating: 1), "b": Tensor(shape: [3], repeating: 1)]
        XCTAssertThrowsError(try optimizer.step(&parameters, gradients: gradients, keys: ["w", "b"], learningRate: 0.1)) { error in
            XCTAssertTrue("\(error)".contains("b: the gradient is [3], the parameter [2]"), "\(error)")
        }
        XCTAssertThrowsError(try optimizer.step(&parameters, gradients: ["w": gradients["w"]!], keys: ["w", "b"], learningRate: 0.1)) { error in
            XCTAssertTrue("\(error)".contains("b: no gradient"), "\(error)")
        }
        XCTAssertThrowsError(try optimizer.step(&parameters, gradients: gradients, keys: ["w", "c"], learningRate: 0.1)) { error in
            XCTAssertEqual(error as? TrainingError, .missingParameter("c"))
        }
        XCTAssertEqual(parameters, tensors(), "a refused step changes no parameter")
        XCTAssertEqual(optimizer.steps("w"), 0)
    }

    func testAParameterThatChangedSizeIsRefused() throws {
        var optimizer = try Optimizer(OptimizerSettings(kind: .adam, learningRate: 0.1))
        var parameters = tensors()
        try optimizer.step(&parameters, gradients: tensors(), keys: ["b"], learningRate: 0.1)
        parameters["b"] = Tensor(shape: [1], scalars: [0])
        XCTAssertThrowsError(try optimizer.step(&parameters, gradients: ["b": Tensor(shape: [1], scalars: [1])], keys: ["b"], learningRate: 0.1)) { error in
            XCTAssertTrue("\(error)".contains("b: the parameter [1] changed size"), "\(error)")
        }
    }

    func testMasksMustBeBinaryAndOfTheParametersShape() throws {
        let settings = OptimizerSettings(kind: .adamw, learningRate: 1e-3)
        XCTAssertThrowsError(try Optimizer(settings, masks: ["w": Tensor(shape: [2, 2], scalars: [1, 0, 0.5, 1])]))
        var optimizer = try Optimizer(settings, masks: ["w": Tensor(shape: [4], scalars: [1, 0, 0, 1])])
        var parameters = tensors()
        XCTAssertThrowsError(try optimizer.step(&parameters, gradients: tensors(), keys: ["w"], learningRate: 1e-3)) { error in
            XCTAssertTrue("\(error)".contains("w: the mask is [4], the parameter [2, 2]"), "\(error)")
        }
        var misnamed = try Optimizer(settings, masks: ["conv.weight": Tensor(shape: [2, 2], repeating: 1)])
        XCTAssertThrowsError(try misnamed.step(&parameters, gradients: tensors(), keys: ["w"], learningRate: 1e-3)) { error in
            XCTAssertEqual(error as? TrainingError, .missingParameter("conv.weight"))
        }
        XCTAssertEqual(parameters, tensors())
    }

    func testARateOrMomentumOutsideItsRangeIsRefused() throws {
        var optimizer = try Optimizer(OptimizerSettings(kind: .sgd, learningRate: 0.1))
        var parameters = tensors()
        for (rate, momentum) in [(-1.0, nil), (.nan, nil), (0.1, 1.0), (0.1, -0.5)] as [(Double, Double?)] {
            XCTAssertThrowsError(try optimizer.step(&parameters, gradients: tensors(), keys: ["w"], learningRate: rate, momentum: momentum))
        }
        XCTAssertEqual(parameters, tensors())
    }
}
