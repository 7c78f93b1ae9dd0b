// ModelFileWriter: writes a model in the format its file name asks for: `.onnx` → an ONNX
// graph with the weights (ONNXExporter), `.safetensors` → the state dict as safetensors,
// anything else → a torch.save zip of the state dict (TorchCheckpointWriter). Each write is
// atomic.

/// Writes models by file extension.
public enum ModelFileWriter {
    /// The formats, by extension.
    public enum Format: String, CaseIterable, Sendable {
        case torch, safetensors, onnx

        /// The format `path`'s extension names (torch for `.pt`, `.pth` and anything else).
        public init(path: String) {
            let lower = path.lowercased()
            self = lower.hasSuffix(".onnx") ? .onnx : lower.hasSuffix(".safetensors") ? .safetensors : .torch
        }
    }

    /// Writes `model` to `path` in the format its extension names; an ONNX file is written
    /// for images of `input` where a layer's form depends on the size (the notes say which).
    @discardableResult
    public static func write(_ model: Model, to path: String, input: [Int]? = nil) throws -> [String] {
        switch Format(path: path) {
        case .onnx: return try ONNXExporter.write(model, to: path, input: input)
        case .safetensors: try SafetensorsWriter.write(model.stateDict, to: path)
        case .torch: try TorchCheckpointWriter.write(model.stateDict, to: path)
        }
        return []
    }
}
