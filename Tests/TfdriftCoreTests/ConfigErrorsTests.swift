import Foundation
import Testing
import TfdriftCore

/// Issue 13.15 and 13.16: every mistake in one run, each with its line; unset variables named as such;
/// the Grafana provider's environment variables.
@Suite("configuration problems, all at once")
struct ConfigErrorsTests {
    @Test("three mistakes in three sections are three problems in one error, in line order, each with key and line")
    func everyProblem() {
        let yaml = """
            outputs:
              stdout: maybe
              loki:
                url: loki:3100
            detection:
              dedup_window: soon
            grafana:
              url: http://grafana:3000
              folder_uid: tfdrift
              tokn: x
            """
        let error = #expect(throws: ConfigErrors.self) { try ConfigLoader.parse(yaml: yaml, file: "t.yaml") }
        let problems = error?.errors ?? []
        #expect(problems.map(\.keyPath) == ["outputs.stdout", "outputs.loki.url", "detection.dedup_window", "grafana.tokn"])
        #expect(problems.map(\.line) == [2, 4, 6, 10])
        #expect(problems[3].message.contains("did you mean token?"))
        #expect(error?.description.hasPrefix("4 problems in the configuration:") == true)
    }

    @Test("a problem in a list element does not hide the next element's")
    func listElements() {
        let yaml = """
            advanced:
              maintenance_windows:
                - {name: a, days: [Someday], start_time: "02:00", end_time: "06:00"}
                - {name: b, days: [Sunday], start_time: "25:00", end_time: "06:00"}
                - {name: c, days: [Sunday], start_time: "02:00", end_time: "06:00", timezone: Mars/Olympus}
            """
        let error = #expect(throws: ConfigErrors.self) { try ConfigLoader.parse(yaml: yaml, file: "t.yaml") }
        #expect(error?.errors.count == 3)
        #expect(error?.errors.map(\.line) == [3, 4, 5])
    }

    @Test("an unset ${VAR} is named as unset where the value is needed")
    func unsetVariables() throws {
        let config = try ConfigLoader.parse(yaml: "grafana:\n  url: http://g:3000\n  token: \"${GRAFANA_TOKEN}\"\n")
        #expect(config.unsetMessage("grafana.token") == "grafana.token: ${GRAFANA_TOKEN} is not set in the environment")
        // A Slack webhook is needed to load at all: the error says which variable is missing.
        let slack = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "outputs:\n  slack:\n    webhook_url: \"${SLACK_WEBHOOK_URL}\"\n")
        }
        #expect(slack?.keyPath == "outputs.slack.webhook_url")
        #expect(slack?.message == "${SLACK_WEBHOOK_URL} is not set in the environment")
    }

    @Test("one expander: ${VAR}, ${VAR:-default}, empty counts as unset, unterminated left as written")
    func expansion() {
        let environment = ["SET": "value", "EMPTY": ""]
        func expand(_ text: String) -> EnvironmentExpansion.Result {
            EnvironmentExpansion.expand(text, environment: environment)
        }
        #expect(expand("a-${SET}-b") == EnvironmentExpansion.Result(text: "a-value-b", unset: []))
        #expect(expand("${MISSING:-fallback:-x}").text == "fallback:-x")
        #expect(expand("${EMPTY:-d}").text == "d")
        #expect(expand("${EMPTY}${MISSING}") == EnvironmentExpansion.Result(text: "", unset: ["EMPTY", "MISSING"]))
        #expect(expand("${OPEN").text == "${OPEN")
    }

    @Test("GRAFANA_URL and GRAFANA_AUTH are read as the Grafana Terraform provider reads them, when the config does not say")
    func grafanaEnvironment() throws {
        let token = try ConfigLoader.parse(
            yaml: "", environment: ["GRAFANA_URL": "https://grafana.example:3000", "GRAFANA_AUTH": "glsa_token"])
        #expect(token.grafana?.url == "https://grafana.example:3000")
        #expect(token.grafana?.token?.value == "glsa_token")
        let basic = try ConfigLoader.parse(
            yaml: "grafana:\n  folder: Drift\n", environment: ["GRAFANA_URL": "http://g:3000", "GRAFANA_AUTH": "ops:pa:ss"])
        #expect(basic.grafana?.username == "ops" && basic.grafana?.password?.value == "pa:ss")
        #expect(basic.grafana?.folder == "Drift")
        // The config wins over the environment.
        let configured = try ConfigLoader.parse(
            yaml: "grafana:\n  url: http://config:3000\n  token: from-config\n",
            environment: ["GRAFANA_URL": "http://env:3000", "GRAFANA_AUTH": "from-env"])
        #expect(configured.grafana?.url == "http://config:3000" && configured.grafana?.token?.value == "from-config")
        // A grafana: section without url and without GRAFANA_URL says both ways to fix it.
        let missing = #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: "grafana:\n  folder: Drift\n") }
        #expect(missing?.message.contains("GRAFANA_URL") == true)
    }
}
