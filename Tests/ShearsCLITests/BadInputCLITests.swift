// BadInputCLITests: the CLI's options, data folders and printed names under hostile input
// (`BadInputCases+CLI.swift`), and the runs that go on past a bad file or with hostile names,
// whose every printed line must stay one line free of control characters.

import Foundation
import XCTest
import ShearsKit
import TestSupport

final class BadInputCLITests: XCTestCase {
    func testBadOptionsAreRefused() throws {
        try assertRefused(BadInputCase.badInputShapes + BadInputCase.badRatios + BadInputCase.badCounts + BadInputCase.badMemoryLimits)
    }

    func testBadPreprocessingIsRefusedBeforeDecoding() throws {
        try assertRefused(BadInputCase.badPreprocessing)
    }

    func testFilesThatAreNotRegularAndLoopingFoldersAreRefused() throws {
        try assertRefused(BadInputCase.notRegularFiles + BadInputCase.loopingFolders)
    }

    func testHostileNamesAreEscapedInTheError() throws {
        try assertRefused(BadInputCase.hostileNames)
    }

    /// With --skip-bad, a FIFO and a hostile-named bad file are skipped in one escaped line each,
    /// and eval goes on; nothing waits on the FIFO.
    func testSkipBadListsAFIFOAndAHostileNameEscaped() throws {
        let folder = CaseFolder(url: try Fixtures.temporaryDirectory(for: self))
        let images = try folder.imageFolder(extra: ["0_2\n\u{1B}[31m.jpg": Array("not a jpeg".utf8)])
        try BadInputCase.makeFIFO("\(images)/0_1.jpg")
        let result = try CLI.run(folder.eval(images, ["--skip-bad"]), in: folder.url, limits: .badInput)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, result.stderr)
        XCTAssertTrue(lines[0].hasPrefix("skipped: ") && lines[0].contains("0_1.jpg") && lines[0].contains("FIFO"), result.stderr)
        XCTAssertTrue(lines[1].contains("0_2\\n\\u{1B}[31m.jpg"), result.stderr)
        assertPrintable(result.stderr)
        XCTAssertTrue(result.stdout.contains("on 1 images"), result.stdout)
    }

    /// Layer names from a file (here an ONNX graph whose conv is named with a newline and ANSI
    /// codes) print escaped in summary's and prune's tables; --json stays valid JSON.
    func testHostileLayerNamesPrintEscaped() throws {
        let folder = try Fixtures.temporaryDirectory(for: self)
        let name = "conv\n\u{1B}[2J\u{202E}"
        var stateDict = StateDict()
        stateDict.setTensor("\(name).weight", Tensor(shape: [4, 3, 3, 3], scalars: (0..<108).map { Float($0 % 7) - 3 }))
        var graph = GraphBuilder()
        graph.add(name, .conv2d(Conv2dAttributes(stride: Size2(1), padding: Size2(1))), graph.input)
        let path = folder.appendingPathComponent("hostile.onnx").path
        try ModelFile.write(Model(architecture: "custom", graph: graph.graph, stateDict: stateDict), to: path)

        let escaped = "conv\\n\\u{1B}[2J\\u{202E}"
        for arguments in [["summary", path, "--input", "3x8x8"], ["prune", path, "--amount", "0.5"]] {
            let result = try CLI.run(arguments, limits: .badInput)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains(escaped), result.stdout)
            assertPrintable(result.stdout + result.stderr)
        }
        let json = try CLI.run(["summary", path, "--input", "3x8x8", "--json"], limits: .badInput)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let layers = try XCTUnwrap(object["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.first?["name"] as? String, name)
    }

    /// predict's CSV: an Id with a comma or quote is quoted (quotes doubled), control characters escaped.
    func testPredictCSVQuotesAndEscapesIds() throws {
        let folder = CaseFolder(url: try Fixtures.temporaryDirectory(for: self))
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CaseFolder.goodImage)))
        let images = try folder.imageFolder(extra: ["1_a,\"b\".jpg": good, "2_c\n\u{1B}[1m.jpg": good])
        let result = try CLI.run(["predict", CaseFolder.student, "--data", images, "--resize", "36", "--crop", "32"], limits: .badInput)
        XCTAssertEqual(result.status, 0, result.stderr)
        let ids = result.stdout.split(separator: "\n").dropFirst().map { row in String(row[..<row.lastIndex(of: ",")!]) }
        XCTAssertEqual(ids, ["0_0", "\"1_a,\"\"b\"\"\"", "2_c\\n\\u{1B}[1m"])
        assertPrintable(result.stdout)
    }

    /// No control character but the line breaks.
    private func assertPrintable(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E },
                       "a control character in: \(text)", file: file, line: line)
    }
}
