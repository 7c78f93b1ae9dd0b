// PointOptions: `--max-points`, the cap on how many points one list or range of a sweep,
// sensitivity analysis, bench or crossover run may hold (`--ratios 0:1:1e-8` would be 10^8
// points): counts are computed in Double before anything is made, and refused over the cap.

import ArgumentParser

/// `--max-points`, used with `@OptionGroup`.
struct PointOptions: ParsableArguments {
    /// The cap without `--max-points`.
    static let defaultMaximum = 1000

    @Option(name: .long, help: ArgumentHelp(
        "Refuse a run of more than N points (the ratios of a range, entries of a list, or measurements of a whole sweep).",
        valueName: "n"))
    var maxPoints: Int = PointOptions.defaultMaximum

    func validate() throws {
        guard maxPoints >= 1 else { throw ValidationError("--max-points must be at least 1, got \(maxPoints)") }
    }

    /// Throws unless `count` (computed in Double, so that it cannot overflow) is at most `maxPoints`.
    ///
    /// - Parameter what: what makes the points, for the message ("--ratios '0:1:1e-8'").
    func check(_ count: Double, of what: String) throws {
        guard count <= Double(maxPoints) else {
            let shown = count < 1e15 ? String(Int(count)) : String(format: "%.3g", count)
            throw ValidationError("\(what) makes \(shown) points, over the limit of \(maxPoints) (raise it with --max-points)")
        }
    }
}
