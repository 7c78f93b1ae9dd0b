// The `shears` root command: lists the subcommands and nothing else.

import ArgumentParser

@main
struct Shears: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shears",
        abstract: "Prune and quantize PyTorch image classifiers, and measure what it costs.",
        discussion: """
        Shears reads torch.save checkpoints (.pt/.pth/.bin/.ckpt, legacy or zip) and
        .safetensors files without Python, runs them exactly as PyTorch does, and reports
        accuracy, size and speed for pruned and quantized variants.
        """,
        version: "0.1.0",
        subcommands: [SummaryCommand.self, EvalCommand.self, PredictCommand.self, PruneCommand.self, SweepCommand.self, SensitivityCommand.self, BenchCommand.self, ReportCommand.self, QuantizeCommand.self, VersionCommand.self]
    )
}
