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
            assume_role_arn; kms:Decrypt only for the keys given with --kms-key-arn.

            --output json prints one plain IAM policy document ({"Version", "Statement"}), the input of \
            `aws iam put-role-policy`, CloudFormation and Terraform: the detector's own (its task role, \
            IRSA role or instance profile), or with --role ARN the policy of a role it assumes. \
            --output text without --role prints every document, each after a "# attach to <principal>" \
            line when there is more than one. Notes go to stderr.

            Example:
              tfdriftctl iam-policy --config tfdrift.yaml --output json > tfdrift-policy.json
              aws iam put-role-policy --role-name tfdrift --policy-name tfdrift \\
                --policy-document file://tfdrift-policy.json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .customLong("kms-key-arn"),
        help: "A customer-managed KMS key encrypting the trail bucket, a state bucket or the queue (repeatable).")
    var kmsKeyARNs: [String] = []

    @Option(
        name: .customLong("role"),
        help: "Print the policy of this assumed role (a states[].assume_role_arn or cloudtrail.assume_role_arn).")
    var role: String?

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
        if result.policies.isEmpty { throw ExitCode(1) }
        let assumed = result.policies.filter { $0.principal != IAMPolicyBuilder.detectorPrincipal }
        if let role {
            guard let policy = assumed.first(where: { $0.principal == role }) else {
                let known =
                    assumed.isEmpty
                    ? "the configuration assumes no role" : "assumed roles: " + assumed.map(\.principal).joined(separator: ", ")
                Console.error("--role \(role): not a role the configuration assumes (\(known))")
                throw ExitCode(1)
            }
            print(policy.json)
            return
        }
        switch global.output {
        case .json:
            // The detector's own document (a configuration that only assumes roles still has one:
            // sts:AssumeRole on them).
            if let own = result.policies.first(where: { $0.principal == IAMPolicyBuilder.detectorPrincipal }) {
                print(own.json)
            }
            for policy in assumed {
                Console.warn(
                    "\(policy.principal) needs its own policy: tfdriftctl iam-policy --output json --role \(policy.principal)")
            }
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
    }
}
