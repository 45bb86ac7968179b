import Foundation
import Testing

/// `tfdriftctl catalog list` and `catalog coverage`, run as a user would (SPEC §2).
@Suite("tfdriftctl catalog")
struct CatalogCommandTests {
    static func array(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test("catalog list --output json: one object per call, mapped or classified with a reason")
    func listJSON() async throws {
        let result = try await CLITests.run(["catalog", "list", "--output", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let calls = try Self.array(result.stdout)
        #expect(calls.count > 7_000, "\(calls.count)")
        for call in calls {
            for field in ["event_source", "event_name", "change", "resource_types", "identifiers", "diff", "severity"] {
                #expect(call[field] != nil, "\(field) missing in \(call)")
            }
        }
        let mapped = calls.filter { $0["change"] as? String != "none" }
        #expect(mapped.count >= 5_000, "\(mapped.count)")
        let classified = calls.filter { $0["change"] as? String == "none" }
        #expect(classified.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        // A generated security call: critical, identified by the request's web ACL association ARN.
        let disassociate = try #require(
            calls.first {
                $0["event_source"] as? String == "wafv2.amazonaws.com" && $0["event_name"] as? String == "DisassociateWebACL"
            })
        #expect(disassociate["change"] as? String == "delete")
        #expect(disassociate["severity"] as? String == "critical")
        #expect(disassociate["resource_types"] as? [String] == ["aws_wafv2_web_acl_association"])
        let paths = (disassociate["identifiers"] as? [[String: Any]])?.first?["paths"] as? [String]
        #expect(paths == ["request.resourceArn"])
        let session = try #require(
            calls.first { $0["event_source"] as? String == "ssm.amazonaws.com" && $0["event_name"] as? String == "StartSession" })
        #expect(session["change"] as? String == "none")
    }

    @Test("catalog list filters by service and resource type; text output")
    func listFilters() async throws {
        let guardduty = try Self.array(
            try await CLITests.run(["catalog", "list", "--service", "guardduty", "--output", "json"]).stdout)
        #expect(!guardduty.isEmpty)
        #expect(guardduty.allSatisfy { $0["event_source"] as? String == "guardduty.amazonaws.com" })
        let groups = try Self.array(
            try await CLITests.run(["catalog", "list", "--resource-type", "aws_security_group", "--output", "json"]).stdout)
        #expect(groups.contains { $0["event_name"] as? String == "AuthorizeSecurityGroupIngress" })
        #expect(groups.allSatisfy { ($0["resource_types"] as? [String])?.contains("aws_security_group") == true })
        let text = try await CLITests.run(["catalog", "list", "--service", "ec2.amazonaws.com"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("ec2.amazonaws.com EnableEbsEncryptionByDefault: modify aws_ebs_encryption_by_default"))
    }

    @Test("catalog coverage --output json: per service and in total, against the AWS API models")
    func coverageJSON() async throws {
        let result = try await CLITests.run(["catalog", "coverage", "--output", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let total = try #require(report["total"] as? [String: Any])
        let mutating = try #require(total["mutating"] as? Int)
        let mapped = try #require(total["mapped"] as? Int)
        let classified = try #require(total["classified"] as? Int)
        let uncovered = try #require(total["uncovered"] as? Int)
        #expect(mapped >= 5_000)
        #expect(mapped + classified + uncovered == mutating)
        let services = try #require(report["services"] as? [[String: Any]])
        #expect(services.count == total["services"] as? Int)
        for service in services {
            let percent = try #require(service["covered_percent"] as? Double)
            #expect(percent >= 95, "\(service["service"] ?? "?") \(percent)")
        }
        #expect((report["source"] as? String)?.contains("botocore 1.43.11") == true)
        let text = try await CLITests.run(["catalog", "coverage"])
        #expect(text.stdout.contains("guardduty"))
        #expect(text.stdout.contains("total:"))
    }
}
