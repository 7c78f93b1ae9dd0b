import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO

final class ModuleTreeTextTests: XCTestCase {
    func testTheFixtureTextsParseWithCarriageReturnsToo() throws {
        let path = Fixtures.path("architectures/leaky-bias.txt")
        let tree = try ModuleTreeText.load(path: path)
        XCTAssertEqual(tree.className, "LeakyNet")
        XCTAssertEqual(tree.children.count, 13)
        XCTAssertEqual(tree.child("conv3")?.attributes["dilation"], .tuple([.int(2), .int(2)]))
        XCTAssertEqual(tree.child("drop")?.attributes["p"], .float(0.2))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(try ModuleTreeText.parse(text.replacingOccurrences(of: "\n", with: "\r\n"), path: "crlf.txt"), tree)
    }

    /// print(model) of every torchvision classifier (scripts/fixtures/tree_blocks.py; runs of
    /// equal blocks shortened): bare words, positional tuples, names with '-', empty argument lists.
    func testEveryTorchvisionPrintParses() throws {
        let names = ["alexnet", "convnext_tiny", "densenet121", "efficientnet_b0", "efficientnet_v2_s", "googlenet", "mnasnet0_5", "mobilenet_v2",
                     "mobilenet_v3_small", "regnet_y_400mf", "resnet50", "resnext50_32x4d", "shufflenet_v2_x1_0", "squeezenet1_0", "vgg11_bn"]
        var trees: [String: ModuleTree] = [:]
        for name in names { trees[name] = try ModuleTreeText.load(path: Fixtures.path("treeblocks/prints/\(name).txt")) }
        let convNeXt = try XCTUnwrap(trees["convnext_tiny"])
        XCTAssertEqual(convNeXt.child("features")?.child("0")?.child("1")?.attributes["normalized_shape"], .tuple([.int(96)]))
        let block = try XCTUnwrap(convNeXt.child("features")?.child("1")?.child("0"))
        XCTAssertEqual(block.child("stochastic_depth")?.attributes["mode"], .string("row"))
        XCTAssertEqual(block.child("block")?.child("1")?.className, "Permute")
        XCTAssertEqual(block.child("block")?.child("2")?.attributes["normalized_shape"], .tuple([.int(96)]))
        XCTAssertEqual(trees["regnet_y_400mf"]?.child("trunk_output")?.child("block1")?.children.first?.name, "block1-0")
    }

    func testCollapsedRunsAreRefusedNamingTheWayOut() {
        XCTAssertThrowsError(try ModuleTreeText.parse("Net(\n  (layers): ModuleList(\n    (0-2): 3 x Conv2d(3, 3, kernel_size=(1, 1), stride=(1, 1))\n  )\n)", path: "m.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("m.txt: malformed: line 3: a collapsed run of 3 equal modules ('0-2')") && "\($0)".contains("model.pt2"), "\($0)")
        }
    }

    func testValuesOfEveryKind() throws {
        let tree = try ModuleTreeText.parse("Net(\n  (a): Foo(k=(1, (2, -3),), s='x, (y)', t=\"q\", n=None, b=True, f=1e-05, e=(), w=row, i=-inf)\n)", path: "m.txt")
        XCTAssertEqual(tree.child("a")?.attributes, [
            "k": .tuple([.int(1), .tuple([.int(2), .int(-3)])]), "s": .string("x, (y)"), "t": .string("q"),
            "n": .null, "b": .bool(true), "f": .float(1e-5), "e": .tuple([]), "w": .string("row"), "i": .float(-.infinity),
        ])
    }

    func testNestingIsBoundedNamingTheLine() {
        let deepModules = "Net(\n" + String(repeating: "(s): Sequential(\n", count: 100_000) + String(repeating: ")\n", count: 100_001)
        let deepTuple = "Net(\n  (a): Conv2d(3, 4, kernel_size=" + String(repeating: "(", count: 30_000) + "1" + String(repeating: ")", count: 30_000) + ")\n)"
        let justPast = "Net(\n" + String(repeating: "(s): Sequential(\n", count: 199) + "(r): ReLU()\n" + String(repeating: ")\n", count: 200)
        let cases = [(deepModules, "line 201: modules nested more than 200 deep"), (deepTuple, "line 2: values nested more than 200 deep"),
                     (justPast, "line 201: modules nested more than 200 deep")]
        for (text, message) in cases {
            XCTAssertThrowsError(try ModuleTreeText.parse(text, path: "m.txt")) { error in
                XCTAssertTrue("\(error)".hasPrefix("m.txt: malformed: \(message)"), String("\(error)".prefix(300)))
            }
        }
        // 200 levels: the text and the importer agree on the limit.
        let atTheLimit = "Net(\n" + String(repeating: "(s): Sequential(\n", count: 198) + "(r): ReLU()\n" + String(repeating: ")\n", count: 199)
        XCTAssertNoThrow(try ModuleTreeImporter.model(try ModuleTreeText.parse(atTheLimit, path: "m.txt"), stateDict: StateDict(), source: "m.txt"))
    }

    func testLongLinesAndManyLinesTakeLinearTime() throws {
        let items = 1_000_000
        let wide = "Net(\n  (a): Foo(k=(" + String(repeating: "1, ", count: items) + "))\n)"
        let many = "Net(\n" + String(repeating: "  (r): ReLU(inplace=True)\n", count: 200_000) + ")"
        let start = Date()
        guard case .tuple(let values)? = try ModuleTreeText.parse(wide, path: "m.txt").child("a")?.attributes["k"] else { return XCTFail("no tuple") }
        XCTAssertEqual(values.count, items)
        XCTAssertEqual(try ModuleTreeText.parse(many, path: "m.txt").children.count, 200_000)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testOnlyRegularFilesAreRead() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let fifo = directory.appendingPathComponent("model.txt").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try ModuleTreeText.load(path: fifo)) { XCTAssertEqual("\($0)", "\(fifo): cannot read: a FIFO (named pipe), not a regular file") }
        XCTAssertThrowsError(try ModuleTreeText.load(path: directory.path)) { XCTAssertTrue("\($0)".hasSuffix("a folder, not a regular file"), "\($0)") }
        let latin1 = directory.appendingPathComponent("latin1.txt")
        try Data([0x4E, 0x65, 0x74, 0x28, 0xE9, 0x0A, 0x29]).write(to: latin1)
        XCTAssertThrowsError(try ModuleTreeText.load(path: latin1.path)) { XCTAssertEqual("\($0)", "\(latin1.path): malformed: not UTF-8 text") }
    }
}
