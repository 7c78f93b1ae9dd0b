// swift-tools-version:6.0
//
// Shears' fuzz targets: one libFuzzer executable per reader of untrusted bytes. A package of
// its own so that the main package never builds them: they have no `main` (libFuzzer brings
// it) and only link with `-sanitize=fuzzer`. Built and run by scripts/fuzz (see docs/FUZZING.md).

import Foundation
import PackageDescription

/// A path dependency's identity is its folder's name, whatever the clone is called.
let shears = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// The readers fuzzed, with the Shears libraries each needs.
let targets: [(name: String, libraries: [String])] = [
    ("FuzzUnpickler", ["NN"]),
    ("FuzzZip", ["NN"]),
    ("FuzzSafetensors", ["NN"]),
    ("FuzzJPEG", ["NN"]),
    ("FuzzBlob", ["NN", "Quantize"]),
    ("FuzzONNX", ["NN"]),
    ("FuzzGnuplot", ["NN", "Report"]),
    ("FuzzModuleTree", ["NN"]),
    ("FuzzONNXShapes", ["NN"]),
    ("FuzzTorchExport", ["NN"]),
]

let package = Package(
    name: "ShearsFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        /// Runs one input through a reader, where any thrown error is a clean refusal.
        .target(name: "FuzzSupport"),
    ] + targets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.libraries.map { .product(name: $0, package: shears) },
            // libFuzzer supplies main(); the entry point is LLVMFuzzerTestOneInput.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    },
    swiftLanguageModes: [.v5]
)
