// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kiln",
    targets: [
        .target(name: "KilnLang"),
        .testTarget(name: "KilnLangTests", dependencies: ["KilnLang"]),
    ]
)
