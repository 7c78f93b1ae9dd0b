// BadInputCase: one row of BadInputTableTests, and the folder each row gets to itself.

import Foundation
import TestSupport

/// A fresh folder for one bad input: the files the case writes, and where the CLI runs.
struct CaseFolder {
    let url: URL

    /// The bundled student (10 classes, 1x28x28 Fashion-MNIST JPEGs).
    static let student = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path
    /// A good 28x28 JPEG of class 0.
    static let goodImage = Fixtures.repositoryRoot.appendingPathComponent("examples/fashion/validation/0_0.jpg").path

    /// Writes `bytes` to `name` (sub-folders created) and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file.path
    }

    /// Copies the file at `path` to `name` and returns the copy's path.
    @discardableResult
    func copy(_ path: String, to name: String) throws -> String {
        try write(name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// An image folder `name` holding the good image as `0_0.jpg` and `extra` files beside it.
    func imageFolder(_ name: String = "images", extra: [String: [UInt8]] = [:]) throws -> String {
        try copy(Self.goodImage, to: "\(name)/0_0.jpg")
        for (file, bytes) in extra { try write("\(name)/\(file)", bytes) }
        return url.appendingPathComponent(name).path
    }

    /// `shears eval` of the student on `folder` at the bundled example's preprocessing.
    func eval(_ folder: String, _ more: [String] = []) -> [String] {
        ["eval", Self.student, "--data", folder, "--resize", "36", "--crop", "32"] + more
    }

    /// The file a hostile payload creates if it ever runs (`touch <marker>`); never made by Shears.
    var marker: String { url.appendingPathComponent("PWNED").path }

    /// A shell command that creates the marker: what hostile inputs try to get run.
    var payload: String { "touch \(marker)" }

    /// Every path under the folder, links not followed.
    func listing() -> Set<String> {
        let items = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)?.compactMap { ($0 as? URL)?.path } ?? []
        return Set(items)
    }
}

/// One bad input: how to make it, and what its one-line error must name.
struct BadInputCase {
    let name: String
    /// Words the error must contain (the file it is about, the problem), case-insensitively.
    let mentions: [String]
    /// Writes the case's files into the folder and returns the `shears` arguments.
    let arguments: (CaseFolder) throws -> [String]

    init(_ name: String, mentions: [String], arguments: @escaping (CaseFolder) throws -> [String]) {
        self.name = name
        self.mentions = mentions
        self.arguments = arguments
    }

    /// `shears quantize FILE -o out.pkl` on `bytes` written as `file`.
    static func checkpoint(_ name: String, file: String, mentions: [String], bytes: @escaping () -> [UInt8]) -> BadInputCase {
        BadInputCase(name, mentions: [file] + mentions) { folder in
            ["quantize", try folder.write(file, bytes()), "-o", "out.pkl"]
        }
    }
}
