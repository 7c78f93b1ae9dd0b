// ErrorMessages: the CLI's words for the library's errors. A library error carries its way
// out as a WayOut value; here each way out becomes the flag that takes it, so the line on
// stderr names the file, the problem and the flag.

import ShearsKit

extension WayOut {
    /// The way out as `shears` flags; `sizeFlag`: the flag that sets the input size where the
    /// size came from it (`--input CxHxW`, or `--crop` for the side of a square crop).
    func flags(sizeFlag: SizeFlag = .input) -> String {
        switch self {
        case .wholeModel(let names):
            let forms = "give --arch-from model.txt (what print(model) writes), a torch.save(model) file, a .pt2 from torch.export.save, or a torch.onnx.export .onnx file"
            switch names.count {
            case 0: return forms
            case 1: return "\(forms), or --arch \(names[0]) if it is the catalog's \(names[0])"
            default: return "\(forms), or --arch (\(names.joined(separator: ", ")))"
            }
        case .unforcedArchitecture: return "leave out --arch"
        case .blobGraph: return "give --arch-from model.txt (print(model)), or write the dequantized model with `shears quantize … --also-float model.onnx`"
        case .raiseMemoryLimit: return "raise it with --memory-limit"
        case .countUnknownLabels: return "--count-unknown-labels counts such images as wrong, as PyTorch's (prediction == label) would"
        case .anotherOutput: return "give another --out"
        case .inputSize(nil): return "give \(sizeFlag.rawValue) with the size the model was built for"
        case .inputSize(let exported?):
            let size = sizeFlag == .crop ? String(exported.last ?? 0) : Self.sizeText(exported)
            return "give \(sizeFlag.rawValue) \(size), or export at the size you need"
        case .exportInputSize: return "give it (`shears prune … --input CxHxW`), or export from PyTorch at a fixed size"
        }
    }

    /// The flag that set a refused input size.
    enum SizeFlag: String {
        case input = "--input"
        case crop = "--crop"
    }
}

/// A library error worded as flags in its description, with the flag that set the input size
/// where that was not `--input`: thrown where the size came from `--crop`, and from
/// `validate()`, where ArgumentParser wraps whatever is thrown and prints its description.
struct FlaggedError: Error, CustomStringConvertible {
    let error: Error
    var sizeFlag: WayOut.SizeFlag = .input

    var description: String { commandLineMessage(for: error, sizeFlag: sizeFlag) ?? "\(error)" }
}

/// The line `shears` prints for `error` (after "Error: "): a library error's message with its
/// way out worded as flags; nil for other errors (ArgumentParser words those).
func commandLineMessage(for error: Error, sizeFlag: WayOut.SizeFlag = .input) -> String? {
    switch error {
    case let error as NNError: return error.message { $0.flags(sizeFlag: sizeFlag) }
    case let error as ReportError: return error.message { $0.flags(sizeFlag: sizeFlag) }
    case let flagged as FlaggedError: return flagged.description
    default: return nil
    }
}
