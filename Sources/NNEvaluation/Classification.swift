// Classification: top-1 metrics from predicted and true labels: accuracy, per-class
// accuracy and the confusion matrix. Pure bookkeeping; running the model is the Evaluator's job.

import NNCore

/// Top-1 classification results over a set of labelled images.
public struct Classification: Equatable, Sendable {
    /// Number of classes (rows and columns of `confusion`).
    public let classCount: Int
    /// `confusion[truth][prediction]`: how many images of class `truth` were predicted as `prediction`.  [K, K]
    public private(set) var confusion: [[Int]]
    /// Labelled images counted.
    public private(set) var images = 0
    /// Images whose prediction equals their label.
    public private(set) var correct = 0

    /// An empty tally for `classCount` classes.
    public init(classCount: Int) {
        self.classCount = classCount
        self.confusion = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
    }

    /// Counts one image; labels or predictions outside `0..<classCount` count as wrong
    /// and are left out of the confusion matrix.
    public mutating func record(label: Int, prediction: Int) {
        images += 1
        if label == prediction { correct += 1 }
        if (0..<classCount).contains(label) && (0..<classCount).contains(prediction) {
            confusion[label][prediction] += 1
        }
    }

    /// `correct / images` (0 when empty).
    public var accuracy: Double { images == 0 ? 0 : Double(correct) / Double(images) }

    /// Per class `confusion[c][c] / Σ_p confusion[c][p]`; nil for a class with no images.
    public var perClassAccuracy: [Double?] {
        confusion.enumerated().map { c, row in
            let total = row.reduce(0, +)
            return total == 0 ? nil : Double(row[c]) / Double(total)
        }
    }
}
