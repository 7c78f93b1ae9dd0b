// Bad ONNX models (built in Swift with TestSupport's `ONNXModel`, written into the case's
// folder) through every command that loads one: attributes that would send a kernel outside
// its buffers, shapes that overflow or ask for more memory than the budget, and external data
// that is not a regular file inside the model's folder.

import Foundation
import ONNXProto
import TestSupport

extension BadInputCase {
    typealias Attribute = Onnx_AttributeProto

    /// Attributes no kernel may see: each refused at import, naming the file and the node.
    static let onnxAttributes: [BadInputCase] = [
        onnx("Conv dilations [-1, -1] (eval)", file: "neg-dilation.onnx", mentions: ["'/conv/Conv'", "dilations [-1, -1]"],
             .convClassifier(conv: [.ints("dilations", [-1, -1])])) { folder, path in
            ["eval", path, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32"]
        },
        onnx("Conv strides [0, 0] (summary)", file: "zero-stride.onnx", mentions: ["'/conv/Conv'", "strides [0, 0]"],
             .convClassifier(conv: [.ints("strides", [0, 0])]), summary),
        onnx("Conv group 0 (bench)", file: "group-0.onnx", mentions: ["'/conv/Conv'", "group 0"],
             .convClassifier(conv: [.int("group", 0)])) { _, path in ["bench", path, "--input", "3x32x32", "--batch", "1"] },
        onnx("Conv group 0 (profile)", file: "group-0.onnx", mentions: ["'/conv/Conv'", "group 0"],
             .convClassifier(conv: [.int("group", 0)])) { _, path in ["profile", path, "--input", "3x32x32"] },
        onnx("Conv pads [-1, -1, 0, 0] (quantize)", file: "neg-pads.onnx", mentions: ["'/conv/Conv'", "pads [-1, -1, 0, 0]"],
             .convClassifier(conv: [.ints("pads", [-1, -1, 0, 0])])) { _, path in ["quantize", path, "-o", "out.pkl"] },
        onnx("Conv auto_pad with an escape sequence (summary)", file: "auto-pad.onnx", mentions: ["'/conv/Conv'", "auto_pad"],
             .convClassifier(conv: [.string("auto_pad", "SAME\u{1B}[31m\nUPPER")]), summary),
        onnx("MaxPool kernel_shape [-3, 2] (prune -o x.onnx)", file: "neg-kernel.onnx", mentions: ["MaxPool", "kernel_shape [-3, 2]"],
             inserting("MaxPool", [.ints("kernel_shape", [-3, 2])]), prune("x.onnx")),
        onnx("BatchNormalization epsilon NaN (eval)", file: "nan-eps.onnx", mentions: ["BatchNormalization", "epsilon nan"],
             inserting("BatchNormalization", [.float("epsilon", .nan)], floats: ["bn.w", "bn.b", "bn.m", "bn.v"])) { folder, path in
            ["eval", path, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32"]
        },
        onnx("Gather of channel 1000 of 4 (summary)", file: "gather.onnx", mentions: ["Gather", "not all within the input's 4 channels"],
             inserting("Gather", [.int("axis", 1)], integers: ["indices": [0, 1000]]), summary),
        onnx("Gemm transB 2 (summary)", file: "trans-b.onnx", mentions: ["'/fc/Gemm'", "transB 2"], gemm([.int("transB", 2)]), summary),
        onnx("Conv strides typed FLOAT (prune -o x.safetensors)", file: "float-strides.onnx", mentions: ["'strides' is FLOAT, not INTS"],
             .convClassifier(conv: [.with { $0.name = "strides"; $0.type = .float; $0.f = 1 }]), prune("x.safetensors")),
    ]

    /// Sizes that overflow 64 bits or ask for more than the memory budget (half of the test's
    /// 3 GiB `ulimit -v`): refused in one line, never a trap or an allocation.
    static let onnxSizes: [BadInputCase] = [
        onnx("Conv pads of 2^62 (summary)", file: "pads-2-62.onnx", mentions: ["'/conv/Conv'", "pads [4611686018427387904"],
             .convClassifier(conv: [.ints("pads", [1 << 62, 1 << 62, 1 << 62, 1 << 62])]), summary),
        onnx("--input 3x4000000000x4000000000 (summary)", file: "fine.onnx", namesFile: false, mentions: ["input", "3x4000000000x4000000000"],
             .convClassifier(conv: [])) { _, path in ["summary", path, "--input", "3x4000000000x4000000000"] },
        onnx("a 1 KB model whose pads make a 95 GB feature map (eval)", file: "pads-95gb.onnx", namesFile: false,
             mentions: ["layer 'conv'", "[4, 80032, 80032]", "95.4 GB", "memory limit"],
             .convClassifier(kernel: 1, conv: [.ints("pads", [40_000, 40_000, 40_000, 40_000])])) { folder, path in
            ["eval", path, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32"]
        },
        onnx("pads at the 65,536 bound on 3x224x224 (summary)", file: "pads-bound.onnx", namesFile: false,
             mentions: ["layer 'conv'", "[4, 131296, 131296]", "memory limit"],
             .convClassifier(kernel: 1, conv: [.ints("pads", [65_536, 65_536, 65_536, 65_536])])) { _, path in
            ["summary", path, "--input", "3x224x224"]
        },
        onnx("an input of 3x16777216x16777216 (summary)", file: "fine.onnx", namesFile: false, mentions: ["--input", "at most 1048576"],
             .convClassifier(conv: [])) { _, path in ["summary", path, "--input", "3x16777216x16777216"] },
        onnx("an input of 3x1048576x1048576 (summary)", file: "fine.onnx", namesFile: false, mentions: ["--input", "12.0 TB", "memory limit"],
             .convClassifier(conv: [])) { _, path in ["summary", path, "--input", "3x1048576x1048576"] },
        onnx("a batch whose input exceeds the budget (bench)", file: "batch.onnx", namesFile: false,
             mentions: ["--batch", "a batch of 64", "memory limit"],
             .convClassifier(conv: [.ints("pads", [1, 1, 1, 1])])) { _, path in
            ["bench", path, "--input", "3x2048x2048", "--batch", "64", "--methods", "l1", "--warmup", "0", "--iterations", "1"]
        },
        onnx("a batch whose buffers exceed the budget (bench)", file: "batch.onnx", namesFile: false,
             mentions: ["layer 'conv'", "running a batch of 16", "memory limit"],
             .convClassifier(conv: [.ints("pads", [1, 1, 1, 1])])) { _, path in
            ["bench", path, "--input", "3x2048x2048", "--batch", "16", "--methods", "l1", "--warmup", "0", "--iterations", "1"]
        },
        onnx("a max pool window wholly in padding (summary)", file: "pool-padding.onnx", namesFile: false, mentions: ["layer 'x'", "wholly in the padding"],
             inserting("MaxPool", [.ints("kernel_shape", [2, 2]), .ints("pads", [1, 1, 1, 1]), .ints("dilations", [5, 5])]),
             { _, path in ["summary", path, "--input", "3x6x6"] }),
    ]

    /// External data that is not a regular file inside the model's folder, or not within it.
    static let onnxExternalData: [BadInputCase] = [
        external("a link to a file outside the folder (prune -o x.safetensors)", location: "evil.bin",
                 mentions: ["'evil.bin'", "outside the model's folder"], prepare: { folder, model in
            let secret = try folder.write("secret.bin", [UInt8](repeating: 7, count: 512))
            try FileManager.default.createSymbolicLink(atPath: "\(model)/evil.bin", withDestinationPath: secret)
        }, prune("x.safetensors")),
        external("a FIFO (eval)", location: "pipe.bin", mentions: ["'pipe.bin'", "FIFO"], prepare: { _, model in
            guard mkfifo("\(model)/pipe.bin", 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        }) { folder, path in ["eval", path, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32"] },
        external("an offset near 2^63 (summary)", location: "w.bin", offset: "9223372036854775000",
                 mentions: ["'w.bin'", "offset 9223372036854775000"], summary),
        external("a location climbing out with .. (quantize)", location: "../secret.bin", mentions: ["'../secret.bin'", "outside the model's folder"],
                 prepare: { folder, _ in try folder.write("secret.bin", [UInt8](repeating: 7, count: 512)) }) { _, path in
            ["quantize", path, "-o", "out.pkl"]
        },
        external("a sub-folder that links outside (bench)", location: "sub/secret.bin", mentions: ["'sub/secret.bin'", "outside the model's folder"],
                 prepare: { folder, model in
            try folder.write("secret.bin", [UInt8](repeating: 7, count: 512))
            try FileManager.default.createSymbolicLink(atPath: "\(model)/sub", withDestinationPath: folder.url.path)
        }) { _, path in ["bench", path, "--input", "3x32x32", "--batch", "1"] },
        external("a link to /dev/zero (summary)", location: "zero.bin", mentions: ["'zero.bin'", "outside the model's folder"], prepare: { _, model in
            try FileManager.default.createSymbolicLink(atPath: "\(model)/zero.bin", withDestinationPath: "/dev/zero")
        }, summary),
        external("a folder (summary)", location: "dir", mentions: ["'dir'", "a folder"], prepare: { _, model in
            try FileManager.default.createDirectory(atPath: "\(model)/dir", withIntermediateDirectories: true)
        }, summary),
        external("a length past the file's end (summary)", location: "w.bin", length: "100000", mentions: ["'w.bin'", "length 100000"], summary),
        external("a 4 GiB sparse file read whole (summary)", location: "big.bin", length: "4294967296", dims: [1 << 30],
                 mentions: ["'conv.weight'", "memory limit"], prepare: { _, model in
            guard FileManager.default.createFile(atPath: "\(model)/big.bin", contents: nil), truncate("\(model)/big.bin", 1 << 32) == 0 else {
                throw CocoaError(.fileWriteUnknown)
            }
        }, summary),
    ]

    // MARK: Builders

    /// `shears summary FILE --input 3x32x32`.
    static func summary(_ folder: CaseFolder, _ path: String) -> [String] { ["summary", path, "--input", "3x32x32"] }

    /// `shears prune FILE --method l1 --amount 0.5 -o OUT`.
    static func prune(_ output: String) -> (CaseFolder, String) throws -> [String] {
        { _, path in ["prune", path, "--method", "l1", "--amount", "0.5", "-o", output] }
    }

    /// The conv classifier with node `/x/Op` running `op` after the conv, its extra inputs
    /// float initializers of 4 values (`floats`) or the integers given.
    static func inserting(_ op: String, _ attributes: [Attribute], floats: [String] = [], integers: [String: [Int]] = [:]) -> ONNXModel {
        var model = ONNXModel.convClassifier(conv: [])
        for name in floats { model.initializer(name, dims: [4], floats: [1, 1, 1, 1]) }
        for (name, values) in integers { model.integers(name, values) }
        model.insert(op, after: "c", extra: floats + integers.keys.sorted(), name: "/x/Op", attributes: attributes)
        return model
    }

    /// The conv classifier with its Gemm's attributes replaced.
    static func gemm(_ attributes: [Attribute]) -> ONNXModel {
        var model = ONNXModel.convClassifier(conv: [])
        if let k = model.proto.graph.node.firstIndex(where: { $0.opType == "Gemm" }) { model.proto.graph.node[k].attribute = attributes }
        return model
    }

    /// `model` written as `file`, then the command `arguments` makes of the folder and its path.
    /// The error names the file unless it is about a layer at the input size (`namesFile` false:
    /// the engine knows layers, not files) or the `--input` flag.
    static func onnx(_ name: String, file: String, namesFile: Bool = true, mentions: [String], _ model: ONNXModel,
                     _ arguments: @escaping (CaseFolder, String) throws -> [String]) -> BadInputCase {
        BadInputCase(name, mentions: (namesFile ? [file] : []) + mentions) { folder in
            try arguments(folder, try folder.write(file, try model.bytes(output: "logits")))
        }
    }

    /// `model/m.onnx` whose conv weight (`dims`, 108 floats by default) is external data at
    /// `location` (offset, length as given), beside a good `model/w.bin` of 512 bytes; `prepare`
    /// makes the rest (given the case's folder and the model's folder).
    static func external(_ name: String, location: String, offset: String = "0", length: String = "432", dims: [Int] = [4, 3, 3, 3],
                         mentions: [String], prepare: @escaping (CaseFolder, String) throws -> Void = { _, _ in },
                         _ arguments: @escaping (CaseFolder, String) throws -> [String]) -> BadInputCase {
        BadInputCase(name, mentions: ["m.onnx"] + mentions) { folder in
            var model = ONNXModel.convClassifier(conv: [])
            model.removeInitializer("conv.weight")
            model.externalInitializer("conv.weight", dims: dims, entries: [("location", location), ("offset", offset), ("length", length)])
            let path = try folder.write("model/m.onnx", try model.bytes(output: "logits"))
            try folder.write("model/w.bin", [UInt8](repeating: 0, count: 512))
            try prepare(folder, folder.url.appendingPathComponent("model").path)
            return try arguments(folder, path)
        }
    }
}
