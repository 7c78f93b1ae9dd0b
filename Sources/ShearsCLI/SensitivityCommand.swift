// `shears sensitivity`: Distiller-style sensitivity analysis: every selected layer pruned
// alone at every ratio, the rest left dense, with the accuracy of each point appended to
// OUT/results.jsonl (resumable like sweep).

import ArgumentParser
import Foundation
import ShearsKit

struct SensitivityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivity",
        abstract: "Prune each layer alone at each ratio and record the accuracy.",
        discussion: """
        Example:
          shears sensitivity examples/models/student.pt --data examples/fashion \\
              --resize 36 --crop 32 --ratios 0.2,0.5,0.8 --out out/sensitivity
          shears report out/sensitivity/results.jsonl -o plots
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint to analyse.", valueName: "checkpoint"))
    var checkpoint: String

    @Option(name: .long, help: ArgumentHelp("Pruning method per layer: l1, random or ln.", valueName: "name"))
    var method: PruningMethod = .l1

    @Option(name: .long, help: ArgumentHelp("Ratios: a list or start:stop:step.", valueName: "ratios"))
    var ratios: String = "0.1:0.9:0.2"

    @Option(name: .long, help: ArgumentHelp("Output folder for results.jsonl.", valueName: "dir"))
    var out: String = "shears-sensitivity"

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var pruneOptions: PruneOptions

    @Flag(name: .long, help: "Also print every record as a JSON line on stdout.")
    var json = false

    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var pointOptions: PointOptions

    func validate() throws {
        try requireFolderName(out, flag: "--out")
        _ = try dataOptions.requireData()
        guard Sensitivity.analyses(method) else { throw ValidationError("--method must be l1, random or ln") }
        _ = try parseRatios(ratios, name: "--ratios", limit: pointOptions)
    }

    func run() throws {
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: try? dataOptions.preprocessing().crop)
        let ratios = try parseRatios(self.ratios, name: "--ratios", limit: pointOptions)
        let analysis = Sensitivity(method: method, ratios: ratios, settings: pruneOptions.settings)
        let layers = try analysis.layers(of: loaded.model)
        try pointOptions.check(Double(layers.count) * Double(ratios.count), of: "\(layers.count) layers × --ratios")
        let images = try dataOptions.decodeImages(for: loaded)
        try ResultsFolder.withWriter(in: out) { writer in
            let point = SweepPoint(model: loaded.label, images: images, batch: dataOptions.batch,
                                   timingIterations: 0, writer: writer, unknownLabels: dataOptions.unknownLabels)
            try analysis.run(loaded, point: point) { record in try PointProgress.report(record, json: json) }
        }
    }
}
