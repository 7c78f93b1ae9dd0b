// `shears bench`: latency (median, p90) and images/s after warm-up of the dense model and
// its pruned variants side by side, in one run, with the speed-up over dense. Masks keep
// the dense cost on dense kernels; unstructured masks buy time on the sparse kernel;
// channel removal shrinks the network: this measures it.

import ArgumentParser
import Foundation
import ShearsKit

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the dense model against masked and channel-removed variants.",
        discussion: """
        Each variant is compiled once, run `--warmup` times untimed, then `--iterations` times \
        timed on a seeded random batch; the variants take turns, one run each per round, so a \
        burst of load on a shared machine slows them alike. The speed-up is the dense median \
        over the variant's. Unstructured masks (l1, global-l1, random) are timed twice: on the \
        dense kernels ("masked-unstructured") and with sparse layers on the sparse kernel \
        ("masked-sparse", what eval and sweep use).

        Examples:
          shears bench examples/models/teacher.pt --input 3x32x32 --batch 1,32
          shears bench model.pt --methods l1,channel --ratios 0.5,0.8 --json
          shears bench resnet18.pt --input 3x224x224 --batch 8 --methods global-l1 \
              --ratios 0.5,0.7,0.9
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint to benchmark.", valueName: "checkpoint"))
    var checkpoint: String

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var pruneOptions: PruneOptions

    @Option(name: .long, help: ArgumentHelp("Batch sizes.", valueName: "n,n"))
    var batch: String = "1,32"

    @Option(name: .long, help: ArgumentHelp("Pruning methods of the variants: l1 (masked unstructured), ln (masked structured), channel (removed).", valueName: "list"))
    var methods: String = "l1,ln,channel"

    @Option(name: .long, help: ArgumentHelp("Pruning ratios of the variants.", valueName: "list"))
    var ratios: String = "0.5"

    @Option(name: .long, help: ArgumentHelp("Input size as CxHxW (three positive integers, each at most \(maximumInputSide)). Default: the size a .pt2 was exported at, else 3x224x224.", valueName: "CxHxW"))
    var input: String?

    @Option(name: .long, help: ArgumentHelp("Untimed runs before timing (at most \(BenchCommand.maximumRuns)).", valueName: "n"))
    var warmup: Int = 3

    @Option(name: .long, help: ArgumentHelp("Timed runs per variant and batch size (at most \(BenchCommand.maximumRuns)).", valueName: "n"))
    var iterations: Int = 20

    @Option(name: .long, help: ArgumentHelp("Threads: lanes a batch is split over (a single image's convs split their work over them instead); 1 runs everything on one thread. Default: the number of cores; at most \(BenchCommand.maximumThreads).", valueName: "n"))
    var threads: Int = Executor.defaultThreads

    @Option(name: .long, help: ArgumentHelp("Also append the results to DIR/results.jsonl (for shears report).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Print one JSON object per line (one per variant and batch size).")
    var json = false

    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var pointOptions: PointOptions

    /// The most warm-up or timed runs per variant and batch size.
    static let maximumRuns = 100_000
    /// The most threads (lanes, or shares of one image's convs).
    static let maximumThreads = 256
    /// The largest batch size.
    static let maximumBatch = 1 << 20

    func validate() throws {
        if let out { try requireFolderName(out, flag: "--out") }
        let sizes = try parseIntegers(batch, name: "--batch", in: 1...Self.maximumBatch, limit: pointOptions)
        let ratios = try parseRatios(ratios, name: "--ratios", limit: pointOptions)
        let shape = try input.map(parseInputShape)
        let methods = try PruningMethod.parseList(methods)
        guard (1...Self.maximumRuns).contains(iterations), (0...Self.maximumRuns).contains(warmup) else {
            throw ValidationError("--iterations must be between 1 and \(Self.maximumRuns) and --warmup between 0 and \(Self.maximumRuns)")
        }
        guard (1...Self.maximumThreads).contains(threads) else {
            throw ValidationError("--threads must be between 1 and \(Self.maximumThreads), got \(threads)")
        }
        try pointOptions.check(Self.variantCount(methods: methods, ratios: ratios.count) * Double(sizes.count),
                               of: "--methods × --ratios × --batch")
        if let shape { try Self.checkBatches(sizes, shape: shape) }
    }

    /// Each batch of `sizes` images of `shape` must fit the memory budget.
    static func checkBatches(_ sizes: [Int], shape: [Int]) throws {
        for size in sizes {
            try MemoryBudget.check(elements: ([size] + shape).checkedProduct ?? -1, of: 4,
                                   for: "a batch of \(size) float32 images of \(shape.map(String.init).joined(separator: "x"))", path: "--batch")
        }
    }

    func run() throws {
        let requested = try input.map(parseInputShape)
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: (requested ?? defaultInputShape)[1])
        let shape = try loaded.inputSize(requested, fallback: defaultInputShape)
        let sizes = try parseIntegers(batch, name: "--batch", in: 1...Self.maximumBatch, limit: pointOptions)
        try Self.checkBatches(sizes, shape: shape)
        let variants = try benchVariants(loaded.model, methods: try PruningMethod.parseList(methods), ratios: try parseRatios(ratios, name: "--ratios", limit: pointOptions))
        if let out {
            try ResultsFolder.withWriter(in: out) { writer in try measure(loaded, variants, shape: shape, sizes: sizes, writer: writer) }
        } else {
            try measure(loaded, variants, shape: shape, sizes: sizes, writer: nil)
        }
    }

    /// Times `variants` at each batch size, appending the records to `writer` when given.
    private func measure(_ loaded: LoadedModel, _ variants: [BenchVariant], shape: [Int], sizes: [Int], writer: ResultsWriter?) throws {
        var rows = [["variant", "method", "ratio", "batch", "median ms", "p90 ms", "images/s", "speed-up"]]
        for size in sizes {
            let measured = try LatencyBenchmark.compare(variants.map(\.model), input: shape, batch: size, threads: threads,
                                                        warmup: warmup, iterations: iterations,
                                                        sparseDensityLimits: variants.map { $0.sparseKernels ? nil : 0 })
            let dense = measured[0].medianMilliseconds
            for (variant, stats) in zip(variants, measured) {
                let speedup = dense / stats.medianMilliseconds
                let record = ResultRecord(kind: .bench, model: loaded.label, method: variant.method, ratio: variant.ratio,
                                          variant: variant.variant, batch: size, latencyMs: stats.medianMilliseconds,
                                          latencyP90Ms: stats.p90Milliseconds, imagesPerSecond: stats.imagesPerSecond, speedup: speedup)
                try writer?.append(record)
                if json {
                    print(try record.jsonLine())
                } else {
                    rows.append([variant.variant.rawValue, variant.method.description, String(format: "%.2f", variant.ratio), "\(size)",
                                 String(format: "%.3f", stats.medianMilliseconds), String(format: "%.3f", stats.p90Milliseconds),
                                 String(format: "%.1f", stats.imagesPerSecond), String(format: "%.2fx", speedup)])
                }
            }
        }
        if !json { print(renderColumns(rows, rightAligned: [2, 3, 4, 5, 6, 7])) }
    }
}

/// One model timed by `shears bench`.
struct BenchVariant {
    let variant: ResultRecord.Variant
    let method: ResultRecord.Method
    let ratio: Double
    let model: Model
    /// Whether sparse layers run on the sparse kernel.
    var sparseKernels = false
}

extension BenchCommand {
    /// Dense first, then each method at each ratio: masks (unstructured or structured) keep the
    /// dense shapes, channel removal shrinks them; unstructured masks once more on the sparse kernel.
    /// How many variants `benchVariants` makes: dense, then per method and ratio one (two for
    /// unstructured masks); in Double, so that no list can overflow it.
    static func variantCount(methods: [PruningMethod], ratios: Int) -> Double {
        1 + Double(ratios) * methods.reduce(0) { $0 + ($1.isStructured ? 1 : 2) }
    }

    /// The variants' weights are checked against the memory budget before any is made.
    func benchVariants(_ model: Model, methods: [PruningMethod], ratios: [Double]) throws -> [BenchVariant] {
        let count = Int(Self.variantCount(methods: methods, ratios: ratios.count))
        try MemoryBudget.check(elements: [count, ModelStatistics.parameterCount(of: model)].checkedProduct ?? -1, of: 4,
                               for: "the weights of \(count) variants", path: checkpoint)
        var variants = [BenchVariant(variant: .dense, method: .dense, ratio: 0, model: model)]
        for method in methods {
            let variant: ResultRecord.Variant
            switch method {
            case .channel: variant = .channelRemoved
            case .ln: variant = .maskedStructured
            default: variant = .maskedUnstructured
            }
            for ratio in ratios {
                let pruned = try pruneOptions.settings.prune(model, method: method, amount: ratio).0
                variants.append(BenchVariant(variant: variant, method: .pruning(method), ratio: ratio, model: pruned))
                if !method.isStructured {
                    variants.append(BenchVariant(variant: .maskedSparse, method: .pruning(method), ratio: ratio, model: pruned, sparseKernels: true))
                }
            }
        }
        return variants
    }
}
