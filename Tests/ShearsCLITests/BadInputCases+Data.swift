// Bad image folders: hostile or broken JPEGs, links that loop, labels the model cannot
// predict, and folders that are not there.

import Foundation
import TestSupport

extension BadInputCase {
    /// One bad file beside a good image, evaluated with the student.
    static let badImages: [BadInputCase] = [
        image("a JPEG header declaring 60000x60000 pixels", "0_1.jpg", mentions: ["pixels"]) {
            HostileFiles.declaringSize(width: 60000, height: 60000, in: try goodImage())
        },
        BadInputCase("an image over --max-pixels", mentions: ["0_0.jpg", "pixels"]) { folder in
            folder.eval(try folder.imageFolder(), ["--max-pixels", "100"])
        },
        image("a PNG named .jpg", "0_1.jpg", mentions: []) { try Fixtures.bytes("images/bad_png.jpg") },
        image("a text file named .jpg", "0_1.jpg", mentions: []) { try Fixtures.bytes("images/bad_text.jpg") },
        image("an empty .jpg", "0_1.jpg", mentions: []) { [] },
        image("a JPEG cut short", "0_1.jpg", mentions: []) { try Fixtures.bytes("images/bad_truncated.jpg") },
    ]

    /// Folders whose listing is the problem.
    static let badFolders: [BadInputCase] = [
        BadInputCase("a folder that is only a symlink loop", mentions: ["images"]) { folder in
            let images = folder.url.appendingPathComponent("images")
            try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: images.appendingPathComponent("again").path, withDestinationPath: images.path)
            return folder.eval(images.path)
        },
        BadInputCase("an image that links to itself", mentions: ["0_1.jpg", "too many levels of symbolic links"]) { folder in
            let images = try folder.imageFolder()
            try FileManager.default.createSymbolicLink(atPath: "\(images)/0_1.jpg", withDestinationPath: "\(images)/0_1.jpg")
            return folder.eval(images)
        },
        BadInputCase("a label beyond the model's 10 classes", mentions: ["12_0.jpg", "label 12", "--count-unknown-labels"]) { folder in
            folder.eval(try folder.imageFolder(extra: ["12_0.jpg": try goodImage()]))
        },
        BadInputCase("a data folder that does not exist", mentions: ["nowhere"]) { folder in folder.eval("nowhere") },
        BadInputCase("an empty data folder", mentions: ["empty"]) { folder in
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("empty"), withIntermediateDirectories: true)
            return folder.eval("empty")
        },
        BadInputCase("a split that is not there", mentions: ["training"]) { folder in
            _ = try folder.imageFolder("food/validation")
            return folder.eval(folder.url.appendingPathComponent("food").path, ["--split", "training"])
        },
    ]

    private static func goodImage() throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: CaseFolder.goodImage))) }

    /// `eval` of a folder holding the good image and `file` with `bytes`; the error names `file`.
    private static func image(_ name: String, _ file: String, mentions: [String], _ bytes: @escaping () throws -> [UInt8]) -> BadInputCase {
        BadInputCase(name, mentions: [file] + mentions) { folder in
            folder.eval(try folder.imageFolder(extra: [file: try bytes()]))
        }
    }
}
