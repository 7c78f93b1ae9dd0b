// Evaluator: runs a model over decoded images and tallies top-1 results. One compiled
// Executor per call, batches normalised on demand from the cached uint8 crops, so
// evaluating many variants of a model decodes the images only once.

import Foundation
import NNCore
import NNEngine
import NNVision

/// The outcome of evaluating a model on a set of images.
public struct EvaluationResult: Sendable {
    /// Accuracy, per-class accuracy and confusion over the labelled images.
    public let classification: Classification
    /// Predicted class per image, in dataset order (labelled or not).
    public let predictions: [Int]
    /// Logits per image `[N, classes]`, when asked for (`keepLogits`).
    public let logits: Tensor?
    /// Wall-clock seconds of inference (normalisation included, decoding excluded).
    public let seconds: Double

    /// Images per second of inference.
    public var imagesPerSecond: Double { seconds > 0 ? Double(predictions.count) / seconds : 0 }
}

/// Top-1 evaluation of a model on `DecodedImages`.
public enum Evaluator {
    /// What to do with images whose label the model cannot predict (at or beyond its output width).
    public enum UnknownLabels: Sendable {
        /// Refuse them before anything runs: it is usually the wrong model or the wrong folder.
        case refuse
        /// Count them as wrong, as PyTorch's `(logits.argmax(1) == labels).sum()` does.
        case countAsWrong
    }

    /// Runs `model` over every image in batches of `batch`.
    ///
    /// - Parameters:
    ///   - classCount: rows of the confusion matrix; defaults to the model's output width.
    ///   - unknownLabels: labels beyond the model's classes are refused (the default) or counted wrong.
    ///   - keepLogits: also return every image's logits.
    ///   - progress: called after each batch with the number of images done.
    public static func evaluate(_ model: Model, on images: DecodedImages, batch: Int = 64, classCount: Int? = nil,
                                unknownLabels: UnknownLabels = .refuse, keepLogits: Bool = false,
                                progress: ((Int) -> Void)? = nil) throws -> EvaluationResult {
        let input = [3, images.preprocessing.crop, images.preprocessing.crop]
        let executor = try Executor(model: model, input: input, maxBatch: max(1, min(batch, images.count)))
        let width = executor.outputShape.reduce(1, *)
        if unknownLabels == .refuse, let stray = images.samples.first(where: { ($0.label ?? 0) >= width }), let label = stray.label {
            throw NNError.badDataset(path: stray.path, reason: "label \(label), but the model has \(width) classes (labels 0-\(width - 1))", wayOut: .countUnknownLabels)
        }
        var tally = Classification(classCount: classCount ?? width)
        var predictions: [Int] = []
        var logits: [Float] = []
        predictions.reserveCapacity(images.count)
        let start = Date()
        for chunk in try images.batches(size: executor.maxBatch) {
            let output = try executor.run(chunk.images)
            if keepLogits { logits += output.scalars }
            let predicted = argmaxRows(output)
            for (label, prediction) in zip(chunk.labels, predicted) {
                if let label { tally.record(label: label, prediction: prediction) }
            }
            predictions += predicted
            progress?(predictions.count)
        }
        return EvaluationResult(classification: tally, predictions: predictions,
                                logits: keepLogits ? Tensor(shape: [predictions.count, width], scalars: logits) : nil,
                                seconds: Date().timeIntervalSince(start))
    }
}
