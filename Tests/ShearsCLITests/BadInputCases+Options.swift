// Bad options (ratios, bits, batch, input sizes, limits, shards, channel importances) and
// outputs that cannot be written: refused before any work, nothing left behind.

import Foundation
import TestSupport

extension BadInputCase {
    private static let student = CaseFolder.student

    static let badOptions: [BadInputCase] = [
        BadInputCase("an amount above 1", mentions: ["1.5"]) { _ in ["prune", student, "--amount", "1.5", "-o", "out.pt"] },
        BadInputCase("a negative amount", mentions: ["-0.2"]) { _ in ["prune", student, "--amount=-0.2", "-o", "out.pt"] },
        BadInputCase("ratios up to 2", mentions: ["2"]) { _ in ["sweep", student, "--data", "d", "--ratios", "0:2:0.5", "--out", "out"] },
        BadInputCase("an iterative rate of 1.5", mentions: ["1.5"]) { _ in ["sweep", student, "--data", "d", "--iterative", "1.5", "--out", "out"] },
        BadInputCase("an unknown method", mentions: ["nosuch"]) { _ in ["prune", student, "--method", "nosuch", "--amount", "0.5", "-o", "out.pt"] },
        BadInputCase("1-bit quantization", mentions: ["bits"]) { _ in ["quantize", student, "--bits", "1", "-o", "out.pkl"] },
        BadInputCase("9-bit quantization", mentions: ["bits"]) { _ in ["quantize", student, "--bits", "9", "-o", "out.pkl"] },
        BadInputCase("a batch of 0", mentions: ["batch"]) { folder in folder.eval(try folder.imageFolder(), ["--batch", "0"]) },
        BadInputCase("an input of 3x0x32", mentions: ["3x0x32"]) { _ in ["bench", student, "--input", "3x0x32"] },
        BadInputCase("an input that is not CxHxW", mentions: ["banana"]) { _ in ["bench", student, "--input", "banana"] },
        BadInputCase("a pixel limit of 0", mentions: ["max-pixels"]) { folder in folder.eval(try folder.imageFolder(), ["--max-pixels", "0"]) },
        BadInputCase("shard 3 of 2", mentions: ["3/2"]) { _ in ["sweep", student, "--data", "d", "--shard", "3/2", "--out", "out"] },
        BadInputCase("a sweep teacher without fine-tuning", mentions: ["--teacher", "--finetune-epochs"]) { _ in
            ["sweep", student, "--data", "d", "--teacher", student, "--out", "out"]
        },
        BadInputCase("sweep training options without fine-tuning", mentions: ["--lr, --train-split need --finetune-epochs"]) { _ in
            ["sweep", student, "--data", "d", "--lr", "0.1", "--train-split", "validation", "--out", "out"]
        },
        BadInputCase("zero fine-tuning epochs", mentions: ["--finetune-epochs", "0"]) { _ in
            ["sweep", student, "--data", "d", "--finetune-epochs", "0", "--out", "out"]
        },
        BadInputCase("a sweep temperature without a teacher", mentions: ["--temperature", "--teacher"]) { _ in
            ["sweep", student, "--data", "d", "--finetune-epochs", "1", "--temperature", "4", "--out", "out"]
        },
        BadInputCase("an unknown importance", mentions: ["--importance", "'bn'"]) { _ in
            ["prune", student, "--method", "channel", "--importance", "bn", "--amount", "0.5", "-o", "out.pt"]
        },
        BadInputCase("an importance for a masking method", mentions: ["--importance bn-scale", "--method l1"]) { _ in
            ["prune", student, "--method", "l1", "--importance", "bn-scale", "--amount", "0.5", "-o", "out.pt"]
        },
        BadInputCase("an importance for sweep methods that remove no channel", mentions: ["--importance l2", "--methods l1,ln"]) { _ in
            ["sweep", student, "--data", "d", "--methods", "l1,ln", "--importance", "l2", "--out", "out"]
        },
        BadInputCase("an importance a method contradicts", mentions: ["contradicts", "channel-l2"]) { _ in
            ["bench", student, "--methods", "channel-l2", "--importance", "bn-scale"]
        },
        BadInputCase("bn-scale on a model without BatchNorm", mentions: ["bn-scale", "not read by a BatchNorm", "l1 or l2"]) { _ in
            ["prune", Fixtures.path("grouped/group-concat.onnx"), "--method", "channel-bn-scale", "--amount", "0.5", "-o", "out.onnx"]
        },
    ]

    /// Outputs under a regular file, or onto a folder: the inputs are good.
    static let unwritableOutputs: [BadInputCase] = [
        BadInputCase("a blob under a regular file", mentions: ["file/out.pkl", "is a file, not a folder"]) { folder in
            try folder.write("file", [0]); return ["quantize", student, "-o", "file/out.pkl"]
        },
        BadInputCase("a pruned model onto a folder", mentions: ["taken", "is a directory"]) { folder in
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("taken"), withIntermediateDirectories: true)
            return ["prune", student, "--amount", "0.5", "-o", "taken"]
        },
        BadInputCase("a predictions CSV under a regular file", mentions: ["file/out.csv", "is a file, not a folder"]) { folder in
            try folder.write("file", [0]); return ["predict", student, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32", "-o", "file/out.csv"]
        },
        BadInputCase("sweep results under a regular file", mentions: ["file/out", "is a file, not a folder"]) { folder in
            try folder.write("file", [0])
            return ["sweep", student, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32", "--ratios", "0.5", "--out", "file/out"]
        },
        BadInputCase("a report under a regular file", mentions: ["file/plots", "is a file, not a folder"]) { folder in
            try folder.write("file", [0])
            let results = try folder.write("results.jsonl", Array(#"{"kind":"prune","model":"m","method":"l1","ratio":0.5,"accuracy":0.9}"#.utf8) + [10])
            return ["report", results, "-o", "file/plots"]
        },
        BadInputCase("an empty output path", mentions: ["output"]) { _ in ["quantize", student, "-o", ""] },
    ]
}
