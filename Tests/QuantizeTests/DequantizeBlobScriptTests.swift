import XCTest
@testable import Quantize
import NN
import TestSupport

/// Tests that plain CPython reads a blob Shears wrote: `python3 -I -S` (no site-packages,
/// so no numpy or torch) runs scripts/dequantize_blob.py, which `pickle.load`s the blob and
/// dequantizes it; names, shapes and every value must match Shears' bit for bit.
final class DequantizeBlobScriptTests: XCTestCase {
    private var script: String { Fixtures.repositoryRoot.appendingPathComponent("scripts/dequantize_blob.py").path }

    /// Runs `/usr/bin/env python3 -I -S arguments…`; stdout and stderr go through files in `directory`.
    private func python(_ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: Data, stderr: String) {
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        try Data().write(to: out)
        try Data().write(to: err)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-I", "-S"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try Data(contentsOf: out), String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    private func requirePython(in directory: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/env"),
              (try? python(["-c", "pass"], in: directory).status) == 0 else {
            throw XCTSkip("python3 is not installed")
        }
    }

    func testPlainPythonDequantizesWhatShearsWrote() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        try requirePython(in: directory)
        var original = BlobCodecTests.convModel(channels: 4)
        original.setTensor("fc.weight", Tensor(shape: [3, 2], scalars: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]))  // constant
        for config in [QuantizationConfig(bits: 8), QuantizationConfig(bits: 3, perChannel: true),
                       QuantizationConfig(bits: 5, onlyWeights: true)] {
            let model = try Quantizer.quantize(original, config: config, architecture: "plain-cnn", source: "model.pt")
            let blob = directory.appendingPathComponent("model-\(config.bits).pkl").path
            try AtomicFile.write(BlobCodec.encode(model), to: blob)

            let run = try python([script, "--json", blob], in: directory)
            XCTAssertEqual(run.status, 0, run.stderr)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: run.stdout) as? [String: [String: Any]])
            let expected = model.dequantized()
            XCTAssertEqual(Set(json.keys), Set(expected.keys))
            for (name, stored) in expected.entries {
                let entry = try XCTUnwrap(json[name], name)
                XCTAssertEqual(entry["shape"] as? [Int], stored.shape, name)
                let values = try XCTUnwrap(entry["values"] as? [NSNumber], name)
                switch stored {
                case .float(let tensor, _):
                    XCTAssertEqual(entry["dtype"] as? String, model.tensors.first { $0.name == name }?.codes == nil ? "float32" : "uint8")
                    XCTAssertEqual(values.map { Float($0.doubleValue).bitPattern }, tensor.scalars.map(\.bitPattern), "\(name), \(config)")
                case .integer(let tensor, _):
                    XCTAssertEqual(entry["dtype"] as? String, "int64")
                    XCTAssertEqual(values.map(\.int64Value), tensor.scalars, name)
                }
            }
        }
    }

    func testSummaryNamesEveryTensor() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        try requirePython(in: directory)
        let model = try Quantizer.quantize(QuantizerTests.smallModel(), config: QuantizationConfig(bits: 4, perChannel: true),
                                           source: "model.pt")
        let blob = directory.appendingPathComponent("model.pkl").path
        try AtomicFile.write(BlobCodec.encode(model), to: blob)
        let run = try python([script, blob], in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.first.map(String.init), "\(blob): unknown architecture from model.pt, 4 bits, per channel: True")
        XCTAssertEqual(lines.dropFirst().first.map(String.init), "  conv.weight: uint8 (2, 1, 2, 2) 4 bits, 4 bytes")
        XCTAssertEqual(lines.count, 1 + model.tensors.count)
    }
}
