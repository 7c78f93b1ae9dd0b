// `shears profile`: where a model's time goes — per plan step (a conv with its folded
// BatchNorm, fused activation and max pool is one step, named after the conv) the op, input
// and output shapes, MACs, median milliseconds, share of the total, GFLOP/s and the kernel
// the engine chose. The timing is ShearsKit's (Profile); the command parses, checks limits
// and prints.

import ArgumentParser
import Foundation
import ShearsKit

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Time each layer (plan step) of a model: op, shapes, MACs, ms, share, GFLOP/s, kernel.",
        discussion: """
        The model is compiled as `eval` and `bench` run it (BatchNorm folded into the conv \
        before it, activations and max pools fused), then run `--warmup` times untimed and \
        `--iterations` times timed on a seeded random batch, each step timed on its own; a \
        step's time is its median. The batch runs as bench runs it: split over `--threads` \
        lanes (a single image: its convs split their work over the threads), except that \
        the lanes go through the steps together, each step timed until the last lane is \
        done with it. So a step's time is the batch's wall-clock time through it, and the \
        steps' times add up to a little more than one forward pass of the batch (on a busy \
        machine to less than bench's median: each step's median is taken on its own, and a \
        preemption lands in one step's run, not in every step's median).

        MACs are per image and count conv (outC·inC/groups·kh·kw·outH·outW) and linear \
        (in·out·positions) steps only; GFLOP/s is 2·MACs·batch / time. The kernel is the \
        conv's (depthwise, grouped, batched, winograd, polyphase, direct, sparse) or the \
        step's kind (add, max-pool, linear, ...). The steps that take the most time are the \
        ones worth pruning for speed: `shears report` charts them from `--out`.

        Examples:
          shears profile examples/models/teacher.pt --input 3x32x32
          shears profile model.onnx --input 3x224x224 --batch 8 --json
          shears profile model.pt --out runs/model && shears report runs/model/results.jsonl -o runs/model/report
        """
    )

    @Argument(help: ArgumentHelp("Model file to profile (checkpoint, module tree, ONNX or .pt2).", valueName: "model"))
    var checkpoint: String

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("Input size as CxHxW (three positive integers, each at most \(maximumInputSide)). Default: the size a .pt2 was exported at, else 3x224x224.", valueName: "CxHxW"))
    var input: String?

    @Option(name: .long, help: ArgumentHelp("Images per timed run (at most \(BenchCommand.maximumBatch)).", valueName: "n"))
    var batch: Int = 1

    @Option(name: .long, help: ArgumentHelp("Threads each image's convs split their work over; 1 runs everything on one thread. Default: the number of cores; at most \(BenchCommand.maximumThreads).", valueName: "n"))
    var threads: Int = Executor.defaultThreads

    @Option(name: .long, help: ArgumentHelp("Untimed runs before timing (at most \(ProfileCommand.maximumRuns)).", valueName: "n"))
    var warmup: Int = 3

    @Option(name: .long, help: ArgumentHelp("Timed runs; each step's time is their median (at most \(ProfileCommand.maximumRuns)).", valueName: "n"))
    var iterations: Int = 20

    @Option(name: .long, help: ArgumentHelp("Also append the records to DIR/results.jsonl (for shears report: a chart of time per layer and a table).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Print one JSON object per line: one per step, then one for the whole plan (no \"layer\").")
    var json = false

    @OptionGroup var limitOptions: LimitOptions

    /// The most warm-up or timed runs (each keeps one time per step).
    static let maximumRuns = 10_000

    func validate() throws {
        if let out { try requireFolderName(out, flag: "--out") }
        let shape = try input.map(parseInputShape)
        guard (1...BenchCommand.maximumBatch).contains(batch) else {
            throw ValidationError("--batch must be between 1 and \(BenchCommand.maximumBatch), got \(batch)")
        }
        guard (1...Self.maximumRuns).contains(iterations), (0...Self.maximumRuns).contains(warmup) else {
            throw ValidationError("--iterations must be between 1 and \(Self.maximumRuns) and --warmup between 0 and \(Self.maximumRuns)")
        }
        guard (1...BenchCommand.maximumThreads).contains(threads) else {
            throw ValidationError("--threads must be between 1 and \(BenchCommand.maximumThreads), got \(threads)")
        }
        if let shape { try Bench.checkBatches([batch], shape: shape, path: "--batch") }
    }

    func run() throws {
        let requested = try input.map(parseInputShape)
        let loaded = try loadModel(checkpoint, modelOptions, inputSize: (requested ?? defaultInputShape)[1])
        let shape = try loaded.inputSize(requested, fallback: defaultInputShape)
        try Bench.checkBatches([batch], shape: shape, path: "--batch")
        let profile = Profile(model: loaded.label, network: loaded.model, input: shape, batch: batch, threads: threads,
                              warmup: warmup, iterations: iterations)
        let result: Profile.Result
        if let out {
            result = try ResultsFolder.withWriter(in: out) { writer in try profile.run(writer: writer) }
        } else {
            result = try profile.run()
        }
        if json {
            for record in result.records { print(try record.jsonLine()) }
        } else {
            print(render(result))
        }
    }

    /// The steps in run order as aligned columns, then the total.
    private func render(_ result: Profile.Result) -> String {
        func row(_ r: ResultRecord) -> [String] {
            [r.layer ?? "total", r.op ?? "", r.kernel ?? "", shapeText(r.inputShape), shapeText(r.outputShape), groupedDigits(r.macs ?? 0),
             String(format: "%.3f", r.latencyMs ?? 0), String(format: "%.1f%%", (r.share ?? 0) * 100),
             (r.macs ?? 0) > 0 ? String(format: "%.1f", r.gflops ?? 0) : ""]
        }
        let rows = [["layer", "op", "kernel", "input", "output", "MACs/image", "ms", "share", "GFLOP/s"]] + result.records.map(row)
        return renderColumns(rows, rightAligned: [5, 6, 7, 8])
    }
}
