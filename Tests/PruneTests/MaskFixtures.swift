// MaskFixtures: reads Tests/Fixtures/prune/cases.json — tensors and the masks the real
// torch.nn.utils.prune produced for each sequence of pruning calls.

import NN
@testable import Prune
import TestSupport

/// One fixture case: a pruning kind, the tensors, the calls in order and torch's final masks.
struct MaskCase: Decodable {
    struct Step: Decodable {
        var fraction: Double?
        var count: Int?
        var n: Double?
        var dim: Int?

        var amount: PruningAmount { count.map { .count($0) } ?? .fraction(fraction ?? 0) }
    }

    var name: String
    var kind: String
    var tensors: [String]
    var steps: [Step]
    var masks: [String]
}

/// The manifest of the mask fixtures.
struct MaskManifest: Decodable {
    var tensors: [String: [Int]]
    var cases: [MaskCase]

    static func load() throws -> MaskManifest { try Fixtures.json("prune/cases.json") }

    /// The fixture tensor called `name`.
    func tensor(_ name: String) throws -> Tensor {
        Tensor(shape: tensors[name] ?? [], scalars: try Fixtures.float32("prune/\(name).f32"))
    }

    /// torch's mask file as 0/1 floats.
    func mask(_ file: String) throws -> [Float] { try Fixtures.bytes("prune/\(file)").map { Float($0) } }
}
