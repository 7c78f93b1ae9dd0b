// Crossover: per layer kind, the weight density below which the sparse kernel beats the
// dense one on this machine. Each layer is one conv with seeded random weights masked to each
// density, timed on the dense kernels and on the sparse one in alternation.

/// Measures where sparse convolution beats dense, per layer and per `SparseCrossover.Kind`.
public struct Crossover {
    /// A conv layer to time: its input `[C, H, W]`, output channels, square kernel and stride
    /// (padding `kernel / 2`), and the kind of dense kernel it runs on.
    public struct Layer: Sendable {
        public let name: String
        public let kind: SparseCrossover.Kind
        public let input: [Int]
        public let outChannels: Int, kernel: Int, stride: Int

        public init(name: String, kind: SparseCrossover.Kind, input: [Int], outChannels: Int, kernel: Int, stride: Int) {
            self.name = name; self.kind = kind; self.input = input
            self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        }
    }

    /// One density of one layer: the median milliseconds per batch on each kernel.
    public struct Point: Sendable, Equatable {
        public let density: Double
        public let denseMilliseconds: Double
        public let sparseMilliseconds: Double

        public init(density: Double, denseMilliseconds: Double, sparseMilliseconds: Double) {
            self.density = density; self.denseMilliseconds = denseMilliseconds; self.sparseMilliseconds = sparseMilliseconds
        }

        /// `dense / sparse`: above 1 when the sparse kernel won.
        public var sparseSpeedup: Double { denseMilliseconds / sparseMilliseconds }
    }

    /// A layer's points in ascending density and its crossover (`Crossover.density(of:)`).
    public struct LayerResult: Sendable {
        public let layer: Layer
        public let points: [Point]
        public let crossover: Double

        public init(layer: Layer, points: [Point], crossover: Double) {
            self.layer = layer; self.points = points; self.crossover = crossover
        }
    }

    /// A kind's measured crossover (the lowest of its layers') beside the density at which
    /// Shears switches to the sparse kernel (`SparseCrossover.density`).
    public struct KindResult: Sendable {
        public let kind: SparseCrossover.Kind
        public let crossover: Double
        public let shearsSwitch: Double
    }

    /// Every layer's result in the order of `layers`, then each kind measured, in `SparseCrossover.Kind.allCases` order.
    public struct Result: Sendable {
        public let layers: [LayerResult]
        public let kinds: [KindResult]
    }

    /// ResNet18's and the student's layers: stride-1 3x3 convs at 56x56 (64 channels), 14x14
    /// (256) and 7x7 (512) and the 7x7 stride-2 stem (Winograd); a stride-2 3x3 conv (direct);
    /// a 1x1 conv at 28x28 (pointwise).
    public static let standardLayers = [
        Layer(name: "conv3x3 64@56", kind: .winograd, input: [64, 56, 56], outChannels: 64, kernel: 3, stride: 1),
        Layer(name: "conv3x3 256@14", kind: .winograd, input: [256, 14, 14], outChannels: 256, kernel: 3, stride: 1),
        Layer(name: "conv3x3 512@7", kind: .winograd, input: [512, 7, 7], outChannels: 512, kernel: 3, stride: 1),
        Layer(name: "conv3x3/2 128->256@28", kind: .direct, input: [128, 28, 28], outChannels: 256, kernel: 3, stride: 2),
        Layer(name: "conv7x7/2 stem", kind: .winograd, input: [3, 224, 224], outChannels: 64, kernel: 7, stride: 2),
        Layer(name: "conv1x1 128->256@28", kind: .pointwise, input: [128, 28, 28], outChannels: 256, kernel: 1, stride: 1),
    ]

    public var layers: [Layer]
    /// Weight densities (fractions of nonzeros, in (0, 1]) to time; measured in ascending order.
    public var densities: [Double]
    public var batch: Int
    /// Timed runs per kernel and density (after 2 untimed ones).
    public var iterations: Int
    /// Seed of the weights and masks: one generator drawn through every layer and density in turn.
    public var seed: UInt64 = 1

    public init(layers: [Layer] = Crossover.standardLayers, densities: [Double], batch: Int = 8, iterations: Int = 10) {
        self.layers = layers; self.densities = densities; self.batch = batch; self.iterations = iterations
    }

    /// Times every layer at every density, handing each layer's result to `layerDone` as it is finished.
    public func run(_ layerDone: (LayerResult) throws -> Void = { _ in }) throws -> Result {
        var generator = SplitMix64(seed: seed)
        var results: [LayerResult] = []
        for layer in layers {
            var points: [Point] = []
            for density in densities.sorted() {
                let model = Self.model(layer, density: density, generator: &generator)
                let stats = try LatencyBenchmark.compare([model, model], input: layer.input, batch: batch, warmup: 2,
                                                         iterations: iterations, sparseDensityLimits: [0, 1])
                points.append(Point(density: density, denseMilliseconds: stats[0].medianMilliseconds,
                                    sparseMilliseconds: stats[1].medianMilliseconds))
            }
            let result = LayerResult(layer: layer, points: points, crossover: Self.density(of: points))
            try layerDone(result)
            results.append(result)
        }
        return Result(layers: results, kinds: Self.kinds(of: results))
    }

    /// The crossover rule: the highest density up to which the sparse kernel won (was strictly
    /// faster) at every density measured; 0 when it lost at the lowest. `points` in ascending density.
    public static func density(of points: [Point]) -> Double {
        var crossover = 0.0
        for point in points {
            guard point.sparseMilliseconds < point.denseMilliseconds else { break }
            crossover = point.density
        }
        return crossover
    }

    /// Per kind with at least one layer in `layers`, the lowest of its layers' crossovers.
    public static func kinds(of layers: [LayerResult]) -> [KindResult] {
        SparseCrossover.Kind.allCases.compactMap { kind in
            let crossovers = layers.filter { $0.layer.kind == kind }.map(\.crossover)
            guard let lowest = crossovers.min() else { return nil }
            return KindResult(kind: kind, crossover: lowest, shearsSwitch: SparseCrossover.density(kind))
        }
    }

    /// One conv shaped like `layer` (weight `[outChannels, C, kernel, kernel]`, no bias) each of
    /// whose weights is kept with probability `density` (then uniform in [-1, 1)) and 0 otherwise.
    public static func model(_ layer: Layer, density: Double, generator: inout SplitMix64) -> Model {
        let shape = [layer.outChannels, layer.input[0], layer.kernel, layer.kernel]
        let weight = (0..<shape.reduce(1, *)).map { _ -> Float in
            generator.nextUnit() < density ? Float(generator.nextUnit()) * 2 - 1 : 0
        }
        var stateDict = StateDict()
        stateDict.setTensor("conv.weight", Tensor(shape: shape, scalars: weight))
        var g = GraphBuilder()
        g.add("conv", .conv2d(Conv2dAttributes(stride: Size2(layer.stride), padding: Size2(layer.kernel / 2))), g.input)
        return Model(architecture: "crossover", graph: g.graph, stateDict: stateDict)
    }
}
