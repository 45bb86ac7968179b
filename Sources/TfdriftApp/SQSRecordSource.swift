import AWSClient
import Detector
import Logging
import TfdriftCore

/// CloudTrail log files announced through SQS (S3 notifications raw or through SNS, CloudTrail's own
/// SNS notification, EventBridge events) as a record source. Each log file is one batch; the consumer
/// deletes a message only after the engine returned for every file it names — that is, once their
/// drift events are with the sinks — so a crash means redelivery, and event ids make that harmless.
struct SQSRecordSource: RecordSource {
    let name = "sqs"
    let sqs: SQSClient
    let s3: S3Client
    let configuration: CloudTrailQueueConsumer<CloudTrailPayloadClosure>.Configuration
    let control = CloudTrailConsumerControl()
    let logger: Logger

    func run(into engine: DetectionEngine) async throws {
        let source = name
        let handler = CloudTrailPayloadClosure { bytes, origin in
            await engine.process(RecordBatch.decoding(payload: bytes, name: origin.description, source: source))
        }
        try await CloudTrailQueueConsumer(
            sqs: sqs, s3: s3, handler: handler, configuration: configuration, control: control, logger: logger
        ).run()
    }

    /// Stops receiving at once (an open long poll is cancelled: nothing it would have returned is lost,
    /// SQS redelivers it) and lets the files in hand finish.
    func stop() { control.stopReceiving() }
}

extension AWSContext {
    /// The SQS source of `providers.aws.cloudtrail.sqs_queue`, or nil when none is configured.
    func sqsSource(config: TfdriftConfig) throws -> SQSRecordSource? {
        guard let queue = config.cloudTrail.sqsQueue else { return nil }
        let cloudTrail = config.cloudTrail
        // A cross-account log archive: assume cloudtrail.assume_role_arn for both the queue and the bucket.
        let provider = try factory.credentials(
            base: credentials, assumeRoleARN: cloudTrail.assumeRoleARN, region: cloudTrail.region)
        let sqs = try factory.sqs(queue: queue, region: cloudTrail.region, endpoint: cloudTrail.endpoint, credentials: provider)
        let s3 = try self.s3(region: cloudTrail.region, endpoint: cloudTrail.endpoint, assumeRole: cloudTrail.assumeRoleARN)
        var configuration = CloudTrailQueueConsumer<CloudTrailPayloadClosure>.Configuration()
        configuration.accounts = Set(cloudTrail.accounts)
        if let bucket = cloudTrail.s3Bucket { configuration.buckets = [bucket] }
        configuration.keyPrefix = cloudTrail.s3Prefix
        return SQSRecordSource(sqs: sqs, s3: s3, configuration: configuration, logger: logger)
    }
}
