// ErrorMessagesTests: the CLI words each library way out as the flag that takes it, in the
// line it prints for the error (the library's own description names no flag).

import XCTest
import ShearsKit
import TestSupport
@testable import ShearsCLI

final class ErrorMessagesTests: XCTestCase {
    func line(_ error: Error) throws -> String { try XCTUnwrap(commandLineMessage(for: error)) }

    func testTheWholeModelFormsNameArchFromAndTheCatalogNamesArch() throws {
        let forms = "give --arch-from model.txt (what print(model) writes), a torch.save(model) file, a .pt2 from torch.export.save, or a torch.onnx.export .onnx file"
        XCTAssertEqual(try line(NNError.unsupported(path: "m.pt", reason: "r", wayOut: .wholeModel())), "m.pt: unsupported: r; \(forms)")
        XCTAssertEqual(try line(NNError.unknownArchitecture("r", wayOut: .wholeModel(orArchitectures: ["resnet18", "student"]))),
                       "unknown architecture: r; \(forms), or --arch (resnet18, student)")
        XCTAssertEqual(try line(NNError.unsupported(path: "m.pt", reason: "r", wayOut: .wholeModel(orArchitectures: ["student"]))),
                       "m.pt: unsupported: r; \(forms), or --arch student if it is the catalog's student")
        XCTAssertEqual(try line(NNError.unsupported(path: "m.pt", reason: "r", wayOut: .unforcedArchitecture)), "m.pt: unsupported: r; leave out --arch")
        XCTAssertEqual(try line(NNError.unsupported(path: "q.pkl", reason: "r", wayOut: .blobGraph)),
                       "q.pkl: unsupported: r; give --arch-from model.txt (print(model)), or write the dequantized model with `shears quantize … --also-float model.onnx`")
    }

    func testMemoryLabelsAndOutputNameTheirFlags() throws {
        XCTAssertEqual(try line(NNError.overBudget(path: "w.bin", what: "tensor 'a'", bytes: 8192, limit: 4096)),
                       "w.bin: tensor 'a' would need 8.0 KB, over the memory limit of 4.0 KB (raise it with --memory-limit)")
        XCTAssertEqual(try line(NNError.badDataset(path: "d/12_0.jpg", reason: "label 12", wayOut: .countUnknownLabels)),
                       "d/12_0.jpg: bad dataset: label 12; --count-unknown-labels counts such images as wrong, as PyTorch's (prediction == label) would")
        XCTAssertEqual(try line(ReportError.locked(path: "o/results.jsonl")),
                       "o/results.jsonl: another run is writing this results file (it holds its lock); give another --out, or wait for it to finish")
        XCTAssertEqual(try line(ReportError.unwritable(path: "o/results.jsonl", reason: "a FIFO (named pipe), not a regular file", wayOut: .anotherOutput)),
                       "o/results.jsonl: cannot write: a FIFO (named pipe), not a regular file; give another --out")
    }

    func testInputSizesNameInputOrCropAndTheExportedSize() throws {
        let bare = NNError.unsupported(path: "m.pt", reason: "cannot run at 3x64x64", wayOut: .inputSize(exported: nil))
        XCTAssertEqual(try line(bare), "m.pt: unsupported: cannot run at 3x64x64; give --input with the size the model was built for")
        XCTAssertEqual(try line(FlaggedError(error: bare, sizeFlag: .crop)), "m.pt: unsupported: cannot run at 3x64x64; give --crop with the size the model was built for")
        let exported = NNError.unsupported(path: "m.pt2", reason: "r", wayOut: .inputSize(exported: [3, 32, 32]))
        XCTAssertEqual(try line(exported), "m.pt2: unsupported: r; give --input 3x32x32, or export at the size you need")
        XCTAssertEqual(try line(FlaggedError(error: exported, sizeFlag: .crop)), "m.pt2: unsupported: r; give --crop 32, or export at the size you need")
        XCTAssertEqual(try line(NNError.unsupported(path: "o.onnx", reason: "r", wayOut: .exportInputSize)),
                       "o.onnx: unsupported: r; give it (`shears prune … --input CxHxW`), or export from PyTorch at a fixed size")
    }

    func testTheBinaryPrintsTheFlagInOneLine() throws {
        let result = try CLI.run(["summary", CaseFolder.student, "--input", "3x224x224", "--memory-limit", "100K"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("Error: --input: ") && result.stderr.hasSuffix("(raise it with --memory-limit)\n"), result.stderr)
    }

    func testTheBinaryNamesTheArchFlagsForARefusedStateDict() throws {
        let forced = try CLI.run(["summary", Fixtures.path("statedicts/resnet50.pt"), "--arch", "resnet18"])
        XCTAssertEqual(forced.status, 1)
        XCTAssertTrue(forced.stderr.hasPrefix("Error: \(Fixtures.path("statedicts/resnet50.pt")): ") && forced.stderr.hasSuffix("; leave out --arch\n"), forced.stderr)
        let undetermined = try CLI.run(["summary", Fixtures.path("architectures/ta-student.pt"), "--input", "3x32x32"])
        XCTAssertEqual(undetermined.status, 1)
        XCTAssertEqual(undetermined.stderr.split(separator: "\n").count, 1, undetermined.stderr)
        XCTAssertTrue(undetermined.stderr.contains("fc.0 reads 100 features") && undetermined.stderr.contains("; give --arch-from model.txt (what print(model) writes), a torch.save(model) file"), undetermined.stderr)
    }

    /// A warning's way out is worded as flags too: a state dict read by its keys alone.
    func testTheBinaryWordsAWarningsWayOutAsFlags() throws {
        let result = try CLI.run(["summary", Fixtures.path("statedicts/resnet50.pt"), "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("warning: \(Fixtures.path("statedicts/resnet50.pt")): a state dict alone"), result.stderr)
        XCTAssertTrue(result.stderr.contains("if the model was built otherwise, give --arch-from model.txt (what print(model) writes)"), result.stderr)
        XCTAssertFalse(result.stderr.contains("ModelFile.read"), result.stderr)
    }

    func testOtherErrorsAreLeftToArgumentParser() {
        XCTAssertNil(commandLineMessage(for: CocoaError(.fileNoSuchFile)))
        XCTAssertEqual(commandLineMessage(for: NNError.malformed(path: "m.pt", reason: "r")), "m.pt: malformed: r")
    }
}
