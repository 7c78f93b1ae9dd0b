// `shears bench`: latency (median, p90) and images/s after warm-up of the dense model and
// its pruned variants side by side, in one run, with the speed-up over dense. Masks keep
// the dense cost on dense kernels; unstructured masks buy time on the sparse kernel;
// channel removal shrinks the network: this measures it. The variants and the timing are
// ShearsKit's (BenchVariant, Bench); the command parses, checks limits and prints.

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
    @OptionGroup var importanceOption: ImportanceOption

    @Option(name: .long, help: ArgumentHelp("Batch sizes.", valueName: "n,n"))
    var batch: String = "1,32"

    @Option(name: .long, help: ArgumentHelp("Pruning methods of the variants: l1 (masked unstructured), ln (masked structured), channel (removed; channel-l2 and channel-bn-scale rank channels otherwise, see --importance). Default: l1,ln,channel.", valueName: "list"))
    var methods: String?

    @Option(name: .long, help: ArgumentHelp("Pruning ratios of the variants. Default: 0.5.", valueName: "list"))
    var ratios: String?

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

    @Flag(name: .long, help: "Time training steps of the model instead (forward in training mode, cross-entropy, backward, an SGD step with momentum 0.9) on a seeded random batch; no variants, every core.")
    var train = false

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
        let ratios = try parseRatios(ratios ?? "0.5", name: "--ratios", limit: pointOptions)
        let shape = try input.map(parseInputShape)
        if train, methods != nil || self.ratios != nil || out != nil || threads != Executor.defaultThreads {
            throw ValidationError("--train times the model itself on every core: --methods, --ratios, --out and --threads do not apply")
        }
        let methods = try rankedMethods()
        guard (1...Self.maximumRuns).contains(iterations), (0...Self.maximumRuns).contains(warmup) else {
            throw ValidationError("--iterations must be between 1 and \(Self.maximumRuns) and --warmup between 0 and \(Self.maximumRuns)")
        }
        guard (1...Self.maximumThreads).contains(threads) else {
            throw ValidationError("--threads must be between 1 and \(Self.maximumThreads), got \(threads)")
        }
        try pointOptions.check(BenchVariant.count(methods: methods, ratios: ratios.count) * Double(sizes.count),
                               of: "--methods × --ratios × --batch")
        if let shape { try Bench.checkBatches(sizes, shape: shape, path: "--batch") }
    }

    /// `--methods` ranked by `--importance`.
    func rankedMethods() throws -> [PruningMethod] {
        let list = methods ?? "l1,ln,channel"
        let methods = try PruningMethod.parseList(list)
        try importanceOption.check(methods, from: "--methods \(list)")
        return try methods.map { try importanceOption.ranked($0, flag: "--methods") }
    }

    func run() throws {
        let requested = try input.map(parseInputShape)
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: (requested ?? defaultInputShape)[1])
        let shape = try loaded.inputSize(requested, fallback: defaultInputShape)
        let sizes = try parseIntegers(batch, name: "--batch", in: 1...Self.maximumBatch, limit: pointOptions)
        try Bench.checkBatches(sizes, shape: shape, path: "--batch")
        if train { return try measureTraining(loaded, shape: shape, sizes: sizes) }
        let variants = try BenchVariant.make(from: loaded.model, methods: try rankedMethods(),
                                             ratios: try parseRatios(ratios ?? "0.5", name: "--ratios", limit: pointOptions),
                                             settings: pruneOptions.settings, path: checkpoint)
        let bench = Bench(model: loaded.label, variants: variants, input: shape, threads: threads, warmup: warmup, iterations: iterations)
        if let out {
            try ResultsFolder.withWriter(in: out) { writer in try measure(bench, sizes: sizes, writer: writer) }
        } else {
            try measure(bench, sizes: sizes, writer: nil)
        }
    }

    /// Runs `bench` at each batch size, appending the records to `writer` when given, and prints them.
    private func measure(_ bench: Bench, sizes: [Int], writer: ResultsWriter?) throws {
        var rows = [["variant", "method", "ratio", "batch", "median ms", "p90 ms", "images/s", "speed-up"]]
        try bench.run(batches: sizes, writer: writer) { measured in
            let (variant, stats) = (measured.variant, measured.stats)
            if json {
                print(try measured.record.jsonLine())
            } else {
                rows.append([variant.variant.rawValue, variant.method.description, String(format: "%.2f", variant.ratio), "\(stats.batch)",
                             String(format: "%.3f", stats.medianMilliseconds), String(format: "%.3f", stats.p90Milliseconds),
                             String(format: "%.1f", stats.imagesPerSecond), String(format: "%.2fx", measured.speedup)])
            }
        }
        if !json { print(renderColumns(rows, rightAligned: [2, 3, 4, 5, 6, 7])) }
    }

    /// `--train`: one training step's median and fastest time and images/s at each batch size.
    private func measureTraining(_ loaded: LoadedModel, shape: [Int], sizes: [Int]) throws {
        var rows = [["batch", "median ms", "min ms", "images/s"]]
        for size in sizes {
            let m = try TrainingBench.measure(loaded.model, input: shape, batch: size, warmup: warmup, iterations: iterations)
            if json {
                let record = TrainingRecord(model: loaded.label, batch: size, median_ms: m.medianMilliseconds,
                                            min_ms: m.minimumMilliseconds, images_per_second: m.imagesPerSecond)
                print(String(decoding: try JSONEncoder().encode(record), as: UTF8.self))
            } else {
                rows.append(["\(size)", String(format: "%.3f", m.medianMilliseconds), String(format: "%.3f", m.minimumMilliseconds),
                             String(format: "%.1f", m.imagesPerSecond)])
            }
        }
        if !json { print(renderColumns(rows, rightAligned: [0, 1, 2, 3])) }
    }

    /// One `--train --json` line.
    private struct TrainingRecord: Encodable {
        let model: String, batch: Int
        let median_ms: Double, min_ms: Double, images_per_second: Double
    }
}
