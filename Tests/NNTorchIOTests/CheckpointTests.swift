import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO

final class CheckpointTests: XCTestCase {
    func testEveryFixtureLoadsBitIdenticalToTorch() throws {
        let manifest = try CheckpointManifest.load()
        XCTAssertGreaterThan(manifest.checkpoints.count, 20)
        for entry in manifest.checkpoints {
            let dict = try Checkpoint.contents(path: CheckpointManifest.path(entry.file)).stateDict
            try assertBitIdentical(dict, try XCTUnwrap(manifest.sets[entry.set]), entry.file)
        }
    }

    func testMaliciousPicklesAreRefusedAndRunNothing() throws {
        let manifest = try CheckpointManifest.load()
        try? FileManager.default.removeItem(atPath: manifest.pwnedPath)
        for file in manifest.refused {
            XCTAssertThrowsError(try Checkpoint.contents(path: CheckpointManifest.path(file)).stateDict, file) { error in
                guard case NNError.refused(_, let reason) = error else { return XCTFail("\(file): \(error)") }
                XCTAssertTrue(reason.contains("refusing to"), reason)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: manifest.pwnedPath))
    }

    func testRefusalNamesTheGlobal() throws {
        let cases = ["evil_system_zip.pt": "'posix.system'", "evil_eval_zip_p4.pt": "'builtins.eval'",
                     "evil_eval_legacy.pt": "'builtins.eval'", "reduce_user_class.pt": "call global '__main__.Point'"]
        for (file, expected) in cases {
            XCTAssertThrowsError(try Checkpoint.contents(path: CheckpointManifest.path(file)).stateDict) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(file): \(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
    }

    func testUnsupportedContentIsNamed() throws {
        let manifest = try CheckpointManifest.load()
        for failure in manifest.unsupported {
            XCTAssertThrowsError(try Checkpoint.contents(path: CheckpointManifest.path(failure.file)).stateDict) { error in
                guard case NNError.unsupported = error else { return XCTFail("\(failure.file): \(error)") }
                XCTAssertTrue("\(error)".contains(failure.message), "\(error)")
            }
        }
    }

    func testTruncatedCopiesThrowOneLineErrors() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        for name in ["bare_zip_p2.pt", "bare_legacy_p2.pt", "whole_module_p4.pt", "safe.safetensors"] {
            let bytes = try Fixtures.bytes("checkpoints/\(name)")
            let cuts = Set([1, 2, 7, 16, 60, 200, bytes.count / 3, bytes.count / 2, bytes.count - 300, bytes.count - 40, bytes.count - 22, bytes.count - 1])
            for cut in cuts.sorted() where cut > 0 && cut < bytes.count {
                let path = directory.appendingPathComponent("cut-\(cut)-\(name)").path
                try Data(bytes[..<cut]).write(to: URL(fileURLWithPath: path))
                assertOneLineNNError(try Checkpoint.contents(path: path).stateDict, "\(name) cut at \(cut)")
            }
        }
    }

    func testCorruptedBytesNeverCrash() throws {
        var generator = SplitMix64(seed: 42)
        let original = try Fixtures.bytes("checkpoints/bare_zip_p2.pt")
        for trial in 0..<200 {
            var bytes = original
            for _ in 0..<(1 + trial % 8) { bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next()) }
            do { _ = try Checkpoint.contents(bytes, path: "corrupt.pt").stateDict } catch { assertOneLine(error, "trial \(trial)") }
        }
    }

    func testRandomBytesAndEmptyFilesAreRejected() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        var generator = SplitMix64(seed: 7)
        for length in [1, 5, 100, 4096] {
            let path = directory.appendingPathComponent("random-\(length).pt").path
            try Data((0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: URL(fileURLWithPath: path))
            assertOneLineNNError(try Checkpoint.contents(path: path).stateDict, "random \(length)")
        }
        let empty = directory.appendingPathComponent("empty.pt").path
        try Data().write(to: URL(fileURLWithPath: empty))
        XCTAssertThrowsError(try Checkpoint.contents(path: empty).stateDict) { XCTAssertEqual("\($0)", "\(empty): malformed: empty file (0 bytes), not a checkpoint") }
        XCTAssertThrowsError(try Checkpoint.contents(path: directory.path).stateDict) { XCTAssertEqual("\($0)", "\(directory.path): cannot read: a folder, not a regular file") }
        let missing = directory.appendingPathComponent("missing.pt").path
        XCTAssertThrowsError(try Checkpoint.contents(path: missing).stateDict) { XCTAssertEqual("\($0)", "\(missing): cannot read: No such file or directory") }
    }

    func testOtherFormatsAreRecognisedAndRefused() {
        var tar = [UInt8](repeating: 0, count: 1024)
        tar.replaceSubrange(257..<262, with: Array("ustar".utf8))
        XCTAssertThrowsError(try Checkpoint.contents(tar, path: "old.tar").stateDict) { XCTAssertTrue("\($0)".contains("tar-format")) }
        XCTAssertThrowsError(try Checkpoint.contents(Array("PYTORCH1 and more".utf8), path: "p.pt").stateDict) { XCTAssertTrue("\($0)".contains("PYTORCH1")) }
        XCTAssertThrowsError(try Checkpoint.contents(Array("hello world".utf8), path: "t.txt").stateDict) {
            XCTAssertEqual("\($0)", "t.txt: unsupported: not a PyTorch checkpoint (zip or legacy torch.save) or safetensors file; it starts with 68 65 6c 6c 6f 20 77 6f")
        }
        var plain = PickleWriter(protocol: 2)
        plain.int(5)
        XCTAssertThrowsError(try Checkpoint.contents(plain.finish(), path: "p.pkl").stateDict) { XCTAssertTrue("\($0)".contains("magic number")) }
    }

    private func assertOneLineNNError(_ body: @autoclosure () throws -> StateDict, _ label: String,
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), label, file: file, line: line) { assertOneLine($0, label, file: file, line: line) }
    }

    private func assertOneLine(_ error: Error, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(error is NNError, "\(label): \(error)", file: file, line: line)
        XCTAssertFalse("\(error)".contains("\n"), "\(label): \(error)", file: file, line: line)
    }
}
