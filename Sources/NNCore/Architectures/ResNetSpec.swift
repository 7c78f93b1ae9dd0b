// ResNetSpec: torchvision ResNet with BasicBlocks (resnet18 = [2,2,2,2], resnet34 =
// [3,4,6,3]) at any widths, per block, so channel-pruned checkpoints load as they are.
// Module names are torchvision's: conv1, bn1, relu, maxpool,
// layerS.B.{conv1,bn1,conv2,bn2,downsample.0,downsample.1}, avgpool, fc.
// The first block of stage S > 1 has stride 2.

/// A torchvision BasicBlock ResNet.
struct ResNetSpec: ArchitectureSpec {
    /// One BasicBlock: `conv1` [mid, in, 3, 3] → `conv2` [out, mid, 3, 3], plus a 1x1 downsample.
    struct Block {
        var mid: Int
        var out: Int
        var stride: Int
        var downsample: Bool
    }

    var inputChannels = 3
    var stemWidth = 64
    /// Blocks per stage.
    var stages: [[Block]] = []
    var classes = 1000

    var name: String {
        switch stages.map(\.count) {
        case [2, 2, 2, 2]: return "resnet18"
        case [3, 4, 6, 3]: return "resnet34"
        default: return "resnet"
        }
    }

    /// Reads every block's widths and the classes from a torchvision-named state dict.
    init(stateDict: StateDict) throws {
        let arch = "resnet"
        guard stateDict["layer1.0.conv3.weight"] == nil else {
            throw NNError.unknownArchitecture("its blocks are Bottlenecks (resnet50 and up), not the BasicBlocks of the catalog's resnet18/34, and its keys alone load it as torchvision's ResNet", wayOut: .unforcedArchitecture)
        }
        let conv1 = try requiredShape(stateDict, "conv1.weight", rank: 4, architecture: arch)
        (inputChannels, stemWidth) = (conv1[1], conv1[0])
        var s = 1
        while stateDict["layer\(s).0.conv1.weight"] != nil {
            var blocks: [Block] = []
            var b = 0
            while stateDict["layer\(s).\(b).conv1.weight"] != nil {
                let prefix = "layer\(s).\(b)"
                blocks.append(Block(mid: try requiredShape(stateDict, "\(prefix).conv1.weight", rank: 4, architecture: arch)[0],
                                    out: try requiredShape(stateDict, "\(prefix).conv2.weight", rank: 4, architecture: arch)[0],
                                    stride: (s > 1 && b == 0) ? 2 : 1,
                                    downsample: stateDict["\(prefix).downsample.0.weight"] != nil))
                b += 1
            }
            stages.append(blocks)
            s += 1
        }
        classes = try requiredShape(stateDict, "fc.weight", rank: 2, architecture: arch)[0]
    }

    /// torchvision's standard widths (64, 128, 256, 512) with `blocks` per stage.
    init(blocks: [Int], classes: Int) {
        self.classes = classes
        var inWidth = stemWidth
        for (s, count) in blocks.enumerated() {
            let width = 64 << s
            stages.append((0..<count).map { b in
                let stride = (s > 0 && b == 0) ? 2 : 1
                defer { inWidth = width }
                return Block(mid: width, out: width, stride: stride, downsample: stride != 1 || inWidth != width)
            })
        }
    }

    private func forEachBlock(_ body: (_ prefix: String, _ inWidth: Int, _ block: Block) -> Void) {
        var inWidth = stemWidth
        for (s, blocks) in stages.enumerated() {
            for (b, block) in blocks.enumerated() {
                body("layer\(s + 1).\(b)", inWidth, block)
                inWidth = block.out
            }
        }
    }

    func graph() -> Graph {
        var g = GraphBuilder()
        var x = g.add("conv1", .conv2d(Conv2dAttributes(stride: Size2(2), padding: Size2(3))), g.input)
        x = g.add("bn1", .batchNorm(eps: 1e-5), x)
        x = g.add("relu", .relu, x)
        x = g.add("maxpool", .maxPool(Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1))), x)
        forEachBlock { prefix, _, block in
            var y = g.add("\(prefix).conv1", .conv2d(Conv2dAttributes(stride: Size2(block.stride), padding: Size2(1))), x)
            y = g.add("\(prefix).bn1", .batchNorm(eps: 1e-5), y)
            y = g.add("\(prefix).relu", .relu, y)
            y = g.add("\(prefix).conv2", .conv2d(Conv2dAttributes(padding: Size2(1))), y)
            y = g.add("\(prefix).bn2", .batchNorm(eps: 1e-5), y)
            var identity = x
            if block.downsample {
                identity = g.add("\(prefix).downsample.0", .conv2d(Conv2dAttributes(stride: Size2(block.stride))), x)
                identity = g.add("\(prefix).downsample.1", .batchNorm(eps: 1e-5), identity)
            }
            y = g.add("\(prefix).add", .add, y, identity)
            x = g.add("\(prefix).relu_out", .relu, y)
        }
        x = g.add("avgpool", .adaptiveAvgPool(Size2(1)), x)
        x = g.add("flatten", .flatten, x)
        g.add("fc", .linear, x)
        return g.graph
    }

    func expectedShapes() -> [(key: String, shape: [Int])] {
        var shapes: [(key: String, shape: [Int])] = [("conv1.weight", [stemWidth, inputChannels, 7, 7])]
        shapes += batchNormShapes("bn1", stemWidth)
        var last = stemWidth
        forEachBlock { prefix, inWidth, block in
            shapes.append(("\(prefix).conv1.weight", [block.mid, inWidth, 3, 3]))
            shapes += batchNormShapes("\(prefix).bn1", block.mid)
            shapes.append(("\(prefix).conv2.weight", [block.out, block.mid, 3, 3]))
            shapes += batchNormShapes("\(prefix).bn2", block.out)
            if block.downsample {
                shapes.append(("\(prefix).downsample.0.weight", [block.out, inWidth, 1, 1]))
                shapes += batchNormShapes("\(prefix).downsample.1", block.out)
            }
            last = block.out
        }
        shapes.append(("fc.weight", [classes, last]))
        shapes.append(("fc.bias", [classes]))
        return shapes
    }
}
