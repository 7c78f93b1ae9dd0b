// PlainCNNSpec: the plain CNN of seed 001: `cnn` = Sequential of groups
// (Conv2d k×k pad k/2 with bias, [BatchNorm2d], ReLU, [MaxPool2d(2, 2)]), then `fc` =
// Sequential(Linear) over the flattened features. Group positions come from the keys: a
// conv at index i, its BatchNorm (when present) at i + 1, ReLU after it, and a pool where the
// next conv sits one index further. After the last conv the keys show nothing: of the two
// layouts (pool or not), the one whose flattened width at the input size equals fc's
// in_features is taken. With no input size, or one no layout fits (the run will say the
// input is wrong), only the seed's layout is accepted (a pool after every conv). Any other layout (the TA student's AdaptiveAvgPool inside `cnn`, unpadded
// convs) is refused, naming the forms that show the whole model.

/// The seed-001 TeacherNet family.
struct PlainCNNSpec: ArchitectureSpec {
    /// One conv group: the conv's Sequential index, widths, kernel and whether a BN follows.
    struct Group {
        var index: Int
        var out: Int
        var kernel: Int
        var batchNorm: Bool
        var bias: Bool
        var pool = true
    }

    let name = "plain-cnn"
    var inputChannels = 3
    var groups: [Group] = []
    var fcIndex = 0
    var inFeatures = 0
    var classes = 11

    /// Reads the groups from `cnn.<i>.*` keys and the classifier from `fc.<j>.weight`.
    ///
    /// - Parameter inputSize: the side of the square input the model runs at (`--input`, the
    ///   crop); it decides whether the last conv has a pool. nil: the seed's layout (a pool).
    init(stateDict: StateDict, inputSize: Int? = nil) throws {
        let convIndices = stateDict.keys.compactMap { key -> Int? in
            let parts = key.split(separator: ".")
            guard parts.count == 3, parts[0] == "cnn", parts[2] == "weight", let i = Int(parts[1]),
                  stateDict[key]?.shape.count == 4 else { return nil }
            return i
        }.sorted()
        guard let first = convIndices.first else {
            throw NNError.stateDictMismatch(architecture: name, missing: ["cnn.0.weight"], unexpected: [], mismatched: [])
        }
        inputChannels = try requiredShape(stateDict, "cnn.\(first).weight", rank: 4, architecture: name)[1]
        groups = try convIndices.map { i in
            let w = try requiredShape(stateDict, "cnn.\(i).weight", rank: 4, architecture: name)
            return Group(index: i, out: w[0], kernel: w[2], batchNorm: stateDict["cnn.\(i + 1).running_mean"] != nil,
                         bias: stateDict["cnn.\(i).bias"] != nil)
        }
        // Conv at 0; each group (conv, [BN], ReLU, [MaxPool]) right after the last: padding and
        // pools have no parameters, so the next conv's index says whether a pool came between.
        for g in groups.indices {
            let end = g == 0 ? 0 : groups[g - 1].index + (groups[g - 1].batchNorm ? 3 : 2)
            // With no input size to check a layout against, only the seed's: a pool after every conv.
            guard groups[g].index == end + (g == 0 ? 0 : 1) || (inputSize != nil && g > 0 && groups[g].index == end) else {
                throw NNError.unknownArchitecture("the `cnn` convs sit at \(groups.map { String($0.index) }.joined(separator: ", ")), not in the plain CNN's (conv, BN, ReLU, MaxPool) groups\(inputSize == nil ? " (or, given the input size, groups with a pool or not)" : ""), and a state dict cannot show padding or where pools are", wayOut: .wholeModel())
            }
            if g > 0 { groups[g - 1].pool = groups[g].index == end + 1 }
        }
        let fcKeys = stateDict.keys.filter { $0.hasPrefix("fc.") && $0.hasSuffix(".weight") }
        guard fcKeys.count == 1, let key = fcKeys.first, let j = Int(key.split(separator: ".")[1]) else {
            throw NNError.stateDictMismatch(architecture: name, missing: fcKeys.isEmpty ? ["fc.0.weight"] : [], unexpected: fcKeys.count > 1 ? fcKeys : [], mismatched: [])
        }
        fcIndex = j
        let fc = try requiredShape(stateDict, key, rank: 2, architecture: name)
        (classes, inFeatures) = (fc[0], fc[1])
        if let inputSize {
            let fits = [true, false].filter { pool in
                var layout = groups
                layout[layout.count - 1].pool = pool
                return flattenedWidth(layout, inputSize: inputSize) == inFeatures
            }
            let seedLayout = groups.dropLast().allSatisfy(\.pool)
            guard fits.count == 1 || (fits.isEmpty && seedLayout), let pool = fits.first ?? (seedLayout ? true : nil) else {
                throw NNError.unknownArchitecture("fc.\(j) reads \(inFeatures) features, which \(fits.isEmpty ? "no" : "more than one") layout of the `cnn` convs at \(groups.map { String($0.index) }.joined(separator: ", ")) gives at a \(inputSize)x\(inputSize) input (3x3 convs padded, a 2x2 max pool after the last conv or not)", wayOut: .wholeModel())
            }
            groups[groups.count - 1].pool = pool
        }
    }

    /// Channels x height x width after the groups for an `inputSize`-square input (nil when a
    /// pool meets a map smaller than its window).
    private func flattenedWidth(_ groups: [Group], inputSize: Int) -> Int? {
        var side = inputSize
        for group in groups {
            side += 2 * (group.kernel / 2) - group.kernel + 1
            if group.pool { side /= 2 }
            guard side >= 1 else { return nil }
        }
        return groups.last.flatMap { [$0.out, side, side].checkedProduct }
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
            if group.pool { x = g.add("cnn.\(next + 1)", .maxPool(Pool2dAttributes(kernel: Size2(2))), x) }
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
