// ResultRecord+Method: what made a record's model: the dense model, a pruning method, or
// min-max quantization, and the recovery applied after pruning. One string in results.jsonl:
// "dense", a pruning method's name ("l1", "global-l1", "ln", "channel", "channel-bn-scale", …:
// channel removal named by its ranking, "channel" the L1 one older files hold), "min-max", with
// "+bn-recal" after a method whose BatchNorm statistics were re-estimated.

import Prune

extension ResultRecord {
    /// A record's method, stored as its `description`.
    public struct Method: Hashable, Sendable, Codable, CustomStringConvertible {
        /// The transformation of the dense model.
        public enum Base: Hashable, Sendable {
            case dense
            case pruning(PruningMethod)
            case minMax
        }

        /// What ran after pruning to win accuracy back.
        public enum Recovery: String, Hashable, Sendable, CaseIterable {
            /// BatchNorm statistics re-estimated on training images (forward only).
            case batchNormRecalibration = "bn-recal"
            /// Fine-tuned with cross-entropy on training images (`ResultRecord.fineTuning` says how).
            case fineTuning = "ft"
            /// Fine-tuned with the homework's distillation loss against a teacher's logits.
            case distillation = "kd"
        }

        public var base: Base
        public var recovery: Recovery?

        public init(_ base: Base, recovery: Recovery? = nil) {
            self.base = base
            self.recovery = recovery
        }

        public static let dense = Method(.dense)
        public static let minMax = Method(.minMax)
        public static func pruning(_ method: PruningMethod, recovery: Recovery? = nil) -> Method {
            Method(.pruning(method), recovery: recovery)
        }

        /// The pruning method, where the base is one.
        public var pruningMethod: PruningMethod? {
            if case .pruning(let method) = base { return method }
            return nil
        }

        /// "dense", "min-max", a pruning method's name; "+bn-recal", "+ft" or "+kd" after it where recovered.
        public var description: String {
            let name: String
            switch base {
            case .dense: name = "dense"
            case .minMax: name = "min-max"
            case .pruning(let method): name = method.description
            }
            return recovery.map { "\(name)+\($0.rawValue)" } ?? name
        }

        /// The method `text` names (its `description`); nil for any other text.
        public init?(_ text: String) {
            let parts = text.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            switch parts[0] {
            case "dense": base = .dense
            case "min-max": base = .minMax
            default:
                guard let method = PruningMethod(name: parts[0]) else { return nil }
                base = .pruning(method)
            }
            if parts.count == 2 {
                guard let recovery = Recovery(rawValue: parts[1]) else { return nil }
                self.recovery = recovery
            }
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let method = Method(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown method '\(text)'")
            }
            self = method
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }
}
