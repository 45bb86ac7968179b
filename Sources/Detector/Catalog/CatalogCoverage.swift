/// How much of AWS the catalog covers, measured against the AWS API models (`Resources/generated/
/// services.tsv`: every service's mutating operations, from botocore) and the Terraform AWS provider's
/// resource types: per service, the mutating operations mapped to resource types, classified as no
/// resource change, or neither; and the service's resource types some call can observe.
public struct CatalogCoverage: Sendable {
    /// One AWS API (a botocore service) as the models describe it.
    public struct ServiceModel: Sendable, Equatable {
        public var service: String
        public var eventSource: String
        public var apiProtocol: String
        public var terraformTypeCount: Int
        public var readOnlyCount: Int
        /// Event names of its mutating operations, sorted.
        public var mutating: [String]
    }

    public struct Row: Sendable, Equatable {
        public var service: String
        public var eventSource: String
        public var mutating: Int
        public var mapped: Int
        public var classified: Int
        /// Mutating operations neither mapped nor classified.
        public var uncovered: [String]
        public var terraformTypes: Int
        public var observableTypes: Int

        /// Mapped or classified, in percent of the mutating operations.
        public var coveredPercent: Double {
            mutating == 0 ? 100 : Double(mapped + classified) * 100 / Double(mutating)
        }
    }

    /// Services with at least one Terraform resource type, sorted by name.
    public var rows: [Row]
    /// Where the models came from (the generator's header line).
    public var source: String

    public var mutating: Int { rows.reduce(0) { $0 + $1.mutating } }
    public var mapped: Int { rows.reduce(0) { $0 + $1.mapped } }
    public var classified: Int { rows.reduce(0) { $0 + $1.classified } }
    public var uncovered: Int { rows.reduce(0) { $0 + $1.uncovered.count } }
    public var coveredPercent: Double { mutating == 0 ? 100 : Double(mapped + classified) * 100 / Double(mutating) }

    /// The models compiled into this binary.
    public static let builtInModels: (header: String, services: [ServiceModel]) = parse(
        services: EmbeddedResources.literal("generated/services.tsv") ?? "")

    static func parse(services text: String) -> (header: String, services: [ServiceModel]) {
        var header = ""
        var services: [ServiceModel] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# ") {
                if header.isEmpty { header = String(line.dropFirst(2)) }
                continue
            }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 6, let types = Int(fields[3]), let readOnly = Int(fields[4]) else { continue }
            services.append(
                ServiceModel(
                    service: String(fields[0]), eventSource: String(fields[1]), apiProtocol: String(fields[2]),
                    terraformTypeCount: types, readOnlyCount: readOnly,
                    mutating: fields[5].isEmpty ? [] : fields[5].split(separator: ",").map(String.init)))
        }
        return (header, services)
    }

    /// Coverage of `catalog` (built-in and user entries) against the built-in models.
    public init(catalog: EventCatalog) {
        self.init(catalog: catalog, models: Self.builtInModels.services, types: .builtIn, source: Self.builtInModels.header)
    }

    init(catalog: EventCatalog, models: [ServiceModel], types: TerraformResourceTypes, source: String) {
        self.source = source
        let observable = catalog.observableResourceTypes
        var typesByService: [String: [String]] = [:]
        for (name, type) in types.types {
            if let service = type.service { typesByService[service, default: []].append(name) }
        }
        rows = models.filter { $0.terraformTypeCount > 0 }.map { model in
            var row = Row(
                service: model.service, eventSource: model.eventSource, mutating: model.mutating.count, mapped: 0,
                classified: 0, uncovered: [], terraformTypes: typesByService[model.service]?.count ?? 0,
                observableTypes: typesByService[model.service]?.filter(observable.contains).count ?? 0)
            for name in model.mutating {
                if catalog.entry(source: model.eventSource, name: name) != nil {
                    row.mapped += 1
                } else if catalog.classification(source: model.eventSource, name: name) != nil {
                    row.classified += 1
                } else {
                    row.uncovered.append(name)
                }
            }
            return row
        }.sorted { $0.service < $1.service }
    }
}
