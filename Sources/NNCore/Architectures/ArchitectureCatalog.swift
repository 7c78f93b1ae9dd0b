// ArchitectureCatalog: the networks Shears can rebuild from a state dict alone, how they
// are recognised by key names, and default instances for `shears summary --arch`.

/// Recognises, builds and verifies catalog architectures.
public enum ArchitectureCatalog {
    /// Names accepted by `--arch` (resnet18 and resnet34 share one builder).
    public static let names = ["resnet18", "resnet34", "student", "plain-cnn"]

    /// The catalog family a state dict's keys belong to, or nil.
    ///
    /// ResNet: `layer1.0.conv1.weight` without `layer1.0.conv3.weight` (BasicBlocks); student:
    /// `layer1.0.weight` and `layer1.3.weight`; plain CNN: a conv weight `cnn.<i>.weight`.
    public static func detect(_ stateDict: StateDict) -> String? {
        if stateDict["layer1.0.conv1.weight"] != nil && stateDict["layer1.0.conv3.weight"] == nil {
            return (try? ResNetSpec(stateDict: stateDict))?.name ?? "resnet"
        }
        if stateDict["layer1.0.weight"] != nil && stateDict["layer1.3.weight"] != nil { return "student" }
        let flatConv = stateDict.keys.contains { key in
            let parts = key.split(separator: ".")
            return parts.count == 3 && parts[0] == "cnn" && Int(parts[1]) != nil && parts[2] == "weight" && stateDict[key]?.shape.count == 4
        }
        return flatConv ? "plain-cnn" : nil
    }

    /// Builds the model for `stateDict`, verified strictly against the architecture.
    ///
    /// - Parameters:
    ///   - architecture: a catalog name to force; nil detects it from the keys.
    ///   - inputSize: the side of the square input the model runs at, where known: it picks
    ///     the plain CNN's layout after its last conv.
    public static func build(_ stateDict: StateDict, architecture: String? = nil, inputSize: Int? = nil) throws -> Model {
        guard let name = architecture ?? detect(stateDict) else {
            let sample = stateDict.keys.prefix(5).joined(separator: ", ")
            throw NNError.unknownArchitecture("no architecture Shears knows has keys like \(sample)", wayOut: .wholeModel(orArchitectures: names))
        }
        let convBias = { (key: String) -> Bool in
            let parts = key.split(separator: ".")
            return key == "conv1.bias" || (parts.count == 3 && parts[0].hasPrefix("layer") && ["0", "3"].contains(parts[1]) && parts[2] == "bias")
        }
        if architecture == nil, name == "student", let bias = stateDict.keys.first(where: convBias) {
            // The seeds' students have bias-free convs and ReLU; with biases (as '\(bias)') the
            // keys are a student's but the activations could be any (LeakyReLU, ReLU6, …).
            throw NNError.unknownArchitecture("its keys are the course student's, but with conv biases ('\(bias)'), unlike the seeds' bias-free ReLU students, and a state dict cannot show which activations it used", wayOut: .wholeModel(orArchitectures: ["student"]))
        }
        let model = try spec(named: name, stateDict: stateDict, inputSize: inputSize).model(with: stateDict)
        if let forced = architecture, forced.hasPrefix("resnet"), model.architecture != forced, model.architecture != "resnet" {
            throw NNError.unknownArchitecture("the checkpoint is a \(model.architecture), not a \(forced)")
        }
        return model
    }

    /// A catalog architecture with its standard widths and zero weights (for summaries).
    ///
    /// - Parameter input: `[C, H, W]`; the plain CNN's classifier width depends on it.
    public static func defaultModel(_ name: String, classes: Int, input: [Int] = [3, 224, 224]) throws -> Model {
        switch name {
        case "resnet18": return ResNetSpec(blocks: [2, 2, 2, 2], classes: classes).zeroModel()
        case "resnet34": return ResNetSpec(blocks: [3, 4, 6, 3], classes: classes).zeroModel()
        case "student": return StudentSpec(classes: classes).zeroModel()
        case "plain-cnn": return PlainCNNSpec(classes: classes, inputSize: input.count == 3 ? input[1] : 256).zeroModel()
        default: throw NNError.unknownArchitecture("'\(name)'; choose one of \(names.joined(separator: ", "))")
        }
    }

    private static func spec(named name: String, stateDict: StateDict, inputSize: Int?) throws -> ArchitectureSpec {
        switch name {
        case "resnet18", "resnet34", "resnet": return try ResNetSpec(stateDict: stateDict)
        case "student": return try StudentSpec(stateDict: stateDict)
        case "plain-cnn": return try PlainCNNSpec(stateDict: stateDict, inputSize: inputSize)
        default: throw NNError.unknownArchitecture("'\(name)'; choose one of \(names.joined(separator: ", "))")
        }
    }
}
