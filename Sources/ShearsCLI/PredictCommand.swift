// `shears predict`: predicted class of every image in a folder (labelled or not), written as
// the homework's submission CSV, `Id,Category`, with Id the file name without extension
// (quoted as CSV requires, control characters escaped).

import ArgumentParser
import Foundation
import ShearsKit

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict classes for an image folder and write an Id,Category CSV.",
        discussion: """
        Example (food-11's unlabelled evaluation split):
          shears predict model.pt --data food-11 --split evaluation -o submission.csv
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint or Shears .pkl blob.", valueName: "checkpoint"))
    var checkpoint: String

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("CSV file to write (stdout when omitted).", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Add each image's logits as columns logit_0, logit_1, … (for checking against PyTorch).")
    var logits = false

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws { _ = try dataOptions.requireData() }

    func run() throws {
        if let output { try AtomicFile.requireWritable(output) }
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: try? dataOptions.preprocessing().crop)
        let images = try dataOptions.decodeImages(for: loaded)
        let result = try Evaluator.evaluate(loaded.model, on: images, batch: dataOptions.batch, unknownLabels: .countAsWrong, keepLogits: logits)
        let width = result.logits?.shape[1] ?? 0
        var csv = "Id,Category" + (0..<width).map { ",logit_\($0)" }.joined() + "\n"
        for (i, (sample, prediction)) in zip(images.samples, result.predictions).enumerated() {
            let id = ((sample.path as NSString).lastPathComponent as NSString).deletingPathExtension
            let values = result.logits.map { t in t.scalars[(i * width)..<((i + 1) * width)].map { ",\($0)" }.joined() } ?? ""
            csv += "\(Self.csvField(id)),\(prediction)\(values)\n"
        }
        if let output {
            try AtomicFile.write(csv, to: output)
            printError("wrote \(result.predictions.count) predictions to \(output)")
        } else {
            print(csv, terminator: "")
        }
    }

    /// `text` as one RFC 4180 CSV field: control characters escaped (a file name's newline or
    /// ANSI codes can neither break a row nor reach a terminal), then quoted, with `"` doubled,
    /// when it holds a comma or a quote.
    static func csvField(_ text: String) -> String {
        let printable = text.escapingControlCharacters
        guard printable.contains(",") || printable.contains("\"") else { return printable }
        return "\"" + printable.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
