import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNVision

final class ImageDatasetTests: XCTestCase {
    let datasets = Fixtures.path("images/datasets")

    /// Relative paths and labels, as the manifest records them.
    private func listing(_ dataset: ImageDataset) -> [String] {
        dataset.samples.map { String($0.path.dropFirst(datasets.count + 1)) + " " + ($0.label.map(String.init) ?? "nil") }
    }

    private func expected(_ key: String, _ manifest: ImageManifest) -> [String] {
        manifest.datasets.listings[key]!.map { $0.path + " " + ($0.label.map(String.init) ?? "nil") }
    }

    /// food-11 flat layout: the homework's `sorted(os.listdir)` order and `int(name.split("_")[0])` labels.
    func testFlatLayoutMatchesTheHomeworkListing() throws {
        let manifest = try ImageManifest.load()
        for split in ImageDataset.splitNames {
            let dataset = try ImageDataset(root: datasets + "/food11", split: split)
            XCTAssertEqual(dataset.layout, .flat)
            XCTAssertEqual(dataset.directory, datasets + "/food11/" + split)
            XCTAssertEqual(listing(dataset), expected("food11/\(split)", manifest), split)
        }
        let training = try ImageDataset(root: datasets + "/food11", split: "training")
        XCTAssertEqual(training.classNames.count, 11)
        XCTAssertEqual(training.classNames.last, "10")
        XCTAssertEqual(try ImageDataset(root: datasets + "/food11", split: "evaluation").classNames.count, 0)
        // The split folder itself, given as the root.
        XCTAssertEqual(listing(try ImageDataset(root: datasets + "/food11/validation")), expected("food11/validation", manifest))
    }

    /// torchvision ImageFolder: classes sorted by code point, nested folders in `sorted(os.walk)` order.
    func testImageFolderMatchesTorchvision() throws {
        let manifest = try ImageManifest.load()
        let dataset = try ImageDataset(root: datasets + "/folder", split: "validation")  // no such split: the root itself
        XCTAssertEqual(dataset.layout, .imageFolder)
        XCTAssertEqual(dataset.classNames, manifest.datasets.classes["folder"])
        XCTAssertEqual(listing(dataset), expected("folder", manifest))
    }

    func testSplitErrors() throws {
        let root = datasets + "/food11"
        XCTAssertThrowsError(try ImageDataset(root: root, split: "test")) {
            XCTAssertEqual("\($0)", "\(root): bad dataset: has no split folder 'test' (found: evaluation, training, validation)")
        }
        XCTAssertThrowsError(try ImageDataset(root: root)) { XCTAssertTrue("\($0)".contains("holds split folders; choose one")) }
        XCTAssertThrowsError(try ImageDataset(root: datasets + "/missing")) {
            XCTAssertEqual($0 as? NNError, .badDataset(path: datasets + "/missing", reason: "no such folder"))
        }
    }

    func testEmptyFolderAndEmptyClassAreErrors() throws {
        let root = try Fixtures.temporaryDirectory(for: self)
        XCTAssertThrowsError(try ImageDataset(root: root.path)) { XCTAssertTrue("\($0)".contains("no images")) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try ImageDataset(root: root.path)) { XCTAssertTrue("\($0)".contains("class folder 'a' holds no images")) }
    }

    func testFlatLabels() {
        XCTAssertEqual(ImageDataset.flatLabel("10_2.jpg"), 10)
        XCTAssertEqual(ImageDataset.flatLabel("007_x_y.jpg"), 7)
        XCTAssertNil(ImageDataset.flatLabel("0001.jpg"))
        XCTAssertNil(ImageDataset.flatLabel("_1.jpg"))
        XCTAssertNil(ImageDataset.flatLabel("x_1.jpg"))
        XCTAssertNil(ImageDataset.flatLabel("-1_1.jpg"))
    }

    /// Python compares code points; Swift's `<` on String does not always.
    func testPythonOrdering() {
        XCTAssertTrue(pythonLess("Zebra", "cat"))
        XCTAssertTrue(pythonLess("10_2.jpg", "1_0.jpg"))
        XCTAssertTrue(pythonLess("a/b", "a/b-c"))
        XCTAssertTrue(pythonLess("a/b-c", "a/b/d"))
        XCTAssertTrue(pythonLess("e\u{301}", "\u{e9}"))  // decomposed é (U+0065...) before precomposed (U+00E9)
        XCTAssertFalse(pythonLess("a", "a"))
    }
}
