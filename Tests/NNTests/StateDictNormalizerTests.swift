import Foundation
import XCTest
@testable import NN
@testable import NNCore
@testable import NNEngine
@testable import NNONNX
@testable import NNTorchIO
@testable import NNVision
import TestSupport

final class StateDictNormalizerTests: XCTestCase {
    func testWrappersDataParallelAndWholeModulesGiveThePlainKeys() throws {
        let manifest = try CheckpointManifest.load()
        let plain = try XCTUnwrap(manifest.sets["tinynet"]).map(\.key)
        XCTAssertFalse(plain.contains("scratch"), "non-persistent buffers are not in state_dict()")
        let files = manifest.checkpoints.filter { $0.set == "tinynet" }.map(\.file)
        for prefix in ["wrap_state_dict", "wrap_model", "wrap_net", "wrap_ema", "dataparallel", "whole_module", "whole_dataparallel", "wrap_whole_module"] {
            XCTAssertTrue(files.contains { $0.hasPrefix(prefix) }, "no fixture for \(prefix)")
        }
        for file in files {
            XCTAssertEqual(try Checkpoint.load(path: CheckpointManifest.path(file)).keys, plain, file)
        }
    }

    func testModulePrefixIsStrippedOnlyWhenEveryKeyHasIt() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let cases: [([String], [String])] = [
            (["module.a", "module.b.c"], ["a", "b.c"]),
            (["module.a", "b"], ["module.a", "b"]),
            (["modules.a"], ["modules.a"]),
        ]
        for (keys, expected) in cases {
            var dict = StateDict()
            for key in keys { dict[key] = .float(Tensor(shape: [1], scalars: [1]), .float32) }
            let path = directory.appendingPathComponent("p.pt").path
            try TorchCheckpointWriter.write(dict, to: path)
            XCTAssertEqual(try Checkpoint.load(path: path).keys, expected)
        }
    }

    func testDictsWithoutTensorsNameTheirKeys() throws {
        var pickle = PickleWriter(protocol: 2)
        pickle.write(.dict([("epoch", .int(3)), ("optimizer", .dict([("lr", .float(0.1))]))]))
        var zip = ZipWriter()
        zip.add("x/data.pkl", pickle.finish())
        zip.add("x/version", Array("3\n".utf8))
        XCTAssertThrowsError(try Checkpoint.read(zip.finish(), path: "x.pt")) {
            XCTAssertEqual("\($0)", "x.pt: unsupported: no state dict found: the top-level dict has keys 'epoch', 'optimizer' and no name-to-tensor dict under state_dict, model, model_state_dict, net, ema, state_dict_ema")
        }
    }
}
