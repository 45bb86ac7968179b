import TfdriftCore

/// Builds what a detector needs from a config: catalog, states, index. Shared by `run`, `replay`,
/// `state` and (later) `doctor`, so they all judge the same way.
public struct DetectorSetup: Sendable {
    public var catalog: EventCatalog
    public var loaded: [StateLoader.Loaded]
    public var index: StateIndex

    public init(catalog: EventCatalog, loaded: [StateLoader.Loaded]) {
        self.catalog = catalog
        self.loaded = loaded
        index = StateIndex(states: loaded.map(\.state))
    }

    public static func load(config: TfdriftConfig) throws -> DetectorSetup {
        let catalog = try CatalogLoader.load(extraPaths: config.detection.catalogPaths)
        var loaded: [StateLoader.Loaded] = []
        for source in config.states {
            switch source.backend {
            case .local:
                loaded.append(contentsOf: try StateLoader.loadLocal(source))
            case .s3:
                throw StateLoadError(
                    origin: "s3://\(source.bucket ?? "")/\(source.key ?? "")",
                    message:
                        "reading state from S3 needs the AWS client, which this build does not include yet; download it and use backend: local, local_path: …"
                )
            }
        }
        return DetectorSetup(catalog: catalog, loaded: loaded)
    }
}
