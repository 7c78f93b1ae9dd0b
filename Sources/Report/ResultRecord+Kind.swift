// ResultRecord+Kind: which run measured a record, and which model a bench record timed.

extension ResultRecord {
    /// The run that wrote a record; its raw value is the `kind` in results.jsonl.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A pruned model's accuracy, size and cost (sweep).
        case prune
        /// A quantized model's accuracy and blob size (sweep `--quant-bits`).
        case quantization = "quant"
        /// One layer pruned alone (sensitivity).
        case sensitivity
        /// Latency and speed-up of a variant (bench).
        case bench
        /// One plan step's time, MACs and kernel, or (no `layer`) the whole plan's (profile).
        case profile
    }

    /// The form of the model a bench record timed; its raw value is the `variant` in results.jsonl.
    public enum Variant: String, Hashable, Sendable, Codable, CaseIterable {
        /// The model as loaded.
        case dense
        /// Unstructured masks, run on the dense kernels.
        case maskedUnstructured = "masked-unstructured"
        /// Unstructured masks, sparse layers on the sparse kernel.
        case maskedSparse = "masked-sparse"
        /// Whole filters masked, shapes kept.
        case maskedStructured = "masked-structured"
        /// Output channels removed: a smaller network.
        case channelRemoved = "channel-removed"
    }
}
