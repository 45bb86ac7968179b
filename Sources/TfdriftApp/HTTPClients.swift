import HTTPTransportAHC
import TfdriftCore

/// The HTTP client of each integration, built from the config: the one place that knows which CA file
/// and which hint in error messages belong to which endpoint.
public enum HTTPClients {
    public static func grafana(_ grafana: GrafanaConfig) throws -> any HTTPTransport {
        try AHCTransport(tls: TLSClientSettings(caFile: grafana.caFile), caHint: "grafana.ca_file")
    }

    public static func alertmanager(_ alertmanager: AlertmanagerConfig) throws -> any HTTPTransport {
        try AHCTransport(tls: TLSClientSettings(caFile: alertmanager.caFile), caHint: "alertmanager.ca_file")
    }

    /// Loki, Slack and webhooks share one client (Slack and webhooks use the public CA bundle).
    public static func sinks(loki: LokiConfig?) throws -> any HTTPTransport {
        try AHCTransport(tls: TLSClientSettings(caFile: loki?.caFile), caHint: "outputs.loki.ca_file")
    }

    /// AWS: Terraform states can be large, so bodies up to 1 GiB.
    public static func aws() throws -> any HTTPTransport {
        try AHCTransport(caHint: "AWS_CA_BUNDLE", maxResponseBytes: 1 << 30)
    }

    /// Any endpoint with explicit TLS settings (doctor's probes).
    public static func make(tls: TLSClientSettings, caHint: String) throws -> any HTTPTransport {
        try AHCTransport(tls: tls, caHint: caHint)
    }
}
