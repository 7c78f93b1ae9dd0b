// NNErrorTests: a library error's way out is a WayOut value, worded for a program in its
// description (no CLI flag) and by the caller's words through `message(wording:)`.

import XCTest
@testable import NNCore

final class NNErrorTests: XCTestCase {
    static let all: [WayOut] = [.wholeModel(), .wholeModel(orArchitectures: ["student"]), .wholeModel(orArchitectures: ["resnet18", "student"]),
                                .unforcedArchitecture, .blobGraph, .raiseMemoryLimit, .countUnknownLabels, .anotherOutput,
                                .inputSize(exported: nil), .inputSize(exported: [3, 32, 32]), .exportInputSize]

    func testEveryWayOutIsWordedForAProgramWithoutAFlag() {
        for wayOut in Self.all {
            XCTAssertFalse(wayOut.description.isEmpty, "\(wayOut)")
            XCTAssertNil(wayOut.description.range(of: #"--[a-z]"#, options: .regularExpression), wayOut.description)
            XCTAssertFalse(wayOut.description.contains("shears "), wayOut.description)
        }
    }

    func testEachWayOutNamesWhatAProgramPasses() {
        XCTAssertTrue(WayOut.wholeModel().description.contains("moduleTreeText:") && WayOut.wholeModel().description.contains("torch.save(model)"))
        XCTAssertTrue(WayOut.wholeModel(orArchitectures: ["resnet18", "student"]).description.hasSuffix("or architecture: one of resnet18, student"))
        XCTAssertTrue(WayOut.wholeModel(orArchitectures: ["student"]).description.hasSuffix("or architecture: \"student\" if it is the catalog's student"))
        XCTAssertEqual(WayOut.unforcedArchitecture.description, "pass architecture: nil")
        XCTAssertTrue(WayOut.blobGraph.description.contains("moduleTreeText:"))
        XCTAssertEqual(WayOut.raiseMemoryLimit.description, "raise MemoryBudget.limit")
        XCTAssertTrue(WayOut.countUnknownLabels.description.hasPrefix("unknownLabels: .countAsWrong"))
        XCTAssertEqual(WayOut.anotherOutput.description, "give another path")
        XCTAssertEqual(WayOut.inputSize(exported: [3, 32, 32]).description, "pass 3x32x32, or export at the size you need")
        XCTAssertTrue(WayOut.exportInputSize.description.contains("input: [C, H, W]"))
    }

    func testTheErrorCarriesItsWayOutAndTheCallerWordsIt() {
        let refusal = NNError.unsupported(path: "m.pt", reason: "its keys are X's", wayOut: .wholeModel())
        XCTAssertEqual(refusal.wayOut, .wholeModel())
        XCTAssertEqual(refusal.description, "m.pt: unsupported: its keys are X's; \(WayOut.wholeModel())")
        XCTAssertEqual(refusal.message { _ in "give --flag" }, "m.pt: unsupported: its keys are X's; give --flag")
        let label = NNError.badDataset(path: "d/12_0.jpg", reason: "label 12", wayOut: .countUnknownLabels)
        XCTAssertEqual(label.message { _ in "w" }, "d/12_0.jpg: bad dataset: label 12; w")
        let catalog = NNError.unknownArchitecture("keys like a", wayOut: .unforcedArchitecture)
        XCTAssertEqual(catalog.message { _ in "w" }, "unknown architecture: keys like a; w")
        // Without a way out, the message is as before.
        XCTAssertEqual(NNError.unsupported(path: "m.pt", reason: "r").message { _ in "w" }, "m.pt: unsupported: r")
        XCTAssertNil(NNError.unsupported(path: "m.pt", reason: "r").wayOut)
    }

    func testOverBudgetAlwaysOffersARaisedLimit() {
        let error = NNError.overBudget(path: "w.bin", what: "tensor 'a'", bytes: 8192, limit: 4096)
        XCTAssertEqual(error.wayOut, .raiseMemoryLimit)
        XCTAssertEqual(error.description, "w.bin: tensor 'a' would need 8.0 KB, over the memory limit of 4.0 KB (raise MemoryBudget.limit)")
        XCTAssertEqual(error.message { _ in "w" }, "w.bin: tensor 'a' would need 8.0 KB, over the memory limit of 4.0 KB (w)")
    }

    func testTheCatalogsRefusalsCarryTheirWayOut() throws {
        var stateDict = StateDict()
        stateDict.setTensor("encoder.weight", Tensor(shape: [4, 3, 1, 1]))
        XCTAssertThrowsError(try ArchitectureCatalog.build(stateDict)) {
            XCTAssertEqual(($0 as? NNError)?.wayOut, .wholeModel(orArchitectures: ArchitectureCatalog.names))
            XCTAssertTrue("\($0)".contains("encoder.weight") && !"\($0)".contains("--"), "\($0)")
        }
    }
}
