import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNEngine

/// The full torchvision ResNet18 against PyTorch; runs only with SHEARS_FULL_RESNET18=DIR
/// written by scripts/verify/full_resnet18.py (45 MB: not a committed fixture).
final class FullResNet18Tests: XCTestCase {
    func testLogitsMatchPyTorch() throws {
        guard let dir = ProcessInfo.processInfo.environment["SHEARS_FULL_RESNET18"] else {
            throw XCTSkip("set SHEARS_FULL_RESNET18 to a folder written by scripts/verify/full_resnet18.py")
        }
        func floats(_ name: String) throws -> [Float] {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name))
            return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        let model = try ArchitectureCatalog.build(try Checkpoint.contents(path: "\(dir)/resnet18.pt").stateDict)
        XCTAssertEqual(model.architecture, "resnet18")
        let executor = try Executor(model: model, input: [3, 224, 224], maxBatch: 2)
        let start = Date()
        let logits = try executor.run(Tensor(shape: [2, 3, 224, 224], scalars: try floats("input.f32")))
        let seconds = Date().timeIntervalSince(start)
        let expected = try floats("logits.f32")
        let scale = expected.map(abs).max() ?? 1
        let worst = maxAbsoluteDifference(logits.scalars, expected)
        print("full resnet18: max |diff| \(worst.value) (\(worst.value / scale) of the largest logit), batch of 2 in \(seconds) s")
        assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-4 * scale)
    }
}
