import ArgumentParser

struct Version: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version, build and supported formats.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        print("tfdriftctl \(BuildInfo.version)")
        #if DEBUG
            print("build: debug")
        #else
            print("build: release")
        #endif
        print("state: \(BuildInfo.stateFormats)")
        print("cloudtrail inputs:")
        for format in BuildInfo.cloudTrailFormats { print("  - \(format)") }
    }
}
