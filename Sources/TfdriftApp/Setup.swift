import Detector
import Logging
import TfdriftCore

extension DetectorSetup {
    /// Catalog and states for the one-shot commands (`replay`, `state …`), states in S3 included.
    public static func loading(_ config: TfdriftConfig, logger: Logger = Logger(label: "tfdriftctl")) async throws
        -> DetectorSetup
    {
        guard config.states.contains(where: { $0.backend == .s3 }) else { return try DetectorSetup.load(config: config) }
        let aws = try AWSContext(logger: logger)
        let catalog = try CatalogLoader.load(extraPaths: config.detection.catalogPaths)
        return DetectorSetup(catalog: catalog, loaded: try await aws.loadStates(config.states))
    }
}
