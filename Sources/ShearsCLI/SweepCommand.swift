// `shears sweep`: accuracy, size, MACs and latency of a model pruned at many ratios with
// several methods (one-shot and iterative), and optionally quantized at several bit
// widths. Images are decoded once; each point is appended to `<out>/results.jsonl` as it
// ends, so a killed sweep resumes where it stopped without repeating a point. `--shard i/n`
// measures every n-th point (the i-th of each n, in the sweep's fixed point order), so the
// nodes of a job array split one sweep; `shears report` merges their results files.
// `--finetune-epochs N` adds a fine-tuned series beside each method (and, with `--teacher`, a
// distilled one), trained on the training split decoded once for the whole sweep.

import ArgumentParser
import Foundation
import ShearsKit

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweep pruning ratios (and quantization bits): accuracy, size, MACs, latency.",
        discussion: """
        Every point is one JSON line in OUT/results.jsonl (fields: kind, model, method, ratio, \
        step, accuracy, parameters, nonzero, macs, effective_macs, file_bytes, latency_ms, …), \
        written as soon as it is measured. Running the same command again skips the points \
        already there. `shears report OUT/results.jsonl -o plots` draws the charts.

        Examples:
          shears sweep examples/models/teacher.pt --data examples/fashion \\
              --resize 36 --crop 32 --methods l1,global-l1,channel \\
              --ratios 0:0.9:0.1 --iterative 0.05,0.1 --steps 20
          shears sweep model.pt --data food-11 --methods l1 --ratios 0.3,0.6,0.9 \\
              --quant-bits 2,4,8
          shears sweep model.pt --data food-11 --methods channel --importance bn-scale \\
              --iterative 0.05,0.1 --iterative-method channel --steps 10
              (network slimming: channels ranked by BatchNorm |gamma|, the series
              channel-bn-scale; --methods channel,channel-bn-scale draws both rankings)
          shears sweep model.pt --data food-11 --shard 2/4 --out runs/shard-2
              (one of four array tasks; see examples/slurm/sweep-array.sbatch)
          shears sweep examples/models/student.pt --data examples/fashion --resize 36 \
              --crop 32 --methods l1,channel --ratios 0.3,0.5,0.7 --iterative 0.1 \
              --steps 5 --finetune-epochs 2 --teacher examples/models/teacher.pt
              (recovery: each point also fine-tuned, series l1+ft, channel+ft, and
              distilled from the teacher, l1+kd, channel+kd; the iterative schedule
              fine-tunes after every round and the next round prunes that model)

        Fine-tuning (--finetune-epochs) trains on --train-split of --data, decoded once, with
        the recipe of `shears finetune`: SGD, lr 0.01, momentum 0.9, a constant schedule and
        random horizontal flips unless --optimizer, --lr, --schedule, --augment, … say
        otherwise; --seed seeds its shuffles and flips too. Pruned weights stay zero (the
        pruning masks are held); channel-removed models train as their smaller selves. Each
        trained point's record carries its recipe (fine_tuning), which is part of its key: a
        rerun with another recipe measures new points.
        """
    )

    @Argument(help: ArgumentHelp("Checkpoint to sweep.", valueName: "checkpoint"))
    var checkpoint: String

    @Option(name: .long, help: ArgumentHelp("One-shot methods: \(PruningMethod.list).", valueName: "list"))
    var methods: String = "l1,global-l1,ln,channel"

    @Option(name: .long, help: ArgumentHelp("One-shot ratios: a list (0.3,0.6,0.9) or start:stop:step.", valueName: "ratios"))
    var ratios: String = "0:0.9:0.1"

    @Option(name: .long, help: ArgumentHelp("Iterative step rates: each step prunes this fraction of what remains.", valueName: "list"))
    var iterative: String?

    @Option(name: .long, help: ArgumentHelp("Iterative: number of steps (each rate's steps + 1 points count against --max-points).", valueName: "k"))
    var steps: Int = 12

    @Option(name: .long, help: ArgumentHelp("Iterative: the method of each step.", valueName: "name"))
    var iterativeMethod: PruningMethod = .l1

    @Option(name: .long, help: ArgumentHelp("Also quantize the dense model at these bit widths.", valueName: "list"))
    var quantBits: String?

    @Option(name: .long, help: ArgumentHelp("Output folder for results.jsonl.", valueName: "dir"))
    var out: String = "shears-sweep"

    @Option(name: .long, help: ArgumentHelp("Model label in the records (default: the file name).", valueName: "name"))
    var label: String?

    @Option(name: .long, help: ArgumentHelp("Timed runs per point for latency (batch 1); 0 skips timing; at most \(BenchCommand.maximumRuns).", valueName: "n"))
    var timingIterations: Int = 10

    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var pointOptions: PointOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var pruneOptions: PruneOptions
    @OptionGroup var importanceOption: ImportanceOption

    @Option(name: .customLong("recalibrate-bn"), help: ArgumentHelp("Channel removal: also measure each point with BatchNorm statistics re-estimated from N training images (forward only), as its own series '<method>+bn-recal'.", valueName: "n"))
    var recalibrateBN: Int?

    @Option(name: .long, help: ArgumentHelp("Folder of the --recalibrate-bn images (default: --data).", valueName: "dir"))
    var recalibrationData: String?

    @Option(name: .long, help: ArgumentHelp("Split of the --recalibrate-bn images.", valueName: "name"))
    var recalibrationSplit: String = "training"

    @Option(name: .customLong("finetune-epochs"), help: ArgumentHelp("Also measure every pruned point fine-tuned for N epochs (series '<method>+ft'; with --teacher also distilled, '<method>+kd'); iterative schedules fine-tune after every round.", valueName: "n"))
    var finetuneEpochs: Int?

    @Option(name: .customLong("finetune-batch"), help: ArgumentHelp("Fine-tuning: images per training step (default: --batch).", valueName: "n"))
    var finetuneBatch: Int?

    @Option(name: .customLong("train-split"), help: ArgumentHelp("Fine-tuning: the split of --data trained on (default training).", valueName: "name"))
    var trainSplit: String?

    @Option(name: .customLong("train-limit"), help: ArgumentHelp("Fine-tuning: train on the first N images of --train-split only.", valueName: "n"))
    var trainLimit: Int?

    @OptionGroup(title: "Fine-tuning recipe (with --finetune-epochs)") var recipe: TrainingOptions

    @Option(name: .long, help: ArgumentHelp("Measure only the i-th of every n points (1 ≤ i ≤ n), to split a sweep over n jobs.", valueName: "i/n"))
    var shard: String?

    @Flag(name: .long, help: "Also print every record as a JSON line on stdout.")
    var json = false

    /// `--shard i/n` as a shard (index i − 1 of n); the whole sweep without it. Both are
    /// decimal integers, 1 ≤ i ≤ n.
    static func parseShard(_ text: String?) throws -> SweepShard {
        guard let text else { return .all }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(parseCount)
        guard parts.count == 2, let i = parts[0], let n = parts[1], let shard = SweepShard(index: i - 1, count: n) else {
            throw ValidationError("--shard must be i/n with 1 ≤ i ≤ n, got '\(text)'")
        }
        return shard
    }

    func validate() throws {
        try requireFolderName(out, flag: "--out")
        _ = try dataOptions.requireData()
        let methods = try rankedMethods().oneShot
        let ratios = try parseRatios(ratios, name: "--ratios", limit: pointOptions)
        let rates = try iterative.map { try parseRatios($0, name: "--iterative", limit: pointOptions) } ?? []
        let bits = try quantBits.map { try parseIntegers($0, name: "--quant-bits", in: 2...8, limit: pointOptions) } ?? []
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard (0...BenchCommand.maximumRuns).contains(timingIterations) else {
            throw ValidationError("--timing-iterations must be between 0 and \(BenchCommand.maximumRuns), got \(timingIterations)")
        }
        _ = try Self.parseShard(shard)
        if let recalibrateBN, recalibrateBN < 2 { throw ValidationError("--recalibrate-bn needs at least 2 images") }
        try validateFineTuning()
        try pointOptions.check(SweepPlan.pointCount(methods: methods, ratios: ratios.count, iterativeRates: rates.count, iterativeSteps: steps,
                                                    quantizationBits: bits.count, recalibratesBatchNorm: recalibrateBN != nil,
                                                    trainedSeries: finetuneEpochs == nil ? 0 : recipe.teacher == nil ? 1 : 2),
                               of: "this sweep")
    }

    /// The fine-tuning options: each needs `--finetune-epochs`, which must be at least 1.
    func validateFineTuning() throws {
        guard let finetuneEpochs else {
            let given = recipe.given + [("--finetune-batch", finetuneBatch != nil), ("--train-split", trainSplit != nil),
                                        ("--train-limit", trainLimit != nil)].filter(\.1).map(\.0)
            guard given.isEmpty else { throw ValidationError("\(given.joined(separator: ", ")) need\(given.count == 1 ? "s" : "") --finetune-epochs N") }
            return
        }
        guard finetuneEpochs >= 1 else { throw ValidationError("--finetune-epochs must be at least 1, got \(finetuneEpochs)") }
        if let finetuneBatch, finetuneBatch < 1 { throw ValidationError("--finetune-batch must be at least 1, got \(finetuneBatch)") }
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be at least 1, got \(trainLimit)") }
    }

    /// The training split decoded once and the recipe, for `--finetune-epochs epochs`.
    func fineTuning(epochs: Int, for loaded: LoadedModel) throws -> SweepFineTuning {
        let crop = try dataOptions.preprocessing(for: loaded).crop
        let teacher = try recipe.loadTeacher(crop: crop)
        let training = try recipe.trainingImages(dataOptions, split: trainSplit ?? "training", limit: trainLimit, for: loaded)
        let batch = finetuneBatch ?? dataOptions.batch
        let settings = try recipe.settings(epochs: epochs, batch: batch, seed: pruneOptions.seed,
                                           stepsPerEpoch: FineTuneSettings(batchSize: batch).stepsPerEpoch(training.count), loss: try recipe.crossEntropy())
        var distillation: SweepFineTuning.Teacher?
        if let teacher, let loss = try recipe.distillation() { distillation = SweepFineTuning.Teacher(model: teacher.model, label: teacher.label, loss: loss) }
        return SweepFineTuning(training: training, settings: settings, teacher: distillation)
    }

    /// `--methods` and `--iterative-method` ranked by `--importance` (which must reach one of
    /// them, the iterative method only with `--iterative`).
    func rankedMethods() throws -> (oneShot: [PruningMethod], iterative: PruningMethod) {
        let oneShot = try PruningMethod.parseList(methods)
        try importanceOption.check(oneShot + (iterative == nil ? [] : [iterativeMethod]),
                                   from: "--methods \(methods)" + (iterative == nil ? "" : " and --iterative-method \(iterativeMethod)"))
        return (try oneShot.map { try importanceOption.ranked($0, flag: "--methods") },
                try importanceOption.ranked(iterativeMethod, flag: "--iterative-method"))
    }

    func run() throws {
        let methods = try rankedMethods()
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: try? dataOptions.preprocessing().crop)
        let images = try dataOptions.decodeImages(for: loaded)
        let recalibration = try recalibrateBN.map { count in
            try DecodedImages(dataset: try ImageDataset(root: recalibrationData ?? dataOptions.requireData(), split: recalibrationSplit),
                              preprocessing: try dataOptions.preprocessing(for: loaded), limit: count)
        }
        let plan = SweepPlan(methods: methods.oneShot, ratios: try parseRatios(ratios, name: "--ratios", limit: pointOptions),
                             iterativeRates: try iterative.map { try parseRatios($0, name: "--iterative", limit: pointOptions) } ?? [],
                             iterativeSteps: steps, iterativeMethod: methods.iterative,
                             quantizationBits: try quantBits.map { try parseIntegers($0, name: "--quant-bits", in: 2...8, limit: pointOptions) } ?? [],
                             batchNormRecalibration: recalibration,
                             fineTuning: try finetuneEpochs.map { try fineTuning(epochs: $0, for: loaded) })
        let shard = try Self.parseShard(shard)
        try ResultsFolder.withWriter(in: out) { writer in
            let point = SweepPoint(model: label ?? loaded.label, images: images, batch: dataOptions.batch,
                                   timingIterations: timingIterations, writer: writer, unknownLabels: dataOptions.unknownLabels)
            try Sweep(plan: plan, settings: pruneOptions.settings).run(loaded, point: point, shard: shard) { record in
                try PointProgress.report(record, json: json)
            }
            printError("sweep: \(writer.path) holds \(writer.existingKeys.count) points")
        }
    }
}
