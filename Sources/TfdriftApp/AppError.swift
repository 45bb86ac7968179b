import Detector

/// Why a command of the application layer failed, in sentences that read well after `Error: `.
public enum AppError: Error, CustomStringConvertible, Sendable {
    case nothingToRun
    /// A command that reads the states (`state inspect`, `state coverage`) with none configured.
    case noStateConfigured
    case unavailableSources([String])
    case listenAddressInUse(String)
    /// A one-shot run whose sink took events and delivered none of them (or refused the credentials).
    case sinksDeliveredNothing([SinkHealth])
    case nothingToReplay
    /// Inputs that could not be read, without `--allow-partial`.
    case unreadableInputs([MalformedInput], total: Int)
    /// A replay that read no record at all: a drift gate that checked nothing must not pass.
    case replayReadNothing(inputs: Int, malformed: Int)
    case badTrailURL(String)
    /// An S3 trail that cannot be listed (wrong credentials, no such bucket).
    case cannotList(String, String)

    public var description: String {
        switch self {
        case .noStateConfigured:
            return "no Terraform state configured: set providers.aws.state.local_path (or providers.aws.states)"
        case .nothingToRun:
            return
                "nothing to run: set providers.aws.cloudtrail.log_paths (files or directories of CloudTrail logs), "
                + "providers.aws.cloudtrail.sqs_queue, or a server: section (HTTP ingest for Falco)"
        case .unavailableSources(let sources):
            return
                "this build of tfdriftctl cannot read these sources yet: \(sources.joined(separator: ", ")). Remove them, or use `replay` on the logs."
        case .listenAddressInUse(let listen):
            return
                "server.listen \(listen): the address is already in use — another process (another tfdriftctl?) listens there; "
                + "stop it or choose another port"
        case .sinksDeliveredNothing(let sinks):
            let parts = sinks.map { health in
                "\(health.name) took \(health.accepted) drift events and delivered none (\(health.permanentFailure ?? health.detail))"
                    + (health.spoolBytes.map { $0 > 0 ? "; they wait in its spool for the next run" : "" } ?? "")
            }
            return parts.joined(separator: "; ")
        case .nothingToReplay:
            return
                "nothing to replay: give CloudTrail files, directories or s3://bucket/prefix, or set providers.aws.cloudtrail.log_paths"
        case .unreadableInputs(let problems, let total):
            let shown = problems.prefix(5).map(\.description).joined(separator: "; ")
            let more = problems.count > 5 ? "; … and \(problems.count - 5) more" : ""
            return
                "\(problems.count) of \(total) inputs could not be read: \(shown)\(more). Fix or remove them, or pass --allow-partial to accept a partial result"
        case .badTrailURL(let url):
            return "\(url): expected s3://BUCKET/PREFIX (the trail's bucket, and optionally where its AWSLogs/ folder is)"
        case .cannotList(let trail, let reason):
            return "cannot list \(trail): \(reason)"
        case .replayReadNothing(let inputs, let malformed):
            if inputs == 0 { return "the replay found no CloudTrail log files in its inputs: nothing was checked" }
            return
                "the replay read no CloudTrail record from \(inputs) input\(inputs == 1 ? "" : "s")"
                + (malformed > 0 ? " (\(malformed) malformed)" : "") + ": nothing was checked"
        }
    }
}
