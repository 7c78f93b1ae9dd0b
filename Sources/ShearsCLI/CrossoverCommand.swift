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

    /// A layer: a conv's channels, kernel, stride and input size, and its kind.
    struct Layer {
        let name: String
        let kind: SparseCrossover.Kind
        let input: [Int]
        let outChannels: Int, kernel: Int, stride: Int
    }

    static let layers = [
        Layer(name: "conv3x3 64@56", kind: .winograd, input: [64, 56, 56], outChannels: 64, kernel: 3, stride: 1),
        Layer(name: "conv3x3 256@14", kind: .winograd, input: [256, 14, 14], outChannels: 256, kernel: 3, stride: 1),
        Layer(name: "conv3x3 512@7", kind: .winograd, input: [512, 7, 7], outChannels: 512, kernel: 3, stride: 1),
        Layer(name: "conv3x3/2 128->256@28", kind: .direct, input: [128, 28, 28], outChannels: 256, kernel: 3, stride: 2),
        Layer(name: "conv7x7/2 stem", kind: .winograd, input: [3, 224, 224], outChannels: 64, kernel: 7, stride: 2),
        Layer(name: "conv1x1 128->256@28", kind: .pointwise, input: [128, 28, 28], outChannels: 256, kernel: 1, stride: 1),
    ]

    func run() throws {
        var generator = SplitMix64(seed: 1)
        var rows = [["layer", "kind", "density", "dense ms", "sparse ms", "sparse speed-up"]]
        var kindCrossover: [SparseCrossover.Kind: Double] = [:]
        for layer in Self.layers {
            var measured: [[String: Any]] = []
            // The highest density up to which the sparse kernel won at every density measured.
            var crossover = 0.0, winning = true
            for density in try parseRatios(densities, name: "--densities", limit: pointOptions).sorted() {
                let model = Self.model(layer, density: density, generator: &generator)
                let stats = try LatencyBenchmark.compare([model, model], input: layer.input, batch: batch, warmup: 2,
                                                         iterations: iterations, sparseDensityLimits: [0, 1])
                let (dense, sparse) = (stats[0].medianMilliseconds, stats[1].medianMilliseconds)
                winning = winning && sparse < dense
                if winning { crossover = density }
                measured.append(["density": density, "dense_ms": dense, "sparse_ms": sparse])
                rows.append([layer.name, layer.kind.rawValue, String(format: "%.2f", density), String(format: "%.3f", dense),
                             String(format: "%.3f", sparse), String(format: "%.2fx", dense / sparse)])
            }
            kindCrossover[layer.kind] = min(kindCrossover[layer.kind] ?? 1, crossover)
            if json {
                try printJSON(["layer": layer.name, "kind": layer.kind.rawValue, "batch": batch, "crossover_density": crossover,
                               "points": measured])
            }
            rows.append([layer.name, layer.kind.rawValue, "crossover", "", "", String(format: "%.2f", crossover)])
        }
        for kind in SparseCrossover.Kind.allCases {
            guard let measured = kindCrossover[kind] else { continue }
            if json {
                try printJSON(["kind": kind.rawValue, "crossover_density": measured, "shears_switch": SparseCrossover.density(kind)])
            }
            rows.append(["kind \(kind.rawValue)", kind.rawValue, "crossover", "", "", String(format: "%.2f (Shears: %.2f)", measured, SparseCrossover.density(kind))])
        }
        if !json { print(renderColumns(rows, rightAligned: [2, 3, 4, 5])) }
    }

    /// One conv shaped like `kind` whose weights keep `density` of their entries (seeded random picks).
    static func model(_ kind: Layer, density: Double, generator: inout SplitMix64) -> Model {
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
