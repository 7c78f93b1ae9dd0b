import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNEngine

/// Logits of every catalog architecture against PyTorch's (fixtures from scripts/fixtures/models.py).
final class ExecutorTests: XCTestCase {
    struct Case: Decodable {
        let architecture: String
        let input: [Int]
        let logits_shape: [Int]
        let parameters: Int
    }

    func manifest() throws -> [String: Case] { try Fixtures.json("models/manifest.json") }

    func model(_ name: String) throws -> Model {
        let dict = try SafetensorsReader.read(path: Fixtures.path("models/\(name).safetensors"))
        return try ArchitectureCatalog.build(dict)
    }

    func testLogitsMatchPyTorchForEveryArchitecture() throws {
        for (name, c) in try manifest() {
            let model = try model(name)
            XCTAssertEqual(model.architecture, c.architecture, name)
            let input = Tensor(shape: c.input, scalars: try Fixtures.float32("models/\(name).input.f32"))
            let expected = try Fixtures.float32("models/\(name).logits.f32")
            for fold in [true, false] {
                let executor = try Executor(model: model, input: Array(c.input.dropFirst()), maxBatch: c.input[0], foldBatchNorm: fold)
                let logits = try executor.run(input)
                XCTAssertEqual(logits.shape, c.logits_shape, name)
                let scale = expected.map(abs).max() ?? 1
                assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * scale, "\(name) fold=\(fold)")
            }
            let statistics = try ModelStatistics(model: model, input: Array(c.input.dropFirst()))
            XCTAssertEqual(statistics.parameters, c.parameters, name)
        }
    }

    func testSmallerBatchThanPlannedAndRepeatedRuns() throws {
        let c = try XCTUnwrap(try manifest()["student"])
        let model = try model("student")
        let all = try Fixtures.float32("models/student.input.f32")
        let expected = try Fixtures.float32("models/student.logits.f32")
        let executor = try Executor(model: model, input: Array(c.input.dropFirst()), maxBatch: 8)
        let per = all.count / c.input[0]
        for _ in 0..<2 {
            let one = try executor.run(Tensor(shape: [1] + c.input.dropFirst(), scalars: Array(all[per..<(2 * per)])))
            assertClose(one.scalars, Array(expected[10..<20]), rtol: 1e-4, atol: 1e-5)
        }
    }

    func testEveryLaneCountGivesPyTorchsLogits() throws {
        for (name, c) in try manifest() {
            let model = try model(name)
            let input = Tensor(shape: c.input, scalars: try Fixtures.float32("models/\(name).input.f32"))
            let expected = try Fixtures.float32("models/\(name).logits.f32")
            let scale = expected.map(abs).max() ?? 1
            for threads in 1...(c.input[0] + 1) {
                let executor = try Executor(model: model, input: Array(c.input.dropFirst()), maxBatch: c.input[0], threads: threads)
                assertClose(try executor.run(input).scalars, expected, rtol: 1e-4, atol: 1e-5 * scale, "\(name) threads=\(threads)")
            }
        }
    }

    func testWrongInputShapeIsAnError() throws {
        let executor = try Executor(model: try model("student"), input: [3, 32, 32], maxBatch: 2)
        XCTAssertThrowsError(try executor.run(Tensor(shape: [3, 3, 32, 32]))) { error in
            XCTAssertTrue("\(error)".contains("expected [N ≤ 2, 3, 32, 32]"), "\(error)")
        }
    }
}
