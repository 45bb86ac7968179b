import Foundation
import Yams

/// Loads and strictly validates `tfdrift.yaml` (SPEC §3), including TFDrift-Falco's `config.yaml`
/// keys that mean the same thing, so upstream users can point tfdriftctl at their existing file.
///
/// Every problem in the file is reported in one run, each with its key path and line: a reader records
/// what is wrong and goes on (`YAMLSection`), and `parse` throws them all at the end (`ConfigError` for
/// one, `ConfigErrors` for several).
///
/// Adding a key: in the section's reader (`Reader.readServer`, `readOutputs`, … in the `ConfigReader+*`
/// files), add one `section.read("the_key") { node in config.… = try node.… }` line and the field in
/// `Config.swift`. The line both declares the key (unknown-key errors and did-you-mean know it from then
/// on) and reads it; typed readers (`string`, `bool`, `int(range:)`, `duration(minimum:)`, `oneOf`, `url`,
/// `filePath`, `secret`) produce the error sentences.
public enum ConfigLoader {
    /// Default locations, in order, when `--config` is not given.
    public static let defaultPaths = ["./tfdrift.yaml", "./config.yaml"]

    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> TfdriftConfig
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(
                file: path, keyPath: "", line: nil,
                message: "cannot read the configuration file (\(Self.reason(error))); pass --config PATH")
        }
        var config = try parse(yaml: text, file: path, environment: environment)
        config.sourceFile = path
        return config
    }

    /// The configuration without a file: the built-in defaults, with what the environment says
    /// (`GRAFANA_URL`, `GRAFANA_AUTH`).
    public static func defaults(environment: [String: String] = ProcessInfo.processInfo.environment) -> TfdriftConfig {
        var reader = Reader(base: ".", file: "(no configuration file)", environment: environment)
        reader.applyEnvironmentFallbacks()
        return reader.config
    }

    public static func parse(yaml: String, file: String = "tfdrift.yaml", environment: [String: String] = [:])
        throws -> TfdriftConfig
    {
        let baseDirectory = (file as NSString).deletingLastPathComponent
        let (config, unset) = try YAMLDocument.read(yaml: yaml, file: file, environment: environment) { root in
            var reader = Reader(base: baseDirectory.isEmpty ? "." : baseDirectory, file: file, environment: environment)
            // An empty file is a valid, empty configuration.
            if let root { reader.readRoot(root) }
            reader.applyEnvironmentFallbacks()
            return reader.config
        }
        var result = config
        for (keyPath, variable) in unset { result.unsetVariables[keyPath] = variable }
        return result
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

extension TfdriftConfig {
    /// `grafana.token: ${GRAFANA_TOKEN} is not set in the environment` when the value at `keyPath` came
    /// from an unset variable; nil otherwise. Commands that need the value say this instead of "set …".
    public func unsetMessage(_ keyPath: String) -> String? {
        unsetVariables[keyPath].map { EnvironmentExpansion.unsetMessage(keyPath: keyPath, variable: $0) }
    }
}

/// Walks the YAML tree section by section (one file per part of the schema: `ConfigReader+*.swift`).
struct Reader {
    var config = TfdriftConfig()
    let base: String
    let file: String
    let environment: [String: String]

    init(base: String, file: String, environment: [String: String]) {
        self.base = base
        self.file = file
        self.environment = environment
    }

    func filePath(_ node: YAMLNode) throws -> String { resolve(try node.string()) }

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || path.hasPrefix("~") || path.isEmpty { return (path as NSString).expandingTildeInPath }
        return base == "." ? path : (base as NSString).appendingPathComponent(path)
    }

    mutating func readRoot(_ root: YAMLNode) {
        root.section { section in
            if section.has("auto_import") {
                config.warnings.append(
                    "auto_import: TFDrift-Falco's auto-import is not part of tfdriftctl (it never writes Terraform code); the section is ignored"
                )
            }
            section.read("providers") { readProviders($0) }
            section.read("falco") { readFalcoCompat($0) }
            section.read("server") { readServer($0) }
            section.read("detection") { readDetection($0) }
            section.read("drift_rules") { readDriftRulesCompat($0) }
            section.read("advanced") { readAdvanced($0) }
            section.read("outputs") { readOutputs($0) }
            section.read("notifications") { readNotificationsCompat($0) }
            section.read("grafana") { config.grafana = readGrafana($0) }
            section.read("alertmanager") { config.alertmanager = readAlertmanager($0) }
            section.read("logging") { readLogging($0) }
            section.read("metrics") { metrics in
                metrics.section { fields in
                    fields.accept("enabled")
                    fields.read("listen") { config.server.listen = try $0.string() }
                }
            }
            section.check { try validateNames() }
        }
    }

    /// A secret given inline (`token`) or as a file (`token_file`), never both.
    func secret(_ section: inout YAMLSection, _ key: String) throws -> Secret? {
        let inline = section.value(key)
        let file = section.value("\(key)_file")
        if inline != nil, file != nil { throw section.node.error("set either \(key) or \(key)_file, not both") }
        if let inline { return try inline.secret() }
        if let file {
            let path = resolve(try file.string())
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else { throw file.error("cannot read the secret file \(path)") }
            return Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return nil
    }

    /// `secret` with its problem recorded against the section (the reading goes on).
    func readSecret(_ section: inout YAMLSection, _ key: String) -> Secret? {
        do { return try secret(&section, key) } catch {
            section.check { throw error }
            return nil
        }
    }

    func url(_ node: YAMLNode) throws -> String {
        let text = try node.string()
        guard let parsed = URL(string: text), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
            parsed.host != nil
        else {
            throw node.error("expected an http:// or https:// URL, got \"\(Redaction.url(text))\"")
        }
        return text
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }

    func validateNames() throws {
        var seen = Set<String>()
        for state in config.states {
            guard seen.insert(state.name).inserted else {
                throw ConfigError(
                    file: file, keyPath: "providers.aws.states", line: nil,
                    message: "two states are named \"\(state.name)\"; give each a unique name")
            }
        }
    }
}
