import XCTest
import TestSupport

final class SummaryCommandTests: XCTestCase {
    func testResNet18WithElevenClasses() throws {
        let result = try CLI.run(["summary", "--arch", "resnet18", "--classes", "11"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Total params: 11,182,155"), result.stdout)
        XCTAssertTrue(result.stdout.contains("1.82 GMAC"), result.stdout)
    }

    func testJSONOfACheckpoint() throws {
        let result = try CLI.run(["summary", Fixtures.path("models/student.safetensors"), "--input", "3x32x32", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["architecture"] as? String, "student")
        XCTAssertNotNil(object["parameters"] as? Int)
        let layers = try XCTUnwrap(object["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.first?["name"] as? String, "conv1")
        for key in ["name", "type", "output_shape", "parameters"] { XCTAssertNotNil(layers.first?[key], key) }
    }

    func testAnONNXFileCountsItsOwnParametersAndSaysBatchNormIsFolded() throws {
        struct Case: Decodable { let parameters: Int; let onnx_parameters: [String: Int] }
        let c = try XCTUnwrap(try Fixtures.json("architectures/manifest.json", as: [String: Case].self)["narrow-resnet"])
        let path = Fixtures.path("architectures/narrow-resnet.onnx")
        let result = try CLI.run(["summary", path, "--input", "3x32x32", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["parameters"] as? Int, c.onnx_parameters[".onnx"])
        XCTAssertLessThan(c.onnx_parameters[".onnx"] ?? .max, c.parameters)
        XCTAssertTrue(result.stderr.contains("note: \(path): the parameters are the ONNX file's") && result.stderr.contains("folds each BatchNorm"), result.stderr)
    }

    func testNeitherCheckpointNorArchIsAUsageError() throws {
        let result = try CLI.run(["summary"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("give a checkpoint or --arch NAME"), result.stderr)
    }

    func testMissingFileIsOneLineError() throws {
        let result = try CLI.run(["summary", "/nonexistent/model.pt"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/nonexistent/model.pt"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
    }

    func testSummaryPassesItsInputSize() throws {
        let result = try CLI.run(["summary", Fixtures.path("statedicts/teacher-no-last-pool.pt"), "--input", "3x32x32", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["architecture"] as? String, "plain-cnn")
    }
}
