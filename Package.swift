// swift-tools-version:6.0
//
// Shears: prune and quantize PyTorch image classifiers, and measure what it costs.
//
// Layout: four libraries (NN, itself an umbrella over seven targets; Prune, Quantize, Report) and ShearsKit over them, three C targets (COpenBLAS, CJPEG, CKernels), the
// generated ONNX schema (ONNXProto),
// one executable (`shears`), and a test target per library (NN split by target) plus one for the CLI.
// Each target depends on, and imports, only what it uses: the engine links without libjpeg,
// Prune and Quantize without OpenBLAS or libjpeg; `NN` is for users outside the package
// and nothing inside imports it.

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
        /// NN is eight targets and an umbrella that re-exports them (`import NN` gives all eight):
        /// the core (tensors, state dicts, the graph IR, shapes and statistics, catalog
        /// architectures, errors, atomic files, the seeded RNG), torch I/O (pickle machine, checkpoints, module
        /// trees), torch.export archives, ONNX I/O, vision (JPEG, PIL transforms, datasets), the engine (executor)
        /// evaluation (top-1 evaluation, BN recalibration, timing) and training (backward, losses, optimizers). Each uses the others' `package` API only.
        .target(name: "NNCore"),
        .target(name: "NNTorchIO", dependencies: ["NNCore"]),
        .target(name: "NNONNX", dependencies: ["NNCore", "ONNXProto"]),
        .target(name: "NNVision", dependencies: ["NNCore", "CJPEG"]),
        .target(name: "NNEngine", dependencies: ["NNCore", "COpenBLAS", "CKernels"]),
        /// Running a model over data: top-1 evaluation, BatchNorm recalibration, latency timing.
        .target(name: "NNEvaluation", dependencies: ["NNCore", "NNEngine", "NNVision"]),
        /// torch.export (`.pt2`) archives: the ExportedProgram's ATen graph as a Shears graph.
        .target(name: "NNTorchExport", dependencies: ["NNCore", "NNTorchIO"]),
        /// Training: each op's forward with saved activations and its backward, the losses
        /// (cross-entropy, the homework's distillation loss), torch.optim's optimizers and schedules.
        .target(name: "NNTraining", dependencies: ["NNCore", "NNEngine", "COpenBLAS", "CKernels"]),
        .target(name: "NN", dependencies: ["NNCore", "NNTorchIO", "NNTorchExport", "NNONNX", "NNVision", "NNEngine", "NNEvaluation", "NNTraining"]),
        .target(name: "Prune", dependencies: ["NNCore"]),
        .target(name: "Quantize", dependencies: ["NNCore", "NNTorchIO"]),
        .target(name: "Report", dependencies: ["NNCore", "Prune"]),
        /// What a Swift program needs to do what the CLI does: the NN targets, Prune, Quantize and
        /// Report re-exported (directly, not through the umbrella), model loading from any file,
        /// model writing by extension and sweep-point measurement.
        .target(name: "ShearsKit", dependencies: ["NNCore", "NNTorchIO", "NNTorchExport", "NNONNX", "NNVision", "NNEngine",
                                                  "NNEvaluation", "NNTraining", "Prune", "Quantize", "Report"]),

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
        /// Fixtures read through the NN libraries (the zoo's module-tree models, ConvNeXt's logits,
        /// small graphs, zip checkpoints around a pickle), shared by the NN test targets.
        .target(name: "NNTestSupport", dependencies: ["NNCore", "NNTorchIO", "NNEngine", "TestSupport"], path: "Tests/NNTestSupport"),
        .testTarget(name: "NNCoreTests", dependencies: ["NNCore", "NNEngine", "TestSupport", "NNTestSupport"]),
        .testTarget(name: "NNTorchIOTests", dependencies: ["NNTorchIO", "NNCore", "NNEngine", "NNONNX", "TestSupport", "NNTestSupport"]),
        .testTarget(name: "NNTorchExportTests", dependencies: ["NNTorchExport", "NNCore", "NNTorchIO", "NNEngine", "TestSupport"]),
        .testTarget(name: "NNONNXTests", dependencies: ["NNONNX", "ONNXProto", "NNCore", "NNEngine", "NNTorchIO", "TestSupport", "NNTestSupport"]),
        .testTarget(name: "NNVisionTests", dependencies: ["NNVision", "NNCore", "NNTorchIO", "TestSupport"]),
        .testTarget(name: "NNEngineTests", dependencies: ["NNEngine", "NNCore", "NNTorchIO", "NNONNX", "TestSupport", "NNTestSupport"]),
        .testTarget(name: "NNEvaluationTests", dependencies: ["NNEvaluation", "NNCore", "NNTorchIO", "NNVision", "TestSupport"]),
        .testTarget(name: "NNTrainingTests", dependencies: ["NNTraining", "NNCore", "NNTorchIO", "Prune", "TestSupport", "NNTestSupport"]),
        .testTarget(name: "PruneTests", dependencies: ["Prune", "NN", "TestSupport"]),
        .testTarget(name: "QuantizeTests", dependencies: ["Quantize", "NN", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Prune", "TestSupport"]),
        .testTarget(name: "ShearsKitTests", dependencies: ["ShearsKit", "TestSupport"]),
        .testTarget(name: "ShearsCLITests", dependencies: ["ShearsCLI", "ShearsKit", "NN", "NNTorchIO", "TestSupport", "NNTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
