/// A build-tool plugin that compiles the package's `stdlib/*.kiln` modules into the target
/// it is applied to (KilnLibrary), so that `import statistics` works whatever the working
/// directory and with nothing installed beside the binary.
///
/// The target sees the top-level stdlib/ through the symlink `Sources/KilnLibrary/stdlib`,
/// which makes the `.kiln` files part of the target's own sources. That matters: SwiftPM
/// plans a build again (and so calls this plugin again) only when the file set of a target
/// directory changes, so adding or removing a stdlib module is noticed like adding a Swift
/// file, and editing one reruns the command because every module is one of its inputs.
///
/// The command runs `EmbedStdlibTool`, which writes `EmbeddedStdlib.swift` defining
/// `let embeddedStdlibSources: [String: String]` (module name → exact source text).
import Foundation
import PackagePlugin

@main
struct EmbedStdlibPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let stdlib = context.package.directoryURL.appending(path: "stdlib", directoryHint: .isDirectory)
        let inputs = module.sourceFiles
            .map(\.url)
            .filter { $0.pathExtension == "kiln" }
            .sorted { $0.path < $1.path }
        // Data files in the target (Sources/KilnLibrary/Datasets/*.csv) ship inside the binary too.
        let dataFiles = module.sourceFiles
            .map(\.url)
            .filter { $0.pathExtension == "csv" }
            .sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedStdlib.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) stdlib module(s) and \(dataFiles.count) data file(s) into \(target.name)",
                executable: try context.tool(named: "EmbedStdlibTool").url,
                arguments: [stdlib.path(percentEncoded: false), output.path(percentEncoded: false)]
                    + dataFiles.map { $0.path(percentEncoded: false) },
                inputFiles: inputs + dataFiles,
                outputFiles: [output]
            ),
        ]
    }
}
