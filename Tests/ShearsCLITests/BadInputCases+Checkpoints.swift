// Bad checkpoints: pickles that try to run code by every opcode that can call or import,
// pickles nested 100,000 deep, declared sizes far beyond the file, and broken files.

import Foundation
import TestSupport

extension BadInputCase {
    typealias P = PickleOps

    /// Each a zip checkpoint whose data.pkl tries to run `touch /tmp/shears-pwned`.
    static let maliciousPickles: [BadInputCase] = [
        zipped("GLOBAL os.system + REDUCE", "os-system.pt", mentions: ["refusing", "os.system"],
               P.proto(2) + P.global("os", "system") + P.mark + P.text(pwn) + P.tuple + P.reduce + P.stop),
        zipped("GLOBAL posix.system + REDUCE", "posix-system.pt", mentions: ["refusing", "posix.system"],
               P.proto(2) + P.global("posix", "system") + P.mark + P.text(pwn) + P.tuple + P.reduce + P.stop),
        zipped("STACK_GLOBAL builtins.exec", "stack-global.pt", mentions: ["refusing", "builtins.exec"],
               P.proto(4) + P.text("builtins") + P.text("exec") + P.stackGlobal + P.mark + P.text(pwn) + P.tuple + P.reduce + P.stop),
        zipped("INST subprocess.check_output", "inst.pt", mentions: ["refusing", "INST"],
               P.proto(2) + P.mark + P.text(pwn) + P.inst("subprocess", "check_output") + P.stop),
        zipped("OBJ os.popen", "obj.pt", mentions: ["refusing", "os.popen"],
               P.proto(2) + P.mark + P.global("os", "popen") + P.text(pwn) + P.obj + P.stop),
        zipped("NEWOBJ builtins.eval", "newobj.pt", mentions: ["refusing", "builtins.eval"],
               P.proto(2) + P.global("builtins", "eval") + P.mark + P.text(pwn) + P.tuple + P.newObj + P.stop),
        zipped("REDUCE of a user class", "user-class.pt", mentions: ["refusing", "__main__.Payload"],
               P.proto(2) + P.global("__main__", "Payload") + P.mark + P.text(pwn) + P.tuple + P.reduce + P.stop),
        zipped("a dotted name through a dunder", "dunder.pt", mentions: ["refusing", "__builtins__"],
               P.proto(4) + P.text("torch") + P.text("_utils.__builtins__.eval") + P.stackGlobal + P.emptyTuple + P.reduce + P.stop),
        zipped("GLOBAL builtins.getattr", "getattr.pt", mentions: ["refusing", "getattr"],
               P.proto(2) + P.global("builtins", "getattr") + P.emptyTuple + P.reduce + P.stop),
        zipped("EXT1 from the extension registry", "ext1.pt", mentions: ["EXT1"],
               P.proto(2) + P.ext1 + [1] + P.emptyTuple + P.reduce + P.stop),
        zipped("BUILD state onto a user class", "build.pt", mentions: ["state dict"],
               P.proto(2) + P.global("__main__", "Payload") + P.emptyTuple + P.newObj + P.emptyDict + P.text("__setstate__") + P.text(pwn) + P.setItem + P.build + P.stop),
        zipped("a persistent id that is not a storage", "persistent-id.pt", mentions: ["persistent"],
               P.proto(2) + P.mark + P.text("evil") + P.text(pwn) + P.tuple + P.binPersID + P.stop),
    ] + ["evil_eval_legacy.pt", "evil_eval_zip_p4.pt", "evil_system_legacy.pt", "evil_system_zip.pt"].map { name in
        BadInputCase("torch.save of a payload: \(name)", mentions: [name, "refusing"]) { _ in
            ["quantize", Fixtures.path("checkpoints/\(name)"), "-o", "out.pkl"]
        }
    }

    /// Containers and MARKs nested 100,000 deep: no stack overflow, a depth error.
    static let deepPickles: [BadInputCase] = [
        zipped("lists nested 100,000 deep", "deep-lists.pt", mentions: ["holds a list"],
               P.proto(2) + Array(repeating: P.emptyList, count: depth + 1).flatMap { $0 } + Array(repeating: P.append, count: depth).flatMap { $0 } + P.stop),
        zipped("tuples nested 100,000 deep", "deep-tuples.pt", mentions: ["holds a tuple"],
               P.proto(2) + P.none + Array(repeating: P.tuple1, count: depth).flatMap { $0 } + P.stop),
        zipped("dicts nested 100,000 deep", "deep-dicts.pt", mentions: ["no state dict"],
               P.proto(2) + P.emptyDict + Array(repeating: P.text("k") + P.emptyDict, count: depth).flatMap { $0 } + Array(repeating: P.setItem, count: depth).flatMap { $0 } + P.stop),
        zipped("MARKs nested 100,000 deep", "deep-marks.pt", mentions: ["MARK"],
               P.proto(2) + Array(repeating: P.mark, count: depth).flatMap { $0 } + P.stop),
    ]

    /// Sizes declared far beyond what the file holds: refused before anything is allocated.
    static let hugeDeclarations: [BadInputCase] = [
        checkpoint("a zip entry declaring 4 GB", file: "huge-entry.pt", mentions: ["data.pkl"]) {
            HostileFiles.declaringEntrySize(0xFFFF_FFF0, in: HostileFiles.zipCheckpoint(P.stateDict(numel: 4, size: [4], stride: [1])))
        },
        zipped("a storage declaring 2^40 elements", "huge-storage.pt", mentions: ["storage"],
               P.stateDict(numel: 1 << 40, size: [4], stride: [1])),
        zipped("a view of 2^62 elements on 4", "huge-view.pt", mentions: ["expands a 4-element storage"],
               P.stateDict(numel: 4, size: [1 << 31, 1 << 31], stride: [0, 0])),
        zipped("a shape whose element count overflows", "overflow-shape.pt", mentions: ["overflows"],
               P.stateDict(numel: 4, size: [1 << 62, 8], stride: [8, 1])),
        checkpoint("a safetensors header declaring 2^60 bytes", file: "huge-header.safetensors", mentions: ["header"]) {
            HostileFiles.safetensors(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, declaredLength: 1 << 60)
        },
        checkpoint("a safetensors tensor of 10^12 elements", file: "huge-tensor.safetensors", mentions: ["'w'", "data bytes"]) {
            HostileFiles.safetensors(#"{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4000000000000]}}"#)
        },
    ]

    /// Files that are not checkpoints, or not this model's.
    static let brokenFiles: [BadInputCase] = [
        checkpoint("the student cut in half", file: "truncated.pt", mentions: []) { Array(student.prefix(student.count / 2)) },
        checkpoint("an empty file", file: "empty.pt", mentions: ["empty"]) { [] },
        checkpoint("4 KB of random bytes", file: "random.pt", mentions: ["not a PyTorch checkpoint"]) {
            var generator = SystemRandomNumberGenerator()
            return (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        },
        BadInputCase("a checkpoint path that does not exist", mentions: ["missing.pt", "no such file"]) { _ in
            ["quantize", "missing.pt", "-o", "out.pkl"]
        },
        BadInputCase("a folder given as the checkpoint", mentions: ["models", "folder"]) { folder in
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("models"), withIntermediateDirectories: true)
            return ["quantize", "models", "-o", "out.pkl"]
        },
        BadInputCase("the student's weights for a ResNet18", mentions: ["student.pt", "does not fit resnet", "more"]) { _ in
            ["quantize", CaseFolder.student, "--arch", "resnet18", "-o", "out.pkl"]
        },
    ]

    private static let pwn = "touch /tmp/shears-pwned"
    private static let depth = 100_000
    private static let student = [UInt8](FileManager.default.contents(atPath: CaseFolder.student) ?? Data())

    /// `quantize` of a zip checkpoint named `file` around `pickle`.
    private static func zipped(_ name: String, _ file: String, mentions: [String], _ pickle: [UInt8]) -> BadInputCase {
        checkpoint(name, file: file, mentions: mentions) { HostileFiles.zipCheckpoint(pickle) }
    }
}
