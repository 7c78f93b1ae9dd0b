import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNVision

final class JPEGDecoderTests: XCTestCase {
    /// Every fixture JPEG (4:2:0, 4:2:2, 4:4:4, 4:4:0, progressive, L, CMYK, odd sizes) decodes
    /// to exactly PIL's `convert("RGB")` bytes.
    func testDecodesBitIdenticalToPIL() throws {
        let manifest = try ImageManifest.load()
        for entry in manifest.images {
            let (image, warnings) = try JPEGDecoder.decodeWithWarnings(file: ImageManifest.path(entry.file))
            XCTAssertEqual([image.width, image.height], [entry.width, entry.height], entry.file)
            XCTAssertEqual(warnings, 0, entry.file)
            if let rgb = entry.rgb {
                let expected = try Fixtures.bytes("images/" + rgb)
                let differing = zip(image.pixels, expected).filter { $0 != $1 }.count
                XCTAssertEqual(image.pixels.count, expected.count, entry.file)
                XCTAssertEqual(differing, 0, "\(entry.file) (\(entry.mode)): \(differing) bytes differ from PIL")
            } else {
                XCTAssertEqual(fnv1a64(image.pixels), entry.rgbFNV1a64, "\(entry.file): pixels differ from PIL")
            }
        }
        XCTAssertEqual(Set(manifest.images.map(\.mode)), ["RGB", "L", "CMYK"])
    }

    /// Corrupt entropy data: libjpeg warns, PIL ignores the warning and so do we, same pixels.
    func testCorruptEntropyDataDecodesAsPILDoes() throws {
        let corrupt = try ImageManifest.load().corrupt
        let (image, warnings) = try JPEGDecoder.decodeWithWarnings(file: ImageManifest.path(corrupt.file))
        XCTAssertGreaterThan(warnings, 0)
        XCTAssertEqual(image, RGBImage(width: corrupt.width, height: corrupt.height,
                                       pixels: try Fixtures.bytes("images/" + corrupt.rgb)))
    }

    /// Truncated, empty and non-JPEG files fail with a message naming the file; PIL fails on all
    /// but the PNG (which PIL reads and Shears does not).
    func testBadFilesNameTheFile() throws {
        let expectedReasons = [
            "bad_truncated.jpg": "image file is truncated", "bad_missing_eoi.jpg": "image file is truncated",
            "bad_empty.jpg": "not a JPEG image (empty file)", "bad_text.jpg": "not a JPEG image (starts with 74 68 69 73)",
            "bad_png.jpg": "not a JPEG image (PNG data",
        ]
        let manifest = try ImageManifest.load()
        XCTAssertEqual(Set(manifest.bad.map(\.file)), Set(expectedReasons.keys))
        for bad in manifest.bad {
            let path = ImageManifest.path(bad.file)
            XCTAssertEqual(bad.pil == "ok", bad.file == "bad_png.jpg", "PIL on \(bad.file): \(bad.pil)")
            XCTAssertThrowsError(try JPEGDecoder.decode(file: path), bad.file) { error in
                guard case NNError.badImage(let errorPath, let reason) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(errorPath, path)
                XCTAssertTrue(reason.hasPrefix(expectedReasons[bad.file]!), "\(bad.file): \(reason)")
                XCTAssertTrue("\(error)".hasPrefix(path + ": bad image: "), "\(error)")
            }
        }
    }

    func testMissingFileAndDirectoryAreIOErrors() throws {
        let directory = try Fixtures.temporaryDirectory(for: self).path
        let missing = directory + "/missing.jpg"
        XCTAssertThrowsError(try JPEGDecoder.decode(file: missing)) {
            XCTAssertEqual($0 as? NNError, .io(path: missing, reason: "cannot read: No such file or directory"))
        }
        XCTAssertThrowsError(try JPEGDecoder.decode(file: directory)) {
            XCTAssertEqual($0 as? NNError, .io(path: directory, reason: "cannot read: a folder, not a regular file"))
        }
    }

    /// A FIFO named like an image is refused at once (reading it would wait for a writer forever).
    func testFIFOIsRefusedWithoutWaiting() throws {
        let fifo = try Fixtures.temporaryDirectory(for: self).path + "/0_1.jpg"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try JPEGDecoder.decode(file: fifo)) {
            XCTAssertEqual($0 as? NNError, .io(path: fifo, reason: "cannot read: a FIFO (named pipe), not a regular file"))
        }
    }

    /// A header claiming more pixels than PIL's decompression-bomb limit is refused before decoding.
    func testRefusesAbsurdDimensions() throws {
        var bytes = try Fixtures.bytes("images/rgb420_40x52.jpg")
        let sof = try XCTUnwrap((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        for i in [5, 7] { (bytes[sof + i], bytes[sof + i + 1]) = (0xEA, 0x60) }  // height and width 60000
        XCTAssertThrowsError(try JPEGDecoder.decode(bytes, path: "huge.jpg")) { error in
            guard case NNError.badImage("huge.jpg", let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("exceeds the limit of 178956970 pixels"), reason)
        }
    }

    /// An image whose decoded pixels would not fit the memory budget is refused before libjpeg
    /// allocates, naming the file, its size and the limit.
    func testRefusesAnImageOverTheMemoryBudget() throws {
        let bytes = try Fixtures.bytes("images/rgb420_40x52.jpg")
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 40 * 52 * 7 - 1
        XCTAssertThrowsError(try JPEGDecoder.decode(bytes, path: "big.jpg")) { error in
            guard case NNError.overBudget("big.jpg", let what, 40 * 52 * 7, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(what.contains("40x52"), what)
        }
        MemoryBudget.limit = 40 * 52 * 7
        XCTAssertEqual(try JPEGDecoder.decode(bytes, path: "big.jpg").width, 40)
    }

    /// libjpeg's warnings and errors never reach stderr.
    func testPrintsNothingToStandardError() throws {
        let capture = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("stderr.txt").path
        let files = try ImageManifest.load().bad.map(\.file) + ["corrupt_entropy.jpg"]
        fflush(stderr)
        let saved = dup(2)
        let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        dup2(fd, 2)
        for file in files { _ = try? JPEGDecoder.decode(file: ImageManifest.path(file)) }
        fflush(stderr)
        dup2(saved, 2)
        close(fd)
        close(saved)
        XCTAssertEqual(try String(contentsOfFile: capture, encoding: .utf8), "")
    }
}
