// swift-tools-version:6.0
import Foundation
import PackageDescription

// The tensor kernels are written with 8-lane SIMD vectors; on x86-64 they are compiled for
// Haswell and later (AVX2 and FMA, as TensorFlow's own wheels require) so those vectors are
// one register instead of two SSE halves. KILN_PORTABLE=1 builds for any x86-64 instead.
#if arch(x86_64)
let kernelSettings: [SwiftSetting] = ProcessInfo.processInfo.environment["KILN_PORTABLE"] == nil
    ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
#else
let kernelSettings: [SwiftSetting] = []
#endif

// The layout is described in DESIGN.md: system libraries at the bottom, then the engine and
// the language (which know nothing of each other), KilnLibrary binding them, the front ends,
// and the `kiln` executable on top.
let package = Package(
    name: "Kiln",
    products: [
        .executable(name: "kiln", targets: ["kiln"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (Debian: libreadline-dev, libsqlite3-dev, libopenblas-dev, zlib1g-dev).
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

        // The engine (tensors, kernels, seeded generators) and the language.
        .target(name: "KilnTensor", dependencies: ["CBLAS", "CMalloc"], swiftSettings: kernelSettings),
        .target(name: "KilnLang"),
        .target(name: "KilnNN", dependencies: ["KilnTensor"]),
        .target(name: "KilnStore", dependencies: ["CSQLite"]),
        .target(name: "KilnSearch", dependencies: ["KilnTensor"]),

        // Bindings between the language and the engine, plus the stdlib/*.kiln modules, which
        // the EmbedStdlib plugin compiles into the binary.
        .target(
            name: "KilnLibrary",
            dependencies: ["KilnLang", "KilnTensor", "KilnNN", "KilnSearch", "CZlib"],
            exclude: ["Datasets/README.md"],
            plugins: ["EmbedStdlibPlugin"]
        ),
        .executableTarget(name: "EmbedStdlibTool", path: "Sources/EmbedStdlibTool"),
        .plugin(
            name: "EmbedStdlibPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedStdlibTool"],
            path: "Sources/EmbedStdlibPlugin"
        ),

        // Front ends.
        .target(name: "KilnNotebook", dependencies: ["KilnLibrary", "KilnStore", "KilnSearch"]),
        .target(name: "KilnREPL", dependencies: ["KilnNotebook", "KilnLibrary", "KilnStore", "KilnLang", "CReadline"]),
        .executableTarget(
            name: "kiln",
            dependencies: [
                "KilnNotebook",
                "KilnREPL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tests: one target per module, the system libraries, and the `kiln` binary end to end.
        // Runs language tests written in Kiln (testdata/*.kiln); used by the test targets only.
        .target(name: "KilnTestSupport", dependencies: ["KilnLang"]),
        .testTarget(name: "KilnLangTests", dependencies: ["KilnLang", "KilnTestSupport"], exclude: ["testdata"]),
        .testTarget(name: "KilnLibraryTests", dependencies: ["KilnLibrary", "KilnTestSupport"], exclude: ["testdata", "Fixtures"]),
        .testTarget(name: "KilnNotebookTests", dependencies: ["KilnNotebook", "KilnStore"], exclude: ["Fixtures", "validate_ipynb.sh", "validate_ipynb.py"]),
        .testTarget(name: "KilnStoreTests", dependencies: ["KilnStore"]),
        .testTarget(name: "KilnSearchTests", dependencies: ["KilnSearch", "KilnTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "KilnREPLTests", dependencies: ["KilnREPL", "KilnNotebook", "KilnStore", "KilnLang"]),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CReadline", "CSQLite", "CBLAS"]),
        .testTarget(name: "KilnEndToEndTests", dependencies: ["kiln", "KilnStore", "KilnNotebook"]),
        .testTarget(name: "KilnTensorTests", dependencies: ["KilnTensor"]),
        .testTarget(name: "KilnNNTests", dependencies: ["KilnNN", "KilnTensor"], exclude: ["Fixtures"]),

        // Benchmarks (not tests): `swift run -c release kiln-bench-tensor`.
        .executableTarget(name: "kiln-bench-tensor", dependencies: ["KilnTensor", "CBLAS"], path: "Tests/Benchmarks/tensor"),
    ],
    swiftLanguageModes: [.v5]
)
