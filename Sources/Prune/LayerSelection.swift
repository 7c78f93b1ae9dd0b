// LayerSelection: which layers a pruning method touches, by node name. Defaults:
// unstructured methods take every conv and linear weight, structured ones every conv and every
// linear layer on a feature map (a 1x1 conv with weight `[out, in]`).
// `include` narrows that set to names matching any glob, `exclude` removes names.
// Globs: `*` matches any run of characters (dots included), `?` one character. `layer(_:)`
// selects one layer by its exact name, for a name that holds `*` or `?` itself.

import NNCore

/// Layers to prune, by glob on node names ("conv1", "layer*.0.*", "fc").
public struct LayerSelection: Equatable, Sendable {
    public var include: [String]
    public var exclude: [String]

    /// One layer's exact name, matched without globbing (`layer(_:)`); nil uses the globs.
    public var exactName: String?

    public init(include: [String] = [], exclude: [String] = []) {
        self.include = include; self.exclude = exclude
    }

    /// The layer named `name` alone, whatever characters its name holds.
    public static func layer(_ name: String) -> LayerSelection {
        var selection = LayerSelection()
        selection.exactName = name
        return selection
    }

    /// Indices of the selected nodes of `model`.
    ///
    /// - Parameter structured: true selects convolutions and linear layers on feature maps;
    ///   false convolutions and all linear layers.
    /// - Throws: `PruneError.unknownLayer` when an include glob matches no eligible layer.
    public func nodes(in model: Model, structured: Bool) throws -> [Int] {
        let featureMap = model.graph.producesFeatureMap
        let eligible = model.graph.nodes.indices.filter { i in
            switch model.graph.nodes[i].op {
            case .conv2d: return true
            case .linear: return !structured || featureMap[i]
            default: return false
            }
        }
        if let exactName {
            let named = eligible.filter { model.graph.nodes[$0].name == exactName }
            if named.isEmpty { throw PruneError.unknownLayer("'\(exactName)' is no \(structured ? "conv" : "conv or linear") layer") }
            return named
        }
        for pattern in include where !eligible.contains(where: { Self.matches(model.graph.nodes[$0].name, pattern) }) {
            throw PruneError.unknownLayer("'\(pattern)' matches no \(structured ? "conv" : "conv or linear") layer")
        }
        return eligible.filter { i in
            let name = model.graph.nodes[i].name
            return (include.isEmpty || include.contains { Self.matches(name, $0) }) && !exclude.contains { Self.matches(name, $0) }
        }
    }

    /// Whether `name` matches the glob `pattern`.
    public static func matches(_ name: String, _ pattern: String) -> Bool {
        let s = Array(name), p = Array(pattern)
        // Classic wildcard matching with backtracking to the last `*`.
        var i = 0, j = 0, star = -1, mark = 0
        while i < s.count {
            if j < p.count && (p[j] == "?" || p[j] == s[i]) { i += 1; j += 1 }
            else if j < p.count && p[j] == "*" { star = j; mark = i; j += 1 }
            else if star >= 0 { j = star + 1; mark += 1; i = mark }
            else { return false }
        }
        while j < p.count && p[j] == "*" { j += 1 }
        return j == p.count
    }
}
