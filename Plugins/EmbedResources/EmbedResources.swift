import Foundation
import PackagePlugin

/// Compiles data files into the module that uses them, so `tfdriftctl` is one file: copy the binary
/// into a container or onto a host and the event catalog, the doctor's samples, the default alert
/// profiles and dashboards come with it (a SwiftPM resource bundle left behind is a crash at start-up).
///
/// A target lists what it embeds in `embedded-resources.txt`: one directory per line, relative to the
/// package root. Every file in it (not hidden, recursively) becomes `EmbeddedResources.files["<last
/// directory component>/<relative path>"]` in the target. A line `text DIRECTORY` compiles that
/// directory's files in as UTF-8 string literals instead of base64 (`EmbeddedResources.literal`), so
/// large generated data is read in place without decoding at start-up.
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let list = module.directoryURL.appending(path: "embedded-resources.txt")
        guard let text = try? String(contentsOf: list, encoding: .utf8) else {
            throw PluginError("\(target.name) uses EmbedResources but has no \(list.path)")
        }
        let root = context.package.directoryURL
        var arguments: [String] = []
        var inputs: [URL] = [list]
        for line in text.split(separator: "\n") {
            var entry = line.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            var namePrefix = ""
            if entry.hasPrefix("text ") {
                namePrefix = "text:"
                entry = entry.dropFirst("text ".count).trimmingCharacters(in: .whitespaces)
            }
            let directory = root.appending(path: entry)
            let prefix = directory.lastPathComponent
            for file in try Self.files(in: directory) {
                let relative = String(file.path.dropFirst(directory.path.count + 1))
                arguments += ["\(namePrefix)\(prefix)/\(relative)", file.path]
                inputs.append(file)
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(arguments.count / 2) resource files in \(target.name)",
                executable: try context.tool(named: "EmbedResourcesTool").url,
                arguments: [output.path] + arguments,
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }

    static func files(in directory: URL) throws -> [URL] {
        guard
            let walker = FileManager.default.enumerator(
                at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { throw PluginError("cannot list \(directory.path)") }
        var files: [URL] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(url.standardizedFileURL)
        }
        return files.sorted { $0.path < $1.path }
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
