// Bad options and hostile data folders and names through the CLI: number syntaxes that would
// trap, hang or ask for unbounded memory (input sizes, ratio ranges, counts, preprocessing),
// the memory limit, files that are not regular files, links that loop, and names holding
// control characters. Each is refused in one line before any work.

import Foundation
import ShearsKit

extension BadInputCase {
    private static let student = CaseFolder.student

    /// `--input` CxHxW: strictly three positive decimal integers, bounded, within the budget.
    static let badInputShapes: [BadInputCase] = [
        BadInputCase("--input 3xfoox32x32", mentions: ["--input", "3xfoox32x32"]) { _ in ["summary", student, "--input", "3xfoox32x32"] },
        BadInputCase("--input 3x4000000000x4000000000", mentions: ["--input", "at most"]) { _ in
            ["bench", student, "--input", "3x4000000000x4000000000"]
        },
        BadInputCase("--input with a trailing x", mentions: ["--input", "3x32x32x"]) { _ in ["summary", student, "--input", "3x32x32x"] },
        BadInputCase("--input with a sign", mentions: ["--input", "+3x32x32"]) { _ in ["summary", student, "--input", "+3x32x32"] },
        BadInputCase("--input with a space", mentions: ["--input"]) { _ in ["bench", student, "--input", "3x 32x32"] },
        BadInputCase("--input of two sides", mentions: ["--input", "3x32"]) { _ in ["summary", student, "--input", "3x32"] },
        BadInputCase("--input overflowing Int", mentions: ["--input"]) { _ in ["summary", student, "--input", "3x99999999999999999999x2"] },
        BadInputCase("--input of 1x65536x65536 (16 GB)", mentions: ["--input", "memory limit"]) { _ in
            ["summary", student, "--input", "1x65536x65536"]
        },
        BadInputCase("--input over a lowered --memory-limit", mentions: ["--input", "memory limit"]) { _ in
            ["summary", student, "--input", "3x224x224", "--memory-limit", "100K"]
        },
    ]

    /// Fraction lists and ranges: finite, in [0, 1], step > 0, the point count capped.
    static let badRatios: [BadInputCase] = [
        sweep("--ratios 0:1e400:0.1", ["--ratios", "0:1e400:0.1"], mentions: ["--ratios", "1e400"]),
        sweep("--ratios with a step of 1e-300", ["--ratios", "0:1:1e-300"], mentions: ["--ratios", "--max-points"]),
        sweep("--ratios 0:1:1e-8 (10^8 points)", ["--ratios", "0:1:1e-8"], mentions: ["100000001 points", "--max-points"]),
        sweep("--ratios nan", ["--ratios", "nan,0.5"], mentions: ["--ratios", "nan"]),
        sweep("--ratios inf", ["--ratios", "0.1,inf"], mentions: ["--ratios", "inf"]),
        sweep("--ratios a hex float", ["--ratios", "0x1p-1"], mentions: ["--ratios", "0x1p-1"]),
        sweep("--ratios with an empty entry", ["--ratios", "0.1,,0.2"], mentions: ["--ratios"]),
        sweep("--ratios range stop below start", ["--ratios", "0.5:0.2:0.1"], mentions: ["--ratios", "start <= stop"]),
        sweep("--ratios range step 0", ["--ratios", "0:1:0"], mentions: ["--ratios", "step > 0"]),
        sweep("--ratios range step -0.1", ["--ratios", "0:1:-0.1"], mentions: ["--ratios", "step > 0"]),
        sweep("--ratios range of four parts", ["--ratios", "0:0.5:0.1:1"], mentions: ["--ratios", "start:stop:step"]),
        sweep("--iterative nan", ["--iterative", "0.1,nan"], mentions: ["--iterative"]),
        sweep("--iterative with 10^6 steps", ["--iterative", "0.1", "--steps", "1000000"], mentions: ["this sweep", "--max-points"]),
        sweep("--steps 0", ["--iterative", "0.1", "--steps", "0"], mentions: ["--steps"]),
        sweep("--max-points 0", ["--max-points", "0"], mentions: ["--max-points"]),
        sweep("a sweep over a lowered --max-points", ["--ratios", "0:0.9:0.1", "--max-points", "5"], mentions: ["10 points", "--max-points"]),
        BadInputCase("sensitivity --ratios of 10001 points", mentions: ["10001 points", "--max-points"]) { _ in
            ["sensitivity", student, "--data", "d", "--ratios", "0:1:0.0001", "--out", "out"]
        },
        BadInputCase("sensitivity: 10 layers × 91 ratios over --max-points 100", mentions: ["910 points", "--max-points"]) { folder in
            ["sensitivity", student, "--data", try folder.imageFolder(), "--resize", "36", "--crop", "32",
             "--ratios", "0:0.9:0.01", "--max-points", "100", "--out", "out"]
        },
        BadInputCase("bench: variants × batch sizes over the cap", mentions: ["--batch", "--max-points"]) { _ in
            ["bench", student, "--ratios", "0:0.9:0.01", "--batch", "1,2,4,8,16,32,64"]
        },
        BadInputCase("bench --ratios 0:1:1e-5", mentions: ["--ratios", "--max-points"]) { _ in ["bench", student, "--ratios", "0:1:1e-5"] },
        BadInputCase("crossover --densities 1e-320:1:1e-320", mentions: ["--densities", "--max-points"]) { _ in
            ["crossover", "--densities", "1e-320:1:1e-320"]
        },
    ]

    /// Integer lists and counts: decimal, in range, bounded.
    static let badCounts: [BadInputCase] = [
        sweep("--quant-bits 4,99", ["--quant-bits", "4,99"], mentions: ["--quant-bits", "2 to 8"]),
        sweep("--quant-bits 8e0", ["--quant-bits", "8e0"], mentions: ["--quant-bits"]),
        sweep("--quant-bits with an empty entry", ["--quant-bits", "2,,8"], mentions: ["--quant-bits"]),
        sweep("--timing-iterations -1", ["--timing-iterations=-1"], mentions: ["--timing-iterations"]),
        sweep("--timing-iterations 10^7", ["--timing-iterations", "10000000"], mentions: ["--timing-iterations"]),
        sweep("--shard 0/2", ["--shard", "0/2"], mentions: ["--shard", "0/2"]),
        sweep("--shard 1/0", ["--shard", "1/0"], mentions: ["--shard", "1/0"]),
        sweep("--shard +1/2", ["--shard", "+1/2"], mentions: ["--shard", "+1/2"]),
        sweep("--shard 1/2/3", ["--shard", "1/2/3"], mentions: ["--shard", "1/2/3"]),
        sweep("--shard past Int", ["--shard", "1/99999999999999999999"], mentions: ["--shard"]),
        BadInputCase("bench --batch 1,-32", mentions: ["--batch", "1,-32"]) { _ in ["bench", student, "--batch", "1,-32"] },
        BadInputCase("bench --batch +4", mentions: ["--batch", "+4"]) { _ in ["bench", student, "--batch", "+4"] },
        BadInputCase("bench --batch of 100000 224x224 images", mentions: ["--batch", "memory limit"]) { _ in
            ["bench", student, "--batch", "100000", "--input", "3x224x224"]
        },
        BadInputCase("bench --threads 0", mentions: ["--threads"]) { _ in ["bench", student, "--threads", "0"] },
        BadInputCase("bench --threads 100000", mentions: ["--threads"]) { _ in ["bench", student, "--threads", "100000"] },
        BadInputCase("bench --iterations 0", mentions: ["--iterations"]) { _ in ["bench", student, "--iterations", "0"] },
        BadInputCase("bench --warmup 10^9", mentions: ["--warmup"]) { _ in ["bench", student, "--warmup", "1000000000"] },
        BadInputCase("profile --batch 0", mentions: ["--batch"]) { _ in ["profile", student, "--batch", "0"] },
        BadInputCase("profile --batch of 100000 224x224 images", mentions: ["--batch", "memory limit"]) { _ in
            ["profile", student, "--batch", "100000", "--input", "3x224x224"]
        },
        BadInputCase("profile --iterations 10^6", mentions: ["--iterations"]) { _ in ["profile", student, "--iterations", "1000000"] },
        BadInputCase("profile --threads 0", mentions: ["--threads"]) { _ in ["profile", student, "--threads", "0"] },
        BadInputCase("prune --steps 0", mentions: ["--steps"]) { _ in ["prune", student, "--step", "0.1", "--steps", "0", "-o", "out.pt"] },
        BadInputCase("prune --steps 10^6", mentions: ["--steps"]) { _ in ["prune", student, "--step", "0.1", "--steps", "1000000", "-o", "out.pt"] },
        BadInputCase("prune --amount nan", mentions: ["nan"]) { _ in ["prune", student, "--amount", "nan", "-o", "out.pt"] },
        BadInputCase("summary --classes 0", mentions: ["--classes"]) { _ in ["summary", "--arch", "resnet18", "--classes", "0"] },
        BadInputCase("summary --classes 10^12", mentions: ["--classes"]) { _ in ["summary", "--arch", "resnet18", "--classes", "1000000000000"] },
        BadInputCase("crossover --batch 10^6", mentions: ["--batch"]) { _ in ["crossover", "--batch", "1000000"] },
    ]

    /// Preprocessing and batching of `eval`: sizes bounded, numbers finite, memory checked before decoding.
    static let badPreprocessing: [BadInputCase] = [
        BadInputCase("--crop 100000", mentions: ["--crop", "100000"]) { folder in folder.eval(try folder.imageFolder(), ["--crop", "100000"]) },
        BadInputCase("--resize 0", mentions: ["--resize"]) { folder in folder.eval(try folder.imageFolder(), ["--resize", "0"]) },
        BadInputCase("--resize 2^40", mentions: ["--resize"]) { folder in folder.eval(try folder.imageFolder(), ["--resize", "1099511627776"]) },
        BadInputCase("--crop 30000: one float batch over the budget", mentions: ["--batch", "memory limit"]) { folder in
            folder.eval(try folder.imageFolder(), ["--crop", "30000"])
        },
        BadInputCase("the crops of 10 images over --memory-limit", mentions: ["crops of 10 images", "memory limit"]) { folder in
            let extra = Dictionary(uniqueKeysWithValues: try (1...9).map { ("0_\($0).jpg", try goodImage()) })
            return folder.eval(try folder.imageFolder(extra: extra), ["--crop", "2000", "--batch", "1", "--memory-limit", "100M"])
        },
        BadInputCase("a resize whose buffers exceed --memory-limit", mentions: ["0_0.jpg", "resizing", "memory limit"]) { folder in
            folder.eval(try folder.imageFolder(), ["--resize", "65535", "--memory-limit", "2M"])
        },
        BadInputCase("--mean of two numbers", mentions: ["--mean"]) { folder in folder.eval(try folder.imageFolder(), ["--mean", "0.5,0.5"]) },
        BadInputCase("--mean nan", mentions: ["--mean"]) { folder in folder.eval(try folder.imageFolder(), ["--mean", "nan,0,0"]) },
        BadInputCase("--std 0", mentions: ["--std"]) { folder in folder.eval(try folder.imageFolder(), ["--std", "0,1,1"]) },
        BadInputCase("--std negative", mentions: ["--std", "> 0"]) { folder in folder.eval(try folder.imageFolder(), ["--std=-1,1,1"]) },
        BadInputCase("--std past float32", mentions: ["--std"]) { folder in folder.eval(try folder.imageFolder(), ["--std", "1e39,1,1"]) },
        BadInputCase("--limit 0", mentions: ["--limit"]) { folder in folder.eval(try folder.imageFolder(), ["--limit", "0"]) },
        BadInputCase("--limit -5", mentions: ["--limit"]) { folder in folder.eval(try folder.imageFolder(), ["--limit=-5"]) },
        BadInputCase("--batch -1", mentions: ["--batch"]) { folder in folder.eval(try folder.imageFolder(), ["--batch=-1"]) },
    ]

    /// `--memory-limit` values that are not sizes.
    static let badMemoryLimits: [BadInputCase] = [
        BadInputCase("--memory-limit banana", mentions: ["--memory-limit", "banana"]) { _ in ["summary", student, "--memory-limit", "banana"] },
        BadInputCase("--memory-limit 0", mentions: ["--memory-limit"]) { folder in folder.eval(try folder.imageFolder(), ["--memory-limit", "0"]) },
        BadInputCase("--memory-limit -5G", mentions: ["--memory-limit"]) { _ in ["prune", student, "--amount", "0.5", "--memory-limit=-5G"] },
        BadInputCase("--memory-limit 1e3G", mentions: ["--memory-limit", "1e3G"]) { _ in ["quantize", student, "-o", "out.pkl", "--memory-limit", "1e3G"] },
        BadInputCase("--memory-limit past Int", mentions: ["--memory-limit"]) { _ in ["report", "r.jsonl", "--memory-limit", "99999999999T"] },
        BadInputCase("a blob over a lowered --memory-limit", mentions: ["student.pkl", "memory limit"]) { folder in
            let model = try ModelFile.read(student).model
            let blob = try Quantizer.quantize(model.stateDict, config: QuantizationConfig(bits: 8), architecture: model.architecture, source: "student.pt")
            return ["summary", try folder.write("student.pkl", BlobCodec.encode(blob)), "--input", "3x32x32", "--memory-limit", "64K"]
        },
    ]

    /// Files that are not regular files, where a checkpoint or an image should be.
    static let notRegularFiles: [BadInputCase] = [
        BadInputCase("a FIFO named like an image", mentions: ["0_1.jpg", "FIFO"]) { folder in
            let images = try folder.imageFolder()
            try makeFIFO("\(images)/0_1.jpg")
            return folder.eval(images)
        },
        BadInputCase("a FIFO in an ImageFolder class", mentions: ["b/deep/x.jpg", "FIFO"]) { folder in
            let images = try folder.imageFolder("images/a")
            try FileManager.default.createDirectory(atPath: folder.url.appendingPathComponent("images/b/deep").path, withIntermediateDirectories: true)
            try makeFIFO(folder.url.appendingPathComponent("images/b/deep/x.jpg").path)
            return folder.eval((images as NSString).deletingLastPathComponent)
        },
        BadInputCase("an image that links to /dev/zero", mentions: ["0_1.jpg", "character device"]) { folder in
            let images = try folder.imageFolder()
            try FileManager.default.createSymbolicLink(atPath: "\(images)/0_1.jpg", withDestinationPath: "/dev/zero")
            return folder.eval(images)
        },
        BadInputCase("an image that links to /dev/null", mentions: ["0_1.jpg", "character device"]) { folder in
            let images = try folder.imageFolder()
            try FileManager.default.createSymbolicLink(atPath: "\(images)/0_1.jpg", withDestinationPath: "/dev/null")
            return folder.eval(images)
        },
        BadInputCase("a FIFO as the checkpoint", mentions: ["model.pt", "FIFO"]) { folder in
            let model = folder.url.appendingPathComponent("model.pt").path
            try makeFIFO(model)
            return folder.eval(try folder.imageFolder()).enumerated().map { $0.offset == 1 ? model : $0.element }
        },
        BadInputCase("a FIFO as the blob to quantize", mentions: ["model.pkl", "FIFO"]) { folder in
            let model = folder.url.appendingPathComponent("model.pkl").path
            try makeFIFO(model)
            return ["quantize", model, "-o", "out.pkl"]
        },
        BadInputCase("a FIFO as the --arch-from text", mentions: ["model.txt", "FIFO"]) { folder in
            let text = folder.url.appendingPathComponent("model.txt").path
            try makeFIFO(text)
            return ["summary", student, "--arch-from", text, "--input", "3x32x32"]
        },
        BadInputCase("/dev/zero as the checkpoint", mentions: ["/dev/zero", "character device"]) { _ in ["summary", "/dev/zero", "--input", "3x32x32"] },
        BadInputCase("a folder as the checkpoint", mentions: ["model.pt", "folder"]) { folder in
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("model.pt"), withIntermediateDirectories: true)
            return ["prune", folder.url.appendingPathComponent("model.pt").path, "--amount", "0.5"]
        },
    ]

    /// ImageFolder layouts whose links loop: listed in bounded time, then the bad file is named.
    static let loopingFolders: [BadInputCase] = [
        BadInputCase("a class folder linked to itself", mentions: ["bad.jpg", "empty"]) { folder in
            let a = try folder.imageFolder("images/a")
            try folder.write("images/a/bad.jpg", [])
            try FileManager.default.createSymbolicLink(atPath: "\(a)/self", withDestinationPath: a)
            return folder.eval((a as NSString).deletingLastPathComponent)
        },
        BadInputCase("two class folders linked to each other", mentions: ["bad.jpg", "empty"]) { folder in
            let a = try folder.imageFolder("images/a"), b = try folder.imageFolder("images/b")
            try folder.write("images/b/bad.jpg", [])
            try FileManager.default.createSymbolicLink(atPath: "\(a)/to-b", withDestinationPath: b)
            try FileManager.default.createSymbolicLink(atPath: "\(b)/to-a", withDestinationPath: a)
            return folder.eval((a as NSString).deletingLastPathComponent)
        },
        BadInputCase("a class folder linked to the dataset root", mentions: ["bad.jpg", "empty"]) { folder in
            let a = try folder.imageFolder("images/a")
            let root = (a as NSString).deletingLastPathComponent
            try folder.write("images/a/bad.jpg", [])
            try FileManager.default.createSymbolicLink(atPath: "\(root)/b", withDestinationPath: root)
            return folder.eval(root)
        },
        BadInputCase("a class folder that is a relative link to ./", mentions: ["bad.jpg", "empty"]) { folder in
            let a = try folder.imageFolder("images/a")
            try folder.write("images/a/deep/bad.jpg", [])
            try FileManager.default.createSymbolicLink(atPath: "\(a)/deep/up", withDestinationPath: "..")
            return folder.eval((a as NSString).deletingLastPathComponent)
        },
    ]

    /// Names holding a newline, ANSI escapes or bytes that are not UTF-8, in the one error line:
    /// escaped, never raw.
    static let hostileNames: [BadInputCase] = [
        BadInputCase("an image named with a newline and ANSI codes", mentions: ["0_1\\n\\u{1B}[31m.jpg"]) { folder in
            folder.eval(try folder.imageFolder(extra: ["0_1\n\u{1B}[31m.jpg": Array("not a jpeg".utf8)]))
        },
        BadInputCase("a data folder named with a bidi override", mentions: ["\\u{202E}"]) { folder in folder.eval("x\u{202E}gpj.evil") },
        BadInputCase("an image named with bytes that are not UTF-8", mentions: ["0_"]) { folder in
            let images = try folder.imageFolder()
            try writeRaw(Array("\(images)/0_".utf8) + [0xFF, 0xFE, 0x1B] + Array(".jpg".utf8), Array("not a jpeg".utf8))
            return folder.eval(images)
        },
        BadInputCase("a checkpoint named with backquotes and a newline", mentions: ["`touch", "\\n"]) { folder in
            ["summary", try folder.write("`touch PWNED`\n.pt", [1, 2, 3]), "--input", "3x32x32"]
        },
        BadInputCase("a state-dict key with a newline and ANSI codes, through prune", mentions: ["hostile.pt", "fc\\n\\u{1B}[2J"]) { folder in
            ["prune", try hostileKeyCheckpoint(folder, "hostile.pt"), "--amount", "0.5"]
        },
        BadInputCase("a state-dict key with a newline and ANSI codes, through summary", mentions: ["hostile.safetensors", "fc\\n\\u{1B}[2J"]) { folder in
            ["summary", try hostileKeyCheckpoint(folder, "hostile.safetensors"), "--input", "3x32x32"]
        },
        BadInputCase("a state-dict key with a newline and ANSI codes, through eval", mentions: ["hostile.pt", "\\u{1B}[2J"]) { folder in
            let checkpoint = try hostileKeyCheckpoint(folder, "hostile.pt")
            return folder.eval(try folder.imageFolder()).enumerated().map { $0.offset == 1 ? checkpoint : $0.element }
        },
    ]

    // MARK: - Helpers

    /// `shears sweep` of the student on a missing folder (the options are refused first) with `more`.
    private static func sweep(_ name: String, _ more: [String], mentions: [String]) -> BadInputCase {
        BadInputCase(name, mentions: mentions) { _ in ["sweep", student, "--data", "d", "--out", "out"] + more }
    }

    private static func goodImage() throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: CaseFolder.goodImage))) }

    /// Makes a FIFO at `path`.
    static func makeFIFO(_ path: String) throws {
        guard mkfifo(path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Writes `bytes` to the file whose name is the raw bytes `path` (which may not be UTF-8).
    private static func writeRaw(_ path: [UInt8], _ bytes: [UInt8]) throws {
        let descriptor = (path + [0]).withUnsafeBufferPointer { name in
            name.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o600) }
        }
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(descriptor) }
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The student's state dict plus `fc\n<ESC>[2J.weight`, written as `name` (.pt or .safetensors).
    static func hostileKeyCheckpoint(_ folder: CaseFolder, _ name: String) throws -> String {
        var model = try ModelFile.read(student).model
        model.stateDict.setTensor("fc\n\u{1B}[2J.weight", Tensor(shape: [2], scalars: [Float(1), 2]))
        let path = folder.url.appendingPathComponent(name).path
        try ModelFile.write(model, to: path)
        return path
    }
}
