import AWSClient
import ArgumentParser
import TfdriftCore

struct IAMPolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iam-policy",
        abstract: "Print the least-privilege IAM policy for the configured sources and state backends.",
        discussion: """
            Derived from the configuration: s3:GetObject on the trail bucket's prefix (per allowed account \
            for organisation trails) and on each S3 state object (workspace keys included); the SQS calls \
            the consumer makes on the configured queue; sts:AssumeRole for states read through \
            assume_role_arn (each such role's own policy is printed after the detector's); kms:Decrypt \
            only for the keys given with --kms-key-arn.

            With one policy, the output is the bare document. With assumed roles, --output text prints \
            each document after a "# attach to <principal>" line; --output json prints \
            {"policies": [{"principal", "policy"}], "notes": [...]}.

            Example:
              tfdriftctl iam-policy --config tfdrift.yaml > tfdrift-policy.json
              aws iam put-role-policy --role-name tfdrift --policy-name tfdrift \\
                --policy-document file://tfdrift-policy.json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .customLong("kms-key-arn"),
        help: "A customer-managed KMS key encrypting the trail bucket, a state bucket or the queue (repeatable).")
    var kmsKeyARNs: [String] = []

    func validate() throws {
        for key in kmsKeyARNs where !key.hasPrefix("arn:") || !key.contains(":kms:") {
            throw ValidationError("--kms-key-arn expects a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got \"\(key)\"")
        }
    }

    func run() async throws {
        let config = try global.loadConfig()
        global.bootstrapLogging(config: config)
        // Keys from the flag and from providers.aws.cloudtrail.kms_key_arns.
        let result = IAMPolicyBuilder.build(config: config, kmsKeyARNs: kmsKeyARNs + config.cloudTrail.kmsKeyARNs)
        for note in result.notes { Console.warn(note) }
        switch global.output {
        case .json:
            let policies: [JSONValue] = try result.policies.map { policy in
                ["principal": .string(policy.principal), "policy": try JSONValue.parse(policy.json)]
            }
            Output.json(["policies": .array(policies), "notes": .array(result.notes.map { .string($0) })])
        case .text:
            if result.policies.count == 1 {
                print(result.policies[0].json)
                return
            }
            for policy in result.policies {
                print(
                    "# attach to \(policy.principal == IAMPolicyBuilder.detectorPrincipal ? "tfdriftctl's role or user" : policy.principal)"
                )
                print(policy.json)
            }
        }
        if result.policies.isEmpty { throw ExitCode(1) }
    }
}
