// ONNXImporter+Names: layer names. A layer is named after its PyTorch module path where the
// file carries it: the parameter's own name (`cnn.0.weight` → `cnn.0`, the default
// exporter), else the node's `pkg.torch.onnx.name_scopes` metadata, else the scope path in the
// node name (`/layer1/layer1.0/conv1/Conv` → `layer1.0.conv1`, the TorchScript exporter);
// a name taken is suffixed `#k`, in time linear in the number of nodes.

import Foundation
import ONNXProto

extension ONNXImporter.GraphTranslation {
    /// The PyTorch module path of `node`, made unique within the graph.
    mutating func uniqueName(_ node: Onnx_NodeProto, parameterName: String?) -> String {
        var base = Self.modulePath(node, parameterName: parameterName)
        if base.isEmpty { base = node.name.isEmpty ? node.opType : node.name }
        var name = base, k = lastSuffix[base] ?? 1
        while usedNames.contains(name) { k += 1; name = "\(base)#\(k)" }
        usedNames.insert(name)
        lastSuffix[base] = k
        return name
    }

    /// The module path of `node`: its parameter's name, else its name-scope metadata, else its name.
    static func modulePath(_ node: Onnx_NodeProto, parameterName: String?) -> String {
        if let parameterName, parameterName.hasSuffix(".weight"), !parameterName.hasPrefix("onnx::") {
            return String(parameterName.dropLast(".weight".count))
        }
        if let scopes = node.metadataProps.first(where: { $0.key == "pkg.torch.onnx.name_scopes" })?.value {
            // "['', 'cnn', 'cnn.2', 'hardtanh']": the last module scope before the op itself.
            let parts = scopes.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).components(separatedBy: ", ")
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
            return joinScopes(parts.dropLast())
        }
        return modulePath(nodeName: node.name)
    }

    /// The module path in a TorchScript-exporter node name: `/layer1/layer1.0/conv1/Conv` →
    /// `layer1.0.conv1` (the segments before the op; "" for a top-level node like `/Reshape`).
    static func modulePath(nodeName: String) -> String {
        guard nodeName.hasPrefix("/") else { return "" }
        return joinScopes(nodeName.split(separator: "/").dropLast().map(String.init))
    }

    /// Scope segments as one dotted path. A segment is a full path that extends the path so
    /// far (`features`, `features.1`), or a path relative to the module where relative
    /// naming began (`block`, then `block.0`, `block.0.0` inside `features.1.0`).
    static func joinScopes<S: Sequence>(_ segments: S) -> String where S.Element == String {
        var path = "", anchor = ""
        for segment in segments where !segment.isEmpty {
            let relative = anchor.isEmpty ? path : String(path.dropFirst(anchor.count + 1))
            if path.isEmpty || segment.hasPrefix(path + ".") {
                path = segment
            } else if !anchor.isEmpty, segment.hasPrefix(relative + ".") {
                path = "\(anchor).\(segment)"
            } else {
                (anchor, path) = (path, "\(path).\(segment)")
            }
        }
        return path
    }
}
