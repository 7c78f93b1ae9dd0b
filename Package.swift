// swift-tools-version:6.0
//
// Shears: prune and quantize PyTorch image classifiers, and measure what it costs.
//
// Layout: four libraries (NN, itself an umbrella over six targets; Prune, Quantize, Report) and ShearsKit over them, three C targets (COpenBLAS, CJPEG, CKernels), the
// generated ONNX schema (ONNXProto),
// one executable (`shears`), and a test target per library plus one for the CLI.

import PackageDescription

let package = Package(
    name: "Shears",
    products: [
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Prune", targets: ["Prune"]),
        .library(name: "Quantize", targets: ["Quantize"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "ShearsKit", targets: ["ShearsKit"]),
        .executable(name: "shears", targets: ["ShearsCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // MARK: - C targets

        /// OpenBLAS (`libopenblas-dev`) through pkg-config: `cblas_sgemm` for convolution and linear layers.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        /// libjpeg-turbo behind one function: owns setjmp/longjmp and silences libjpeg's warnings.
        .target(
            name: "CJPEG",
            path: "Sources/CJPEG",
            linkerSettings: [.linkedLibrary("jpeg")]
        ),

        /// The engine's hot loops (pooling, depthwise conv, im2col, sparse GEMM, Winograd) in C,
        /// with AVX2+FMA clones chosen at run time.
        .target(name: "CKernels", path: "Sources/CKernels"),

        // MARK: - Generated code

        /// ONNX's protobuf schema as Swift types, generated once by scripts/generate-onnx-proto and committed.
        .target(
            name: "ONNXProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),

        // MARK: - Libraries

        /// No unsafe flags, so the products work as a versioned dependency; scripts/test builds
        /// the tests in release mode (with -enable-testing), since they run real images and models.
        /// NN is six targets and an umbrella that re-exports them (`import NN` gives all six):
        /// the core (tensors, state dicts, the graph IR, shapes and statistics, catalog
        /// architectures, errors, atomic files), torch I/O (pickle machine, checkpoints, module
        /// trees), torch.export archives, ONNX I/O, vision (JPEG, PIL transforms, datasets) and the engine (executor,
        /// evaluation, timing). Each uses the others' `package` API only.
        .target(name: "NNCore"),
        .target(name: "NNTorchIO", dependencies: ["NNCore"]),
        .target(name: "NNONNX", dependencies: ["NNCore", "ONNXProto"]),
        .target(name: "NNVision", dependencies: ["NNCore", "CJPEG"]),
        .target(name: "NNEngine", dependencies: ["NNCore", "NNVision", "COpenBLAS", "CKernels"]),
        /// torch.export (`.pt2`) archives: the ExportedProgram's ATen graph as a Shears graph.
        .target(name: "NNTorchExport", dependencies: ["NNCore", "NNTorchIO"]),
        .target(name: "NN", dependencies: ["NNCore", "NNTorchIO", "NNTorchExport", "NNONNX", "NNVision", "NNEngine"]),
        .target(name: "Prune", dependencies: ["NN"]),
        .target(name: "Quantize", dependencies: ["NN"]),
        .target(name: "Report", dependencies: ["NNCore", "Prune"]),
        /// What a Swift program needs to do what the CLI does: the four modules re-exported,
        /// model loading from any file and sweep-point measurement.
        .target(name: "ShearsKit", dependencies: ["NN", "Prune", "Quantize", "Report"]),

        // MARK: - Executable

        .executableTarget(
            name: "ShearsCLI",
            dependencies: [
                "ShearsKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests

        /// Fixture paths, raw array readers and tolerance assertions shared by the test targets.
        /// Also small ONNX models built in Swift (`ONNXModel`), for graphs no exporter writes.
        .target(name: "TestSupport", dependencies: ["ONNXProto", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                path: "Tests/TestSupport"),
        .testTarget(name: "NNTests", dependencies: ["NN", "NNCore", "NNTorchIO", "NNTorchExport", "NNONNX", "NNVision", "NNEngine", "TestSupport"]),
        .testTarget(name: "PruneTests", dependencies: ["Prune", "NN", "TestSupport"]),
        .testTarget(name: "QuantizeTests", dependencies: ["Quantize", "NN", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Prune", "TestSupport"]),
        .testTarget(name: "ShearsKitTests", dependencies: ["ShearsKit", "TestSupport"]),
        .testTarget(name: "ShearsCLITests", dependencies: ["ShearsCLI", "ShearsKit", "NN", "NNTorchIO", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
