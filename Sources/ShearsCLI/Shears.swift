// The `shears` root command: lists the subcommands and nothing else.

import ArgumentParser
import Foundation
import ShearsKit

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
          shears profile model.pt --out runs/model
          shears quantize model.pt -o model.pkl --eval food-11
          shears report runs/model/results.jsonl -o plots
        """,
        version: "0.1.0",
        subcommands: [SummaryCommand.self, EvalCommand.self, PredictCommand.self, PruneCommand.self, FinetuneCommand.self, SweepCommand.self, SensitivityCommand.self, BenchCommand.self, ProfileCommand.self, CrossoverCommand.self, ReportCommand.self, QuantizeCommand.self, VersionCommand.self]
    )

    /// ArgumentParser's `main`, except that a usage error is one line on stderr (the problem,
    /// then where the help is) instead of the whole usage block, like every other error, and
    /// every error exits 1 (ArgumentParser's usage errors would exit 64).
    /// `--help` and `--version` print as usual.
    static func main() {
        // Past `ulimit -f` a write fails with EFBIG (a one-line error, the temporary removed)
        // instead of SIGXFSZ killing the process.
        signal(SIGXFSZ, SIG_IGN)
        MemoryRetention.retainFreedMemory()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }
            // ArgumentParser's last usage line reads "  See 'shears prune --help' for more information."
            let helpCommand = fullMessage(for: error).split(separator: "\n").last { $0.contains("--help") }?.split(separator: "'").dropFirst().first
            let hint = helpCommand.map { " (see '\($0)')" } ?? ""
            try? FileHandle.standardError.write(contentsOf: Data("Error: \(message(for: error).escapingControlCharacters)\(hint)\n".utf8))
            Foundation.exit(EXIT_FAILURE)
        }
        do { try command.run() } catch { fail(error) }
    }

    /// Ends the process for an error from a command: one line on stderr (a library error's way
    /// out worded as flags, ErrorMessages), the message's control characters escaped (it may
    /// quote a key or a file name from hostile input), exit 1.
    static func fail(_ error: Error) -> Never {
        let text = commandLineMessage(for: error) ?? message(for: error)
        guard exitCode(for: error) != .success, !text.isEmpty else { exit(withError: error) }
        try? FileHandle.standardError.write(contentsOf: Data("Error: \(text.escapingControlCharacters)\n".utf8))
        Foundation.exit(EXIT_FAILURE)
    }
}
