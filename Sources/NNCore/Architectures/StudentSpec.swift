// StudentSpec: the homework's depthwise-separable student (ML2022 HW13, seeds 000/002):
// conv1 7x7/2 pad 3, bn1, relu, maxpool 3/2 pad 1, then layerN = Sequential(
// 0 depthwise conv k×k (groups = in, padding k/2), 1 BN, 2 ReLU, 3 pointwise 1x1 conv,
// 4 BN, 5 ReLU) for any number of layers (layer1 stride 1, later layers stride 2),
// avgpool (adaptive 1x1), fc. Widths and optional conv biases come from the checkpoint.

/// The homework StudentNet family.
struct StudentSpec: ArchitectureSpec {
    /// One `dwpw_conv` Sequential: depthwise over `inWidth` channels, pointwise to `out`.
    struct Layer {
        var out: Int
        var kernel: Int
        var stride: Int
        var depthwiseBias: Bool
        var pointwiseBias: Bool
    }

    let name = "student"
    var inputChannels = 3
    var stemWidth = 64
    var stemKernel = 7
    var stemBias = false
    var layers: [Layer] = []
    var classes = 11

    /// Reads the widths from a state dict with the student's key names.
    init(stateDict: StateDict) throws {
        let conv1 = try requiredShape(stateDict, "conv1.weight", rank: 4, architecture: name)
        (stemWidth, inputChannels, stemKernel) = (conv1[0], conv1[1], conv1[2])
        stemBias = stateDict["conv1.bias"] != nil
        var n = 1
        while stateDict["layer\(n).0.weight"] != nil {
            let depthwise = try requiredShape(stateDict, "layer\(n).0.weight", rank: 4, architecture: name)
            let pointwise = try requiredShape(stateDict, "layer\(n).3.weight", rank: 4, architecture: name)
            layers.append(Layer(out: pointwise[0], kernel: depthwise[2], stride: n == 1 ? 1 : 2,
                                depthwiseBias: stateDict["layer\(n).0.bias"] != nil,
                                pointwiseBias: stateDict["layer\(n).3.bias"] != nil))
            n += 1
        }
        classes = try requiredShape(stateDict, "fc.weight", rank: 2, architecture: name)[0]
    }

    /// The seed's StudentNet: widths 64, 64, 128, 256, 141.
    init(classes: Int) {
        self.classes = classes
        layers = [64, 128, 256, 141].enumerated().map { i, out in
            Layer(out: out, kernel: 3, stride: i == 0 ? 1 : 2, depthwiseBias: false, pointwiseBias: false)
        }
    }

    func graph() -> Graph {
        var g = GraphBuilder()
        var x = g.add("conv1", .conv2d(Conv2dAttributes(stride: Size2(2), padding: Size2(stemKernel / 2))), g.input)
        x = g.add("bn1", .batchNorm(eps: 1e-5), x)
        x = g.add("relu", .relu, x)
        x = g.add("maxpool", .maxPool(Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1))), x)
        var width = stemWidth
        for (i, layer) in layers.enumerated() {
            let p = "layer\(i + 1)"
            x = g.add("\(p).0", .conv2d(Conv2dAttributes(stride: Size2(layer.stride), padding: Size2(layer.kernel / 2), groups: width)), x)
            x = g.add("\(p).1", .batchNorm(eps: 1e-5), x)
            x = g.add("\(p).2", .relu, x)
            x = g.add("\(p).3", .conv2d(Conv2dAttributes()), x)
            x = g.add("\(p).4", .batchNorm(eps: 1e-5), x)
            x = g.add("\(p).5", .relu, x)
            width = layer.out
        }
        x = g.add("avgpool", .adaptiveAvgPool(Size2(1)), x)
        x = g.add("flatten", .flatten, x)
        g.add("fc", .linear, x)
        return g.graph
    }

    func expectedShapes() -> [(key: String, shape: [Int])] {
        var shapes: [(key: String, shape: [Int])] = [("conv1.weight", [stemWidth, inputChannels, stemKernel, stemKernel])]
        if stemBias { shapes.append(("conv1.bias", [stemWidth])) }
        shapes += batchNormShapes("bn1", stemWidth)
        var width = stemWidth
        for (i, layer) in layers.enumerated() {
            let p = "layer\(i + 1)"
            shapes.append(("\(p).0.weight", [width, 1, layer.kernel, layer.kernel]))
            if layer.depthwiseBias { shapes.append(("\(p).0.bias", [width])) }
            shapes += batchNormShapes("\(p).1", width)
            shapes.append(("\(p).3.weight", [layer.out, width, 1, 1]))
            if layer.pointwiseBias { shapes.append(("\(p).3.bias", [layer.out])) }
            shapes += batchNormShapes("\(p).4", layer.out)
            width = layer.out
        }
        shapes.append(("fc.weight", [classes, width]))
        shapes.append(("fc.bias", [classes]))
        return shapes
    }
}
