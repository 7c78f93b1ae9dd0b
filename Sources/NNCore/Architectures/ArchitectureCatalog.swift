// ArchitectureCatalog: the networks Shears can rebuild from a state dict alone, how they
// are recognised by key names, and default instances for `shears summary --arch`.

/// Recognises, builds and verifies catalog architectures.
public enum ArchitectureCatalog {
    /// Names accepted by `--arch` (resnet18 and resnet34 share one builder).
    public static let names = ["resnet18", "resnet34", "student", "plain-cnn"]

    /// The catalog family a state dict's keys belong to, or nil.
    ///
    /// ResNet: `layer1.0.conv1.weight`; student: `layer1.0.weight` and `layer1.3.weight`;
    /// plain CNN: `cnn.0.weight`-style keys with an `fc.<i>.weight` classifier.
    public static func detect(_ stateDict: StateDict) -> String? {
        if stateDict["layer1.0.conv1.weight"] != nil { return (try? ResNetSpec(stateDict: stateDict))?.name ?? "resnet" }
        if stateDict["layer1.0.weight"] != nil && stateDict["layer1.3.weight"] != nil { return "student" }
        if stateDict.keys.contains(where: { $0.hasPrefix("cnn.") }) { return "plain-cnn" }
        return nil
    }

    /// Builds the model for `stateDict`, verified strictly against the architecture.
    ///
    /// - Parameter architecture: a catalog name to force; nil detects it from the keys.
    public static func build(_ stateDict: StateDict, architecture: String? = nil) throws -> Model {
        guard let name = architecture ?? detect(stateDict) else {
            let sample = stateDict.keys.prefix(5).joined(separator: ", ")
            throw NNError.unknownArchitecture("no catalog architecture has keys like \(sample); give --arch-from model.txt (what print(model) writes), a torch.save(model) file, a torch.onnx.export .onnx file, or --arch (\(names.joined(separator: ", ")))")
        }
        let model = try spec(named: name, stateDict: stateDict).model(with: stateDict)
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

    private static func spec(named name: String, stateDict: StateDict) throws -> ArchitectureSpec {
        switch name {
        case "resnet18", "resnet34", "resnet": return try ResNetSpec(stateDict: stateDict)
        case "student": return try StudentSpec(stateDict: stateDict)
        case "plain-cnn": return try PlainCNNSpec(stateDict: stateDict)
        default: throw NNError.unknownArchitecture("'\(name)'; choose one of \(names.joined(separator: ", "))")
        }
    }
}
