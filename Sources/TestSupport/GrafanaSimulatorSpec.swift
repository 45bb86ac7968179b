import Foundation

/// Grafana's OpenAPI (Swagger 2.0) document, `api-merged.json`, used to find the operation a request
/// addresses and to validate its parameters and body, the way a strict Grafana would.
public struct OpenAPISpec: Sendable {
    public struct Operation: Sendable {
        public let method: String
        public let template: String
        public let operationID: String
        let segments: [String]
        let parameters: [JSONNode]
        let responses: [String: JSONNode]
    }

    public let basePath: String
    let definitions: [String: JSONNode]
    let sharedResponses: [String: JSONNode]
    let operations: [Operation]

    public init(document: JSONNode) throws {
        guard let paths = document["paths"]?.objectValue, let definitions = document["definitions"]?.objectValue else {
            throw SpecError(reason: "not a Swagger 2.0 document (no paths/definitions)")
        }
        basePath = document["basePath"]?.stringValue ?? ""
        self.definitions = definitions
        sharedResponses = document["responses"]?.objectValue ?? [:]
        var operations: [Operation] = []
        for (template, item) in paths {
            guard let methods = item.objectValue else { continue }
            let shared = methods["parameters"]?.arrayValue ?? []
            for (method, operation) in methods where method != "parameters" {
                operations.append(
                    Operation(
                        method: method.uppercased(), template: template,
                        operationID: operation["operationId"]?.stringValue ?? "\(method) \(template)",
                        segments: template.split(separator: "/").map(String.init),
                        parameters: shared + (operation["parameters"]?.arrayValue ?? []),
                        responses: operation["responses"]?.objectValue ?? [:]))
            }
        }
        self.operations = operations
    }

    public struct SpecError: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "OpenAPI document: \(reason)" }
    }

    /// Grafana's `api-merged.json` in the repository's fixtures (`Tests/Fixtures/grafana/`), or `GRAFANA_OPENAPI_SPEC`.
    public static func load(path: String? = nil) throws -> OpenAPISpec {
        let location = path ?? ProcessInfo.processInfo.environment["GRAFANA_OPENAPI_SPEC"] ?? defaultPath
        guard let data = FileManager.default.contents(atPath: location) else {
            throw SpecError(reason: "cannot read \(location) (set GRAFANA_OPENAPI_SPEC to Grafana's public/api-merged.json)")
        }
        return try OpenAPISpec(document: JSONNode.parse(Array(data)))
    }

    /// `<repository>/Tests/Fixtures/grafana/api-merged.json`, found from this source file's location.
    public static var defaultPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/grafana/api-merged.json").path
    }

    /// The operation for a method and a path below the base path; the template with the most literal
    /// segments wins (`/datasources/uid/{uid}` over `/datasources/{id}/…`).
    public func operation(method: String, path: String) -> (Operation, [String: String])? {
        var relative = path
        if !basePath.isEmpty, relative.hasPrefix(basePath) { relative.removeFirst(basePath.count) }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        var best: (Operation, [String: String], Int)?
        for operation in operations where operation.method == method && operation.segments.count == parts.count {
            var captured: [String: String] = [:]
            var literals = 0
            var matches = true
            for (segment, part) in zip(operation.segments, parts) {
                if segment.hasPrefix("{"), segment.hasSuffix("}") {
                    captured[String(segment.dropFirst().dropLast())] = part
                } else if segment == part {
                    literals += 1
                } else {
                    matches = false
                    break
                }
            }
            if matches, best == nil || literals > best!.2 { best = (operation, captured, literals) }
        }
        return best.map { ($0.0, $0.1) }
    }

    /// Every problem with the request's parameters and body, empty when it conforms.
    public func validate(
        operation: Operation, pathParameters: [String: String], query: [String: [String]], headers: [String: String],
        body: JSONNode?
    ) -> [String] {
        var problems: [String] = []
        for parameter in operation.parameters {
            guard let name = parameter["name"]?.stringValue, let location = parameter["in"]?.stringValue else { continue }
            let required = parameter["required"]?.boolValue ?? false
            switch location {
            case "path":
                guard let value = pathParameters[name] else {
                    problems.append("path parameter \(name) is missing")
                    continue
                }
                problems += checkScalar(value, parameter: parameter, at: "path parameter \(name)")
            case "query":
                guard let values = query[name], !values.isEmpty else {
                    if required { problems.append("query parameter \(name) is required") }
                    continue
                }
                if parameter["type"]?.stringValue != "array", values.count > 1 {
                    problems.append("query parameter \(name) given \(values.count) times")
                }
                let itemSchema = parameter["type"]?.stringValue == "array" ? parameter["items"] ?? [:] : parameter
                for value in values { problems += checkScalar(value, parameter: itemSchema, at: "query parameter \(name)") }
            case "header":
                guard let value = headers[name.lowercased()] else {
                    if required { problems.append("header \(name) is required") }
                    continue
                }
                problems += checkScalar(value, parameter: parameter, at: "header \(name)")
            case "body":
                guard let body else {
                    if required { problems.append("a JSON body is required") }
                    continue
                }
                if let schema = parameter["schema"] { problems += validate(body, schema: schema, at: "body") }
            default: continue
            }
        }
        return problems
    }

    /// The schema of the documented response for a status code, if any.
    public func responseSchema(operation: Operation, status: Int) -> JSONNode? {
        guard var response = operation.responses[String(status)] else { return nil }
        if let reference = response["$ref"]?.stringValue, reference.hasPrefix("#/responses/") {
            guard let shared = sharedResponses[String(reference.dropFirst("#/responses/".count))] else { return nil }
            response = shared
        }
        return response["schema"]
    }

    func checkScalar(_ text: String, parameter: JSONNode, at location: String) -> [String] {
        var problems: [String] = []
        switch parameter["type"]?.stringValue {
        case "integer":
            if Int64(text) == nil { problems.append("\(location): expected an integer, got \"\(text)\"") }
        case "number":
            if Double(text) == nil { problems.append("\(location): expected a number, got \"\(text)\"") }
        case "boolean":
            if !["true", "false"].contains(text) { problems.append("\(location): expected true or false, got \"\(text)\"") }
        default: break
        }
        if let allowed = parameter["enum"]?.arrayValue?.compactMap(\.stringValue), !allowed.isEmpty, !allowed.contains(text) {
            problems.append("\(location): \"\(text)\" is not one of \(allowed.joined(separator: ", "))")
        }
        return problems
    }

    // MARK: JSON schema (the subset Swagger 2.0 and this document use)

    /// Validates a value: `$ref`, `type`, `required`, `properties`, `additionalProperties`, `items`, `enum`,
    /// `minLength`/`maxLength`/`pattern`, `allOf`. Unknown properties are allowed unless the schema says otherwise.
    public func validate(_ value: JSONNode, schema: JSONNode, at path: String, depth: Int = 0) -> [String] {
        guard depth < 64 else { return [] }
        if let reference = schema["$ref"]?.stringValue {
            guard reference.hasPrefix("#/definitions/"), let target = definitions[String(reference.dropFirst(14))] else {
                return ["\(path): unresolvable schema reference \(reference)"]
            }
            return validate(value, schema: target, at: path, depth: depth + 1)
        }
        var problems: [String] = []
        for part in schema["allOf"]?.arrayValue ?? [] { problems += validate(value, schema: part, at: path, depth: depth + 1) }
        if let type = schema["type"]?.stringValue {
            let actual = value.typeName
            let ok: Bool
            switch type {
            case "number": ok = actual == "number" || actual == "integer"
            case "object": ok = actual == "object" || (actual == "null" && schema["x-nullable"]?.boolValue == true)
            default: ok = actual == type || (actual == "null" && schema["x-nullable"]?.boolValue == true)
            }
            if !ok {
                return problems + ["\(path): expected \(type), got \(actual)"]
            }
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.isEmpty, !allowed.contains(value) {
            problems.append("\(path): \(value.text) is not one of \(allowed.map(\.text).joined(separator: ", "))")
        }
        switch value {
        case .string(let text):
            if let minimum = schema["minLength"]?.intValue, text.count < minimum {
                problems.append("\(path): shorter than \(minimum) characters")
            }
            if let maximum = schema["maxLength"]?.intValue, text.count > maximum {
                problems.append("\(path): longer than \(maximum) characters")
            }
            if let pattern = schema["pattern"]?.stringValue, let regex = try? NSRegularExpression(pattern: pattern),
                regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
            {
                problems.append("\(path): \"\(text)\" does not match \(pattern)")
            }
        case .array(let items):
            if let itemSchema = schema["items"] {
                for (offset, item) in items.enumerated() {
                    problems += validate(item, schema: itemSchema, at: "\(path)[\(offset)]", depth: depth + 1)
                }
            }
        case .object(let fields):
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where fields[name] == nil {
                problems.append("\(path).\(name) is required")
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[name] {
                    // Go's encoding/json decodes null into any field as its zero value.
                    if field == .null { continue }
                    problems += validate(field, schema: propertySchema, at: "\(path).\(name)", depth: depth + 1)
                } else if let additional = schema["additionalProperties"] {
                    if additional == .bool(false) {
                        problems.append("\(path).\(name): unknown property")
                    } else if additional.objectValue != nil {
                        problems += validate(field, schema: additional, at: "\(path).\(name)", depth: depth + 1)
                    }
                }
            }
        default: break
        }
        return problems
    }
}
