import Foundation

/// The process environment and the shared AWS files, injectable for tests.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String

    public init(variables: [String: String], homeDirectory: String? = nil) {
        self.variables = variables
        self.homeDirectory = homeDirectory ?? variables["HOME"] ?? NSHomeDirectory()
    }

    public static var process: AWSEnvironment {
        AWSEnvironment(variables: ProcessInfo.processInfo.environment)
    }

    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    public var profileName: String { self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default" }
    public var profileExplicit: Bool { self["AWS_PROFILE"] != nil || self["AWS_DEFAULT_PROFILE"] != nil }

    public var credentialsFile: String {
        expand(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
    }

    public var configFile: String { expand(self["AWS_CONFIG_FILE"] ?? "~/.aws/config") }

    public func expand(_ path: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory + path.dropFirst() }
        return path
    }

    /// Both shared files, parsed; missing files are empty.
    public func sharedConfig() throws -> AWSSharedConfig {
        try AWSSharedConfig(credentialsPath: credentialsFile, configPath: configFile)
    }
}

/// `~/.aws/credentials` (`[name]` sections) and `~/.aws/config` (`[default]`, `[profile name]`,
/// `[services name]`, with indented sub-properties such as `s3 =\n  endpoint_url = …`).
public struct AWSSharedConfig: Sendable, Equatable {
    /// Profiles from the credentials file, by name.
    public var credentials: [String: [String: String]] = [:]
    /// Profiles from the config file, by name (`[profile x]` and `[default]`).
    public var profiles: [String: [String: String]] = [:]
    /// `[services name]` sections: `s3.endpoint_url` → value.
    public var services: [String: [String: String]] = [:]
    public var files: [String] = []

    public init() {}

    public init(credentialsPath: String, configPath: String) throws {
        files = [credentialsPath, configPath]
        if let text = try Self.readIfPresent(credentialsPath) {
            for (section, values) in Self.parse(text) { credentials[section, default: [:]].merge(values) { $1 } }
        }
        if let text = try Self.readIfPresent(configPath) {
            for (section, values) in Self.parse(text) {
                if section == "default" {
                    profiles["default", default: [:]].merge(values) { $1 }
                } else if section.hasPrefix("profile ") {
                    let name = section.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces)
                    profiles[name, default: [:]].merge(values) { $1 }
                } else if section.hasPrefix("services ") {
                    let name = section.dropFirst("services ".count).trimmingCharacters(in: .whitespaces)
                    services[name, default: [:]].merge(values) { $1 }
                }
            }
        }
    }

    static func readIfPresent(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AWSClientError.unreadableFile(path, reason: "\(error.localizedDescription)")
        }
    }

    /// INI as the AWS CLI reads it: `#`/`;` comments, `key = value`, indented `sub = value` lines
    /// under a key with an empty value become `key.sub`. Keys are lower-cased.
    static func parse(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        var current: String?
        var values: [String: String] = [:]
        var parentKey: String?
        func flush() {
            if let current { sections.append((current, values)) }
            values = [:]
        }
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                flush()
                current = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                parentKey = nil
                continue
            }
            guard current != nil, let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // Inline comments need whitespace before the marker (values such as secrets may contain '#').
            for marker in [" #", " ;", "\t#", "\t;"] {
                if let range = value.range(of: marker) { value = value[..<range.lowerBound].trimmingCharacters(in: .whitespaces) }
            }
            let indented = line.first == " " || line.first == "\t"
            if indented, let parentKey {
                values["\(parentKey).\(key)"] = value
            } else {
                values[key] = value
                parentKey = value.isEmpty ? key : nil
            }
        }
        flush()
        return sections
    }

    /// A profile's settings: the credentials file's values override the config file's.
    public func profile(_ name: String) -> [String: String]? {
        let fromConfig = profiles[name]
        let fromCredentials = credentials[name]
        if fromConfig == nil && fromCredentials == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { $1 }
    }
}
