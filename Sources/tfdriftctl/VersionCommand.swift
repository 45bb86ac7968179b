import ArgumentParser
import TfdriftCore

struct Version: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the version, build and supported formats.",
        discussion: """
            With --output json: {"version", "build", "state_formats", "cloudtrail_inputs": [...]}.

            Example:
              tfdriftctl version --output json | jq -r .version
            """)

    @OptionGroup var global: GlobalOptions

    static var build: String {
        #if DEBUG
            "debug"
        #else
            "release"
        #endif
    }

    func run() async throws {
        if global.output == .json {
            Output.json([
                "version": .string(BuildInfo.version), "build": .string(Self.build),
                "state_formats": .string(BuildInfo.stateFormats),
                "cloudtrail_inputs": .array(BuildInfo.cloudTrailFormats.map { .string($0) }),
            ])
            return
        }
        print("tfdriftctl \(BuildInfo.version)")
        print("build: \(Self.build)")
        print("state: \(BuildInfo.stateFormats)")
        print("cloudtrail inputs:")
        for format in BuildInfo.cloudTrailFormats { print("  - \(format)") }
    }
}
