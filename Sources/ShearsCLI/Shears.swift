// The `shears` root command: lists the subcommands and nothing else.

import ArgumentParser

@main
struct Shears: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shears",
        abstract: "Prune and quantize PyTorch image classifiers, and measure what it costs.",
        discussion: """
        Shears reads torch.save checkpoints (.pt/.pth/.bin/.ckpt, legacy or zip) and \
        .safetensors files without Python, runs them exactly as PyTorch does, and reports \
        accuracy, size and speed for pruned and quantized variants.

        A typical session:
          shears summary model.pt --input 3x224x224
          shears eval model.pt --data food-11 --split validation
          shears sweep model.pt --data food-11 --methods l1,global-l1,channel \\
              --out runs/model
          shears bench model.pt --out runs/model
          shears quantize model.pt -o model.pkl --eval food-11
          shears report runs/model/results.jsonl -o plots
        """,
        version: "0.1.0",
        subcommands: [SummaryCommand.self, EvalCommand.self, PredictCommand.self, PruneCommand.self, SweepCommand.self, SensitivityCommand.self, BenchCommand.self, CrossoverCommand.self, ReportCommand.self, QuantizeCommand.self, VersionCommand.self]
    )
}
