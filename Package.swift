// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kiln",
    targets: [
        .target(name: "KilnLang"),
        .target(name: "KilnTestSupport", dependencies: ["KilnLang"]),
        .testTarget(name: "KilnLangTests", dependencies: ["KilnLang", "KilnTestSupport"], exclude: ["testdata"]),
    ],
    swiftLanguageModes: [.v5]
)
