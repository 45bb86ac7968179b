import Detector
import DetectorServer
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

extension CollectingSink {
    /// Waits until at least `count` events arrived (bounded).
    func waitFor(_ count: Int, timeout: Duration = .seconds(10)) async -> [DriftEvent] {
        let deadline = ContinuousClock.now + timeout
        while events.count < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return events
    }
}

enum ServerFixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    static let catalog: EventCatalog = {
        do { return try CatalogLoader.builtIn() } catch { fatalError("\(error)") }
    }()

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tfdrift-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A state managing the security group of the real Stratus record `9fd68588-…` (sg-003dc7f1f1c686164).
    static func stateJSON(ingress: String = "[]", serial: Int = 1, extraResource: String = "") -> String {
        """
        {"version":4,"terraform_version":"1.9.8","serial":\(serial),"lineage":"t","outputs":{},"resources":[
         {"mode":"managed","type":"aws_security_group","name":"bastion","provider":"provider[\\"registry.terraform.io/hashicorp/aws\\"]",
          "instances":[{"schema_version":1,"attributes":{"id":"sg-003dc7f1f1c686164","name":"bastion","ingress":\(ingress)}}]}\(extraResource)
        ]}
        """
    }

    /// The real CloudTrail record as Falco's http_output sends it with the CloudTrail plugin's fields.
    static let falcoAlert = """
        {"output":"Warning Mutating AWS API call","priority":"Warning","rule":"AWS Mutating API Call","time":"2024-08-01T12:23:55.000000000Z",
         "output_fields":{"ct.name":"AuthorizeSecurityGroupIngress","ct.src":"ec2.amazonaws.com","ct.id":"9fd68588-ecbf-4528-a345-199fa6bb0821",
         "ct.time":"2024-08-01T12:23:55Z","ct.region":"us-northeast-1r","ct.user":"christophe","ct.user.arn":"arn:aws:iam::032092706103:user/christophe",
         "ct.user.identitytype":"IAMUser","ct.user.accountid":"032092706103","ct.srcip":"253.243.215.253",
         "ct.useragent":"stratus-red-team_1004a4ff-b486-4981-a84b-6322905f37cc",
         "ct.request":"{\\"cidrIp\\":\\"208.236.235.254/0\\",\\"fromPort\\":22,\\"groupId\\":\\"sg-003dc7f1f1c686164\\",\\"ipPermissions\\":{},\\"ipProtocol\\":\\"tcp\\",\\"toPort\\":22}",
         "ct.response":null,"ct.readonly":"false","ct.error":"<NA>"},"source":"aws_cloudtrail"}
        """

    /// A CloudTrail record creating a VPC, with a unique event id.
    static func createVpc(_ n: Int) -> String {
        #"{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","eventID":"vpc-event-\#(n)","readOnly":false,"eventType":"AwsApiCall","awsRegion":"us-east-1","recipientAccountId":"123456789012","userAgent":"aws-cli/2.15","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","userName":"alice"},"responseElements":{"vpc":{"vpcId":"vpc-\#(n)"}}}"#
    }

    static func config(statePath: String?, token: String? = nil, queueCapacity: Int = 10_000) -> TfdriftConfig {
        var config = TfdriftConfig()
        if let statePath {
            var state = StateSourceConfig(name: "main", backend: .local)
            state.localPath = statePath
            config.states = [state]
        }
        config.outputs.stdout = false
        config.server.enabled = true
        config.server.listen = "127.0.0.1:0"
        config.server.token = token.map(Secret.init)
        config.server.queueCapacity = queueCapacity
        config.server.maxBodyBytes = 64 * 1024
        return config
    }
}

/// A plain TCP client, for what an HTTP client library will not do (send half a request, then stall).
enum RawClient {
    static func send(_ text: String, to port: Int, readFor timeout: Duration) throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
