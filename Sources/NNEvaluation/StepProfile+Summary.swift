// StepProfile+Summary: what a step's timed runs sum up to: its median time and the rate of
// its multiply-accumulates at that time (`shears profile`'s ms and GFLOP/s columns).

import NNEngine

extension StepProfile {
    /// Median wall-clock milliseconds of the step per batch (0 when it has no timed run).
    public var medianMilliseconds: Double { LatencyBenchmark.median(milliseconds.sorted()) }

    /// `2 · macs · batch / median time` in 10⁹ floating-point operations per second; 0 for a
    /// step without MACs or measurable time.
    public var gigaflopsPerSecond: Double {
        Self.gigaflopsPerSecond(macs: macs, batch: batch, milliseconds: medianMilliseconds)
    }

    /// `2 · macs · batch / milliseconds` in 10⁹ floating-point operations per second (0 when
    /// `milliseconds` is not positive): the rate of `batch` samples of `macs` MACs each.
    public static func gigaflopsPerSecond(macs: Int, batch: Int, milliseconds: Double) -> Double {
        milliseconds > 0 ? 2 * Double(macs) * Double(batch) / (milliseconds * 1e6) : 0
    }
}
