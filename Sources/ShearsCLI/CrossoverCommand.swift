// `shears crossover`: per layer kind, the weight density below which the sparse kernel
// beats the dense one on this machine. Each kind is one conv with random weights masked to
// each density, timed on the dense kernels and on the sparse one in alternation.

import ArgumentParser
import Foundation
import ShearsKit

struct CrossoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossover",
        abstract: "Measure where sparse kernels beat dense ones, per layer kind.",
        discussion: """
        The layer kinds are ResNet18's and the student's: 3x3 convs at 56x56 (64 channels) and \
        14x14 (256), a 1x1 conv at 28x28 (128 to 256) and the 7x7 stride-2 stem. Each is timed \
        dense and sparse at every density; the crossover is the highest density at which the \
        sparse kernel was faster (it, and everything sparser, is where the plan may switch). \
        Shears' default switch point is \(Executor.sparseCrossoverDensity).

        Example:
          shears crossover --batch 8 --json
        """
    )

    @Option(name: .long, help: ArgumentHelp("Weight densities (fractions of nonzeros) to time.", valueName: "list"))
    var densities: String = "0.05,0.1,0.2,0.3,0.4,0.5,0.7"

    @Option(name: .long, help: ArgumentHelp("Batch size.", valueName: "n"))
    var batch: Int = 8

    @Option(name: .long, help: ArgumentHelp("Timed runs per kernel and density.", valueName: "n"))
    var iterations: Int = 10

    @Flag(name: .long, help: "Print one JSON object per layer kind.")
    var json = false

    func validate() throws {
        guard try parseRatios(densities, name: "--densities").allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw ValidationError("--densities are fractions in (0, 1]")
        }
        guard batch >= 1, iterations >= 1 else { throw ValidationError("--batch and --iterations must be at least 1") }
    }

    /// A layer kind: a conv's channels, kernel, stride and input size.
    struct Kind {
        let name: String
        let input: [Int]
        let outChannels: Int, kernel: Int, stride: Int
    }

    static let kinds = [
        Kind(name: "conv3x3 64@56", input: [64, 56, 56], outChannels: 64, kernel: 3, stride: 1),
        Kind(name: "conv3x3 256@14", input: [256, 14, 14], outChannels: 256, kernel: 3, stride: 1),
        Kind(name: "conv1x1 128->256@28", input: [128, 28, 28], outChannels: 256, kernel: 1, stride: 1),
        Kind(name: "conv7x7/2 stem", input: [3, 224, 224], outChannels: 64, kernel: 7, stride: 2),
    ]

    func run() throws {
        var generator = SplitMix64(seed: 1)
        var rows = [["layer", "density", "dense ms", "sparse ms", "sparse speed-up"]]
        for kind in Self.kinds {
            var measured: [[String: Any]] = []
            var crossover = 0.0
            for density in try parseRatios(densities, name: "--densities") {
                let model = Self.model(kind, density: density, generator: &generator)
                let stats = try LatencyBenchmark.compare([model, model], input: kind.input, batch: batch, warmup: 2,
                                                         iterations: iterations, sparseDensityLimits: [0, 1])
                let (dense, sparse) = (stats[0].medianMilliseconds, stats[1].medianMilliseconds)
                if sparse < dense { crossover = max(crossover, density) }
                measured.append(["density": density, "dense_ms": dense, "sparse_ms": sparse])
                rows.append([kind.name, String(format: "%.2f", density), String(format: "%.3f", dense), String(format: "%.3f", sparse),
                             String(format: "%.2fx", dense / sparse)])
            }
            if json { try printJSON(["layer": kind.name, "batch": batch, "crossover_density": crossover, "points": measured]) }
            rows.append([kind.name, "crossover", "", "", String(format: "%.2f", crossover)])
        }
        if !json { print(renderColumns(rows, rightAligned: [1, 2, 3, 4])) }
    }

    /// One conv of `kind` whose weights keep `density` of their entries (seeded random picks).
    static func model(_ kind: Kind, density: Double, generator: inout SplitMix64) -> Model {
        let shape = [kind.outChannels, kind.input[0], kind.kernel, kind.kernel]
        let weight = (0..<shape.reduce(1, *)).map { _ -> Float in
            generator.nextUnit() < density ? Float(generator.nextUnit()) * 2 - 1 : 0
        }
        var stateDict = StateDict()
        stateDict.setTensor("conv.weight", Tensor(shape: shape, scalars: weight))
        var g = GraphBuilder()
        g.add("conv", .conv2d(Conv2dAttributes(stride: Size2(kind.stride), padding: Size2(kind.kernel / 2))), g.input)
        return Model(architecture: "crossover", graph: g.graph, stateDict: stateDict)
    }
}
