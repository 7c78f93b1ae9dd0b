// LoadedModel: a model read from a file (ModelFile.read), with what reports need to know about
// that file: its path and size, the warnings of what the reader assumed, and the input size
// it was exported at. `inputSize` picks the size to run at, refusing one the graph cannot run
// at with the file, the size and the way out named.

import Foundation

/// A model read from a file, with what the reports need to know about that file.
public struct LoadedModel {
    public var model: Model
    public let path: String
    /// Size of the file on disk.
    public let fileBytes: Int
    /// What the loader guessed or substituted, one each naming the assumption (the CLI
    /// prints them on stderr as `warning:`, their ways out worded as flags).
    public let warnings: [LoadWarning]
    /// The per-sample input size `[C, H, W]` the file was exported at (a `.pt2` archive's
    /// example input); nil for files that do not record one.
    public let exportedInput: [Int]?
    /// Short label for tables ("teacher" for teacher.pt).
    public var label: String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }
}

extension LoadedModel {
    /// The per-sample input size to run at: `requested` (the user's `--input` or crop), else
    /// the size the file was exported at, else `fallback`. Where the graph cannot run at it
    /// (a classifier's width fixed by another size), the error names the file and the size,
    /// with `WayOut.inputSize` as the way out: the exported size where the file records one.
    public func inputSize(_ requested: [Int]?, fallback: [Int]) throws -> [Int] {
        let size = requested ?? exportedInput ?? fallback
        do {
            _ = try ShapeInference(model: model, input: size)
        } catch NNError.shapeMismatch(let node, let reason) {
            let text = WayOut.sizeText
            guard let exportedInput, exportedInput != size else {
                throw NNError.unsupported(path: path, reason: "cannot run at \(text(size)) (layer '\(node)': \(reason))", wayOut: .inputSize(exported: nil))
            }
            throw NNError.unsupported(path: path, reason: "its graph was exported at \(text(exportedInput)) and cannot run at \(text(size)) (layer '\(node)': \(reason))", wayOut: .inputSize(exported: exportedInput))
        } catch {
            // Budgets and limits: reported, naming their flag, where the size is first used.
        }
        return size
    }
}
