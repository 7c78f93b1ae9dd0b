// PlainCNNSpec: the plain CNN of seed 001: `cnn` = Sequential of groups
// (Conv2d k×k pad k/2 with bias, [BatchNorm2d], ReLU, MaxPool2d(2, 2)), then `fc` =
// Sequential(Linear) over the flattened features. Group positions come from the keys: a
// conv at index i, its BatchNorm (when present) at i + 1, the next conv right after the
// group's pool. Any other layout (the TA student's pools after some convs only, its
// AdaptiveAvgPool inside `cnn`) is refused, naming the forms that show the whole model.

/// The seed-001 TeacherNet family.
struct PlainCNNSpec: ArchitectureSpec {
    /// One conv group: the conv's Sequential index, widths, kernel and whether a BN follows.
    struct Group {
        var index: Int
        var out: Int
        var kernel: Int
        var batchNorm: Bool
        var bias: Bool
    }

    let name = "plain-cnn"
    var inputChannels = 3
    var groups: [Group] = []
    var fcIndex = 0
    var inFeatures = 0
    var classes = 11

    /// Reads the groups from `cnn.<i>.*` keys and the classifier from `fc.<j>.weight`.
    init(stateDict: StateDict) throws {
        let convIndices = stateDict.keys.compactMap { key -> Int? in
            let parts = key.split(separator: ".")
            guard parts.count == 3, parts[0] == "cnn", parts[2] == "weight", let i = Int(parts[1]),
                  stateDict[key]?.shape.count == 4 else { return nil }
            return i
        }.sorted()
        guard let first = convIndices.first else {
            throw NNError.stateDictMismatch(architecture: name, missing: ["cnn.0.weight"], unexpected: [], mismatched: [])
        }
        inputChannels = stateDict["cnn.\(first).weight"]!.shape[1]
        groups = convIndices.map { i in
            let w = stateDict["cnn.\(i).weight"]!.shape
            return Group(index: i, out: w[0], kernel: w[2], batchNorm: stateDict["cnn.\(i + 1).running_mean"] != nil,
                         bias: stateDict["cnn.\(i).bias"] != nil)
        }
        // The seed's layout, conv at 0 and each group (conv, [BN], ReLU, MaxPool) right after the
        // last, is all a state dict can confirm: padding and pools have no parameters.
        var next = 0
        for group in groups {
            guard group.index == next else {
                throw NNError.unknownArchitecture("the `cnn` convs sit at \(groups.map { String($0.index) }.joined(separator: ", ")), not in the plain CNN's (conv, BN, ReLU, MaxPool) groups; a state dict cannot show padding or where pools are: give --arch-from model.txt (what print(model) writes), a torch.save(model) file, or a torch.onnx.export .onnx file")
            }
            next = group.index + (group.batchNorm ? 4 : 3)
        }
        let fcKeys = stateDict.keys.filter { $0.hasPrefix("fc.") && $0.hasSuffix(".weight") }
        guard fcKeys.count == 1, let key = fcKeys.first, let j = Int(key.split(separator: ".")[1]) else {
            throw NNError.stateDictMismatch(architecture: name, missing: fcKeys.isEmpty ? ["fc.0.weight"] : [], unexpected: fcKeys.count > 1 ? fcKeys : [], mismatched: [])
        }
        fcIndex = j
        let fc = try requiredShape(stateDict, key, rank: 2, architecture: name)
        (classes, inFeatures) = (fc[0], fc[1])
    }

    /// The seed's TeacherNet (32, 64, 128, 256, 256, 256) for a `[3, size, size]` input.
    init(classes: Int, inputSize: Int) {
        self.classes = classes
        groups = [32, 64, 128, 256, 256, 256].enumerated().map { Group(index: $0 * 4, out: $1, kernel: 3, batchNorm: true, bias: true) }
        let side = inputSize >> groups.count
        inFeatures = 256 * side * side
    }

    func graph() -> Graph {
        var g = GraphBuilder()
        var x = g.input
        for group in groups {
            x = g.add("cnn.\(group.index)", .conv2d(Conv2dAttributes(padding: Size2(group.kernel / 2))), x)
            var next = group.index + 1
            if group.batchNorm {
                x = g.add("cnn.\(next)", .batchNorm(eps: 1e-5), x)
                next += 1
            }
            x = g.add("cnn.\(next)", .relu, x)
            x = g.add("cnn.\(next + 1)", .maxPool(Pool2dAttributes(kernel: Size2(2))), x)
        }
        x = g.add("flatten", .flatten, x)
        g.add("fc.\(fcIndex)", .linear, x)
        return g.graph
    }

    func expectedShapes() -> [(key: String, shape: [Int])] {
        var shapes: [(key: String, shape: [Int])] = []
        var width = inputChannels
        for group in groups {
            shapes.append(("cnn.\(group.index).weight", [group.out, width, group.kernel, group.kernel]))
            if group.bias { shapes.append(("cnn.\(group.index).bias", [group.out])) }
            if group.batchNorm { shapes += batchNormShapes("cnn.\(group.index + 1)", group.out) }
            width = group.out
        }
        shapes.append(("fc.\(fcIndex).weight", [classes, inFeatures]))
        shapes.append(("fc.\(fcIndex).bias", [classes]))
        return shapes
    }
}
