// LimitOptions: `--memory-limit`, the one flag that sets `MemoryBudget.limit`, the cap on every
// allocation whose size comes from input (tensors of a checkpoint, feature maps at the input
// size, decoded images and batches, expanded pickles). Every subcommand that reads input
// takes it.

import ArgumentParser
import ShearsKit

/// `--memory-limit SIZE`, used with `@OptionGroup`; decoding it sets `MemoryBudget.limit`.
struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Refuse input that would make Shears allocate more than SIZE (e.g. 8G, 512M, 1.5G).",
        discussion: """
        It bounds what a file or flag can ask for: tensors of a checkpoint, feature maps at the input size, \
        decoded images and batches, expanded pickles and module trees. The default is half of the \
        physical memory or of ulimit -v, whichever is smaller (here \(MemoryBudget.describe(MemoryBudget.defaultLimit))).
        """,
        valueName: "size"))
    var memoryLimit: String?

    /// Parses `--memory-limit` and sets `MemoryBudget.limit`. ArgumentParser validates option
    /// groups as it decodes them, before the command's own `validate()`, so the command's
    /// checks already see the limit.
    func validate() throws {
        guard let memoryLimit else { return }
        guard let bytes = MemoryBudget.parse(memoryLimit) else {
            throw ValidationError("--memory-limit must be a size like 8G, 512M or 1.5G, got '\(memoryLimit)'")
        }
        MemoryBudget.limit = bytes
    }
}
