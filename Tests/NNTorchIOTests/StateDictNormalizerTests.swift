import Foundation
import XCTest
import TestSupport
import NNTestSupport
@testable import NNCore
@testable import NNTorchIO

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
            XCTAssertEqual(try Checkpoint.contents(path: CheckpointManifest.path(file)).stateDict.keys, plain, file)
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
            XCTAssertEqual(try Checkpoint.contents(path: path).stateDict.keys, expected)
        }
    }

    func testDictsWithoutTensorsNameTheirKeys() throws {
        var pickle = PickleWriter(protocol: 2)
        pickle.write(.dict([("epoch", .int(3)), ("optimizer", .dict([("lr", .float(0.1))]))]))
        var zip = ZipWriter()
        zip.add("x/data.pkl", pickle.finish())
        zip.add("x/version", Array("3\n".utf8))
        XCTAssertThrowsError(try Checkpoint.contents(zip.finish(), path: "x.pt").stateDict) {
            XCTAssertEqual("\($0)", "x.pt: unsupported: no state dict found: the top-level dict has keys 'epoch', 'optimizer' and no name-to-tensor dict under state_dict, model, model_state_dict, net, ema, state_dict_ema")
        }
    }

    func testSharedCyclicAndDeepModulesAreBoundedByName() throws {
        let P = HostilePickles.self
        var deep = P.module(children: [])
        for _ in 0..<250 { deep = P.module(children: [("m", deep)]) }
        let cases: [([UInt8], String)] = [
            // 2^40 modules as state_dict() walks them, 40 objects in the file.
            (P.sharedModules(depth: 40), "m.pt: unsupported: the modules hold more than 1000000 modules and tensors once shared submodules are counted at each place they appear (at module 'm0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m0.m"),
            (P.sharedModules(depth: 7, width: 10), "more than 1000000 modules and tensors"),
            (P.selfContainingModule(), "m.pt: unsupported: module 'self' contains itself"),
            (deep, "m.pt: unsupported: module 'm.m.m."),
        ]
        for (ops, message) in cases {
            let checkpoint = try TorchZipReader.read(CheckpointBytes.zip(P.pickle(ops)), path: "m.pt")
            XCTAssertThrowsError(try StateDictNormalizer.stateDict(from: checkpoint)) { XCTAssertTrue("\($0)".contains(message), String("\($0)".prefix(300))) }
            XCTAssertThrowsError(try ModuleTreeReader.tree(of: checkpoint)) { XCTAssertTrue("\($0)".contains(message), String("\($0)".prefix(300))) }
        }
        XCTAssertThrowsError(try StateDictNormalizer.stateDict(from: try TorchZipReader.read(CheckpointBytes.zip(P.pickle(deep)), path: "m.pt"))) {
            XCTAssertTrue("\($0)".hasSuffix("is nested more than 200 deep"), String("\($0)".suffix(100)))
        }
        // One memoized 1 MB name at every level: the paths' bytes are charged as they are made.
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 64 << 20
        let longName = P.longText(String(repeating: "n", count: 1 << 20)) + P.put(999) + [P.pop]
        let named = try TorchZipReader.read(CheckpointBytes.zip(P.pickle(longName + P.sharedModules(depth: 40) { _ in P.get(999) })), path: "m.pt")
        for read in [{ _ = try StateDictNormalizer.stateDict(from: named) }, { _ = try ModuleTreeReader.tree(of: named) }] {
            XCTAssertThrowsError(try read()) { XCTAssertTrue("\($0)".hasPrefix("m.pt: the paths of its modules (up to a child 'nnnn"), String("\($0)".prefix(300))) }
        }
        MemoryBudget.limit = saved
        // Sharing below the bound is what torch does: the shared module's keys under each name.
        let checkpoint = try TorchZipReader.read(CheckpointBytes.zip(P.pickle(P.sharedModules(depth: 3))), path: "m.pt")
        let tree = try XCTUnwrap(try ModuleTreeReader.tree(of: checkpoint))
        XCTAssertEqual(tree.child("m1")?.child("m0")?.child("m1"), ModuleTree(className: "Net"))
    }
}
