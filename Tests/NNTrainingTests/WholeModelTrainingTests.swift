// WholeModelTrainingTests: the bundled teacher and student trained by Shears against the
// same training run by the real PyTorch (scripts/fixtures/training.py): one forward and
// backward's gradients, 20 steps of SGD (momentum, weight decay) and of AdamW, 20 masked
// SGD steps after torch's l1_unstructured, and 20 Adam steps of the homework's KD loss, on
// fixed batches in training mode. Each tensor within 1e-4 of PyTorch's largest |value| in it
// (the recipes are ones torch reproduces with 1 and 2 threads to 1e-5: see the script).

import NNCore
import NNTorchIO
@testable import NNTraining
import Prune
import TestSupport
import XCTest

final class WholeModelTrainingTests: XCTestCase {
    /// One state of the fixture manifest: the loss per step and each tensor's sample.
    struct State: Decodable {
        struct Entry: Decodable { let key: String; let count: Int; let maxAbs: Float; let offset: Int }
        let loss: [Float]
        let tensors: [Entry]
    }

    /// Entries of a tensor of `count` elements the fixture keeps (as training.py picks them).
    static func sampleIndices(_ count: Int) -> [Int] {
        count <= 4096 ? Array(0..<count) : Set((0..<512).map { ($0 * 7919 + 13) % count }).sorted()
    }

    private let batches = (try? Fixtures.float32("training/batches.f32")) ?? []
    private let labels = ((try? Fixtures.int64("training/labels.i64")) ?? []).map { Int($0) }

    /// Batch `b` (0 or 1) of the fixture: 8 images [8, 3, 32, 32] and their labels; nil: all 16.
    private func batch(_ b: Int?) -> (Tensor, [Int]) {
        guard let b else { return (Tensor(shape: [16, 3, 32, 32], scalars: batches), labels) }
        let size = 8 * 3 * 32 * 32
        return (Tensor(shape: [8, 3, 32, 32], scalars: Array(batches[(b * size)..<((b + 1) * size)])), Array(labels[(b * 8)..<((b + 1) * 8)]))
    }

    private func load(_ name: String) throws -> Model {
        try ArchitectureCatalog.build(try Checkpoint.contents(path: Fixtures.repositoryRoot.appendingPathComponent("examples/models/\(name).pt").path).stateDict)
    }

    private func manifest(_ name: String) throws -> [String: State] { try Fixtures.json("training/\(name).json") }

    /// Asserts every tensor of `state` matches `actual` (by key) within 1e-4 of its max |value|.
    private func assertMatches(_ actual: [String: Tensor], _ name: String, _ state: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try manifest(name)[state]!
        let values = try Fixtures.float32("training/\(name).\(state).f32")
        for entry in expected.tensors {
            guard let tensor = actual[entry.key] else { XCTFail("\(name) \(state): no \(entry.key)", file: file, line: line); continue }
            XCTAssertEqual(tensor.count, entry.count, "\(entry.key)", file: file, line: line)
            let indices = Self.sampleIndices(entry.count)
            let picked = indices.map { tensor.scalars[$0] }
            assertClose(picked, Array(values[entry.offset..<(entry.offset + indices.count)]), rtol: 0, atol: 1e-4 * max(entry.maxAbs, 1e-12),
                        "\(name) \(state) \(entry.key)", file: file, line: line)
        }
    }

    /// The parameters and running statistics of a trainable model by key.
    private func tensors(_ model: TrainableModel) -> [String: Tensor] { model.parameters.merging(model.buffers) { a, _ in a } }

    /// Trains `name` for 20 steps on batches 0, 1, 0, … (`whole`: on all 16 images every step)
    /// and compares with the fixture's `state`. With `masked`, every conv and linear weight is
    /// first pruned as `prune.l1_unstructured(amount=0.5)`.
    private func assertTwentySteps(_ name: String, _ state: String, _ settings: OptimizerSettings, masked: Bool = false, whole: Bool = false,
                                   loss: TrainingLoss = .crossEntropy(CrossEntropyLoss()), file: StaticString = #filePath, line: UInt = #line) throws {
        var (model, masks) = (try load(name), [String: Tensor]())
        if masked {
            let (pruned, record) = try Pruner.prune(model, method: .l1, amount: .fraction(0.5))
            (model, masks) = (pruned, record.masks)
        }
        var trainer = Trainer(model: try TrainableModel(model), optimizer: try Optimizer(settings, masks: masks), loss: loss)
        let teacher = try TrainableModel(try load("teacher"))
        var losses: [Float] = []
        for step in 0..<20 {
            let (images, targets) = batch(whole ? nil : step % 2)
            var teacherLogits: Tensor?
            if case .distillation = loss {
                var copy = teacher
                teacherLogits = try copy.forward(images, training: false).output
            }
            losses.append(try trainer.step(images, labels: targets, teacherLogits: teacherLogits, learningRate: settings.learningRate).loss)
        }
        assertClose(losses, try manifest(name)[state]!.loss, rtol: 1e-3, atol: 1e-5, "\(name) \(state) losses", file: file, line: line)
        try assertMatches(tensors(trainer.model), name, state, file: file, line: line)
    }

    func testOneBackwardGivesTorchsGradients() throws {
        for name in ["teacher", "student"] {
            var model = try TrainableModel(try load(name))
            let (images, targets) = batch(0)
            let pass = try model.forward(images, training: true)
            let loss = try CrossEntropyLoss()(pass.output, labels: targets)
            XCTAssertEqual(loss.loss, try manifest(name)["grad"]!.loss[0], accuracy: 1e-5)
            try assertMatches(try model.backward(pass, outputGradient: loss.gradient), name, "grad")
        }
    }

    func testSGDWithMomentumAndWeightDecay() throws {
        let sgd = OptimizerSettings(kind: .sgd, learningRate: 0.003, momentum: 0.9, weightDecay: 5e-4)
        for name in ["teacher", "student"] { try assertTwentySteps(name, "sgd", sgd) }
    }

    func testAdamW() throws {
        let adamw = OptimizerSettings(kind: .adamw, learningRate: 1e-3, weightDecay: 0.01, eps: 1e-3)
        for name in ["teacher", "student"] { try assertTwentySteps(name, "adamw", adamw, whole: true) }
    }

    func testMasksHoldThroughTraining() throws {
        let sgd = OptimizerSettings(kind: .sgd, learningRate: 0.003, momentum: 0.9, weightDecay: 5e-4)
        try assertTwentySteps("student", "masked", sgd, masked: true)
    }

    func testDistillationFromTheTeacher() throws {
        try assertTwentySteps("student", "kd", OptimizerSettings(kind: .adam, learningRate: 1e-3, eps: 1e-3), loss: .distillation(try DistillationLoss(alpha: 0.5, temperature: 4)))
    }
}
