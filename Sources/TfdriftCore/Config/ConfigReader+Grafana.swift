import Foundation

/// `grafana:` and `alertmanager:`.
extension Reader {
    func readGrafana(_ node: YAMLNode) -> GrafanaConfig? {
        var grafana: GrafanaConfig?
        node.section { section in
            var url: String?
            section.read("url") { url = try self.url($0) }
            if url == nil, !section.has("url") {
                // The Grafana Terraform provider's variable: a config without grafana.url takes it.
                if let fromEnvironment = environment["GRAFANA_URL"], !fromEnvironment.isEmpty {
                    url = fromEnvironment
                } else {
                    section.problem("missing required key \"url\" (or set GRAFANA_URL)")
                }
            }
            var config = GrafanaConfig(url: url ?? "")
            config.token = readSecret(&section, "token")
            section.read("username") { config.username = try $0.string() }
            config.password = readSecret(&section, "password")
            section.read("org_id") { config.orgID = try $0.int(range: 1...Int(Int32.max)) }
            section.read("folder") { config.folder = try $0.string() }
            section.read("folder_uid") { config.folderUID = try $0.string() }
            section.read("datasource_name") { config.datasourceName = try $0.string() }
            section.read("datasource_uid") { config.datasourceUID = try $0.string() }
            section.read("loki_url") { config.lokiURL = try self.url($0) }
            section.read("datasource_is_default") { config.datasourceIsDefault = try $0.bool() }
            section.read("ca_file") { config.caFile = try filePath($0) }
            section.read("ui_editable") { config.uiEditable = try $0.bool() }
            section.read("contact_points") { config.contactPoints = try $0.stringMap() }
            if url != nil { grafana = config }
        }
        return grafana
    }

    func readAlertmanager(_ node: YAMLNode) -> AlertmanagerConfig? {
        var alertmanager: AlertmanagerConfig?
        node.section { section in
            section.required("url") { alertmanager = AlertmanagerConfig(url: try url($0)) }
            section.read("ca_file") { alertmanager?.caFile = try filePath($0) }
            section.read("username") { alertmanager?.username = try $0.string() }
            let password = readSecret(&section, "password")
            let token = readSecret(&section, "token")
            alertmanager?.password = password
            alertmanager?.token = token
        }
        return alertmanager
    }

    /// `GRAFANA_URL` and `GRAFANA_AUTH`, read as the Grafana Terraform provider reads them: used when the
    /// config does not say. `GRAFANA_AUTH` is a service-account token, or `user:password`.
    mutating func applyEnvironmentFallbacks() {
        if config.grafana == nil, let url = environment["GRAFANA_URL"], !url.isEmpty {
            config.grafana = GrafanaConfig(url: url)
        }
        guard var grafana = config.grafana, grafana.token == nil, grafana.username == nil, grafana.password == nil,
            let auth = environment["GRAFANA_AUTH"], !auth.isEmpty
        else { return }
        if let colon = auth.firstIndex(of: ":") {
            grafana.username = String(auth[..<colon])
            grafana.password = Secret(String(auth[auth.index(after: colon)...]))
        } else {
            grafana.token = Secret(auth)
        }
        config.grafana = grafana
    }
}
