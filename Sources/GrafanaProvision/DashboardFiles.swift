import Foundation
import TfdriftCore

/// Dashboards as JSON files (`dashboards/*.json`), checked before anything is sent: a uid, a title,
/// no numeric id, a relative time range, and data sources only through variables (`${datasource}`),
/// never an instance's uid.
public enum DashboardFiles {
    public static func load(directory: String, folderUID: String?) throws -> [DashboardSpec] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw ProvisionError("cannot read the dashboards directory \(directory): \(error.localizedDescription)")
        }
        if files.isEmpty { throw ProvisionError("no dashboards (*.json) in \(directory)") }
        let paths = files.map { (directory as NSString).appendingPathComponent($0) }
        return try load(
            paths.map { path in (path, FileManager.default.contents(atPath: path).map(Array.init)) }, folderUID: folderUID)
    }

    /// The dashboards compiled into the binary from the repository's `dashboards/` (used when there is
    /// no dashboards directory to read: the binary installed on its own).
    public static func loadBuiltIn(folderUID: String?) throws -> [DashboardSpec] {
        let names = EmbeddedResources.names(in: "dashboards").filter { $0.hasSuffix(".json") }
        if names.isEmpty { throw ProvisionError("this build has no built-in dashboards; pass --dir") }
        return try load(names.map { ("built-in \($0)", EmbeddedResources.data($0).map(Array.init)) }, folderUID: folderUID)
    }

    /// Parses and checks dashboards, reporting every problem of every file at once.
    static func load(_ files: [(source: String, bytes: [UInt8]?)], folderUID: String?) throws -> [DashboardSpec] {
        var specs: [DashboardSpec] = []
        var errors: [String] = []
        var uids: [String: String] = [:]
        for (path, bytes) in files {
            guard let bytes else {
                errors.append("\(path): cannot read")
                continue
            }
            let model: JSONValue
            do { model = try JSONValue.parse(bytes) } catch {
                errors.append("\(path): \(error)")
                continue
            }
            let problems = validate(model)
            errors += problems.map { "\(path): \($0)" }
            if let uid = model["uid"]?.stringValue {
                if let other = uids[uid] { errors.append("\(path): uid \(uid) is also used by \(other)") }
                uids[uid] = path
            }
            if problems.isEmpty { specs.append(DashboardSpec(model: model, folderUID: folderUID, source: path)) }
        }
        if !errors.isEmpty { throw ProvisionError("dashboards are not valid:\n  " + errors.joined(separator: "\n  ")) }
        return specs
    }

    /// Every problem with one dashboard model.
    public static func validate(_ model: JSONValue) -> [String] {
        var problems: [String] = []
        guard model.objectValue != nil else { return ["not a JSON object"] }
        let uid = model["uid"]?.stringValue ?? ""
        if uid.isEmpty || uid.count > 40
            || uid.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) })
        {
            problems.append("uid must be 1–40 letters, digits, - or _ (got \"\(uid)\")")
        }
        if (model["title"]?.stringValue ?? "").isEmpty { problems.append("title is missing") }
        if let id = model["id"], id != .null { problems.append("remove \"id\": Grafana assigns it per instance") }
        for key in ["from", "to"] {
            let value = model["time"]?[key]?.stringValue ?? ""
            if !value.hasPrefix("now") { problems.append("time.\(key) must be relative (now-…), got \"\(value)\"") }
        }
        let variables = Set(
            (model["templating"]?["list"]?.arrayValue ?? []).filter { $0["type"]?.stringValue == "datasource" }
                .compactMap { $0["name"]?.stringValue })
        checkDataSources(model, path: "", variables: variables, problems: &problems)
        return problems
    }

    static func checkDataSources(_ value: JSONValue, path: String, variables: Set<String>, problems: inout [String]) {
        switch value {
        case .object(let fields):
            if let source = fields["datasource"], path.hasPrefix("panels") || path.hasPrefix("annotations") {
                let uid = source["uid"]?.stringValue ?? source.stringValue
                if let uid,
                    !(uid.hasPrefix("${") || uid.hasPrefix("$")
                        || ["-- Grafana --", "grafana", "__expr__", "-- Mixed --", "-- Dashboard --"].contains(uid))
                {
                    problems.append(
                        "\(path).datasource names the instance uid \"\(uid)\"; use a data source variable such as ${datasource}")
                } else if let uid, uid.hasPrefix("$") {
                    let name = uid.trimmingCharacters(in: CharacterSet(charactersIn: "${}"))
                    if !variables.contains(name) {
                        problems.append("\(path).datasource uses $\(name), which is not a data source variable")
                    }
                }
            }
            for (key, child) in fields where key != "datasource" {
                checkDataSources(child, path: path.isEmpty ? key : "\(path).\(key)", variables: variables, problems: &problems)
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                checkDataSources(item, path: "\(path)[\(index)]", variables: variables, problems: &problems)
            }
        default: break
        }
    }
}
