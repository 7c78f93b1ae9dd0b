// `shears crossover`: per layer kind, the weight density below which the sparse kernel
// beats the dense one on this machine, measured by ShearsKit's Crossover (one seeded sparse
// conv per layer and density, timed dense and sparse in alternation); the command parses and prints.

import ArgumentParser
import Foundation
import ShearsKit

struct CrossoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossover",
        abstract: "Measure where sparse kernels beat dense ones, per layer kind.",
        discussion: """
        The layers are ResNet18's and the student's: stride-1 3x3 convs at 56x56 (64 channels), \
        14x14 (256) and 7x7 (512), dense on Winograd F(4x4, 3x3), and the 7x7 stride-2 stem, \
        dense on Winograd F(4x4, 4x4) over its stride phases; a stride-2 3x3 conv, dense on the \
        direct kernel; a 1x1 conv at 28x28 (128 to 256). Each \
        is timed dense and sparse at every density; a layer's crossover is the highest density \
        at which the sparse kernel was faster, and a kind's is the lowest of its layers'. \
        Shears' switch points: \(SparseCrossover.Kind.allCases.map { "\($0.rawValue) \(SparseCrossover.density($0))" }.joined(separator: ", ")).

        Example:
          shears crossover --batch 8 --json
        """
    )

    @Option(name: .long, help: ArgumentHelp("Weight densities (fractions of nonzeros) to time.", valueName: "list"))
    var densities: String = "0.05,0.1,0.2,0.3,0.4,0.5,0.7"

    @Option(name: .long, help: ArgumentHelp("Batch size (at most \(CrossoverCommand.maximumBatch)).", valueName: "n"))
    var batch: Int = 8

    @Option(name: .long, help: ArgumentHelp("Timed runs per kernel and density (at most \(BenchCommand.maximumRuns)).", valueName: "n"))
    var iterations: Int = 10

    @Flag(name: .long, help: "Print one JSON object per layer kind.")
    var json = false

    @OptionGroup var pointOptions: PointOptions

    /// The largest batch: 256 of the largest layer's 64x56x56 inputs are 200 MB.
    static let maximumBatch = 256

    func validate() throws {
        guard try parseRatios(densities, name: "--densities", limit: pointOptions).allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw ValidationError("--densities are fractions in (0, 1]")
        }
        guard (1...Self.maximumBatch).contains(batch), (1...BenchCommand.maximumRuns).contains(iterations) else {
            throw ValidationError("--batch must be between 1 and \(Self.maximumBatch) and --iterations between 1 and \(BenchCommand.maximumRuns)")
        }
    }

    func run() throws {
        let crossover = Crossover(densities: try parseRatios(densities, name: "--densities", limit: pointOptions),
                                  batch: batch, iterations: iterations)
        var rows = [["layer", "kind", "density", "dense ms", "sparse ms", "sparse speed-up"]]
        let result = try crossover.run { measured in
            let layer = measured.layer
            for point in measured.points {
                rows.append([layer.name, layer.kind.rawValue, String(format: "%.2f", point.density), String(format: "%.3f", point.denseMilliseconds),
                             String(format: "%.3f", point.sparseMilliseconds), String(format: "%.2fx", point.sparseSpeedup)])
            }
            if json {
                let points = measured.points.map { ["density": $0.density, "dense_ms": $0.denseMilliseconds, "sparse_ms": $0.sparseMilliseconds] }
                try printJSON(["layer": layer.name, "kind": layer.kind.rawValue, "batch": batch, "crossover_density": measured.crossover,
                               "points": points])
            }
            rows.append([layer.name, layer.kind.rawValue, "crossover", "", "", String(format: "%.2f", measured.crossover)])
        }
        for kind in result.kinds {
            if json {
                try printJSON(["kind": kind.kind.rawValue, "crossover_density": kind.crossover, "shears_switch": kind.shearsSwitch])
            }
            rows.append(["kind \(kind.kind.rawValue)", kind.kind.rawValue, "crossover", "", "", String(format: "%.2f (Shears: %.2f)", kind.crossover, kind.shearsSwitch)])
        }
        if !json { print(renderColumns(rows, rightAligned: [2, 3, 4, 5])) }
    }
}
