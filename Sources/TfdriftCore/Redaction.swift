import Foundation

/// Removes secrets from text shown to users: URL credentials and query strings, and webhook paths.
public enum Redaction {
    /// `https://user:pass@host/path?token=x` → `https://host/path`; Slack webhook paths are elided.
    public static func url(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.host != nil else {
            return text.count > 8 ? String(text.prefix(8)) + "…" : text
        }
        components.user = nil
        components.password = nil
        components.query = nil
        let elideWebhookPath = components.host?.hasSuffix("hooks.slack.com") == true
        if elideWebhookPath { components.path = "/services" }
        return (components.string ?? "") + (elideWebhookPath ? "/…" : "")
    }

    /// For URLs that are secrets as a whole (Slack and other webhooks): scheme, host and port only.
    public static func secretURL(_ text: String) -> String {
        guard let components = URLComponents(string: text), let host = components.host else { return "<webhook URL>" }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(components.scheme ?? "https")://\(host)\(port)/…"
    }
}
