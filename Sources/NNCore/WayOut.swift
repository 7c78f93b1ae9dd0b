// WayOut: what a caller can change so that a refused input goes through, carried by an
// error as a value. Its description words it for a program (the library's parameters); a
// front end words it its own way (the CLI names the flag that takes it).

/// The way out of a refusal: what to give or change so the input goes through.
public enum WayOut: Equatable, Sendable, CustomStringConvertible {
    /// A form that carries the model's whole graph: the module tree text `print(model)` writes
    /// (ModelFile.read's `moduleTreeText:`), a `torch.save(model)` file, a `.pt2` from
    /// `torch.export.save`, or a `torch.onnx.export` `.onnx` file; or else one of
    /// `orArchitectures` (catalog names) forced, where one may fit.
    case wholeModel(orArchitectures: [String] = [])
    /// Force no architecture: the keys alone pick the graph.
    case unforcedArchitecture
    /// The graph of a quantized blob whose keys do not determine it: its module tree text, or
    /// the dequantized model written as an `.onnx` file.
    case blobGraph
    /// A larger `MemoryBudget.limit`.
    case raiseMemoryLimit
    /// Images whose label the model has no class for counted as wrong
    /// (`Evaluator.UnknownLabels.countAsWrong`), as PyTorch's `prediction == label` does.
    case countUnknownLabels
    /// Another output path (the one given is taken, or not a regular file).
    case anotherOutput
    /// The per-sample input size `[C, H, W]` the model was built for: `exported` where the
    /// file records it (then also: export at the size needed).
    case inputSize(exported: [Int]?)
    /// An input size to export an ONNX graph at (some layers have a form only for one), or a
    /// model exported from PyTorch at a fixed size.
    case exportInputSize

    /// The way out in a program's terms: the parameter or type that takes it.
    public var description: String {
        switch self {
        case .wholeModel(let names):
            let forms = "give ModelFile.read the text print(model) writes (moduleTreeText:), a torch.save(model) file, a .pt2 from torch.export.save, or a torch.onnx.export .onnx file"
            switch names.count {
            case 0: return forms
            case 1: return "\(forms), or architecture: \"\(names[0])\" if it is the catalog's \(names[0])"
            default: return "\(forms), or architecture: one of \(names.joined(separator: ", "))"
            }
        case .unforcedArchitecture: return "pass architecture: nil"
        case .blobGraph: return "give ModelFile.read the text print(model) writes (moduleTreeText:), or write the dequantized model as a .onnx file"
        case .raiseMemoryLimit: return "raise MemoryBudget.limit"
        case .countUnknownLabels: return "unknownLabels: .countAsWrong counts such images as wrong, as PyTorch's (prediction == label) would"
        case .anotherOutput: return "give another path"
        case .inputSize(nil): return "pass the size the model was built for"
        case .inputSize(let exported?): return "pass \(Self.sizeText(exported)), or export at the size you need"
        case .exportInputSize: return "give it (input: [C, H, W]), or export from PyTorch at a fixed size"
        }
    }

    /// `shape` as `CxHxW`.
    public static func sizeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }
}
