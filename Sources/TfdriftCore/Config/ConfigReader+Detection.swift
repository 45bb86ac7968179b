import Foundation

/// `detection:`, TFDrift-Falco's `drift_rules:`, and `advanced:` (maintenance windows, silences, upstream tuning keys).
extension Reader {
    mutating func readDetection(_ node: YAMLNode) {
        node.section { section in
            section.read("severity_rules") { rules in
                for element in rules.elements() {
                    if let rule = readSeverityRule(element) { config.detection.severityRules.append(rule) }
                }
            }
            section.read("ignore") { ignore in
                for element in ignore.elements() {
                    if let rule = readIgnoreRule(element) { config.detection.ignoreRules.append(rule) }
                }
            }
            section.read("expected_actors") { config.detection.expectedActors = try $0.stringList() }
            section.read("expected_user_agents") { config.detection.expectedUserAgents = try $0.stringList() }
            section.read("dedup_window") { config.detection.dedupWindow = try $0.duration() }
            section.read("catalog_paths") { config.detection.catalogPaths = try $0.stringList().map { self.resolve($0) } }
            section.read("report_unmanaged") { config.detection.reportUnmanaged = try $0.bool() }
            section.read("live_picture_max_resources") {
                config.detection.pictureMaxResources = try $0.int(range: 1...10_000_000)
            }
            section.read("live_picture_file") { config.detection.pictureFile = try filePath($0) }
        }
    }

    func readSeverityRule(_ node: YAMLNode) -> SeverityRule? {
        var rule: SeverityRule?
        node.section { section in
            section.required("severity") { rule = SeverityRule(severity: try $0.oneOf(Severity.self)) }
            section.read("name") { rule?.name = try $0.string() }
            section.read("resource_types") { rule?.resourceTypes = try $0.stringList() }
            section.read("attributes") { rule?.attributes = try $0.stringList() }
            section.read("drift_types") { types in
                for typeNode in types.elements() {
                    typeNode.attempt {
                        let type = try typeNode.string()
                        guard ["modified", "deleted", "unmanaged"].contains(type) else {
                            throw typeNode.error("expected one of modified, deleted, unmanaged, got \"\(type)\"")
                        }
                        rule?.driftTypes.append(type)
                    }
                }
            }
        }
        return rule
    }

    func readIgnoreRule(_ node: YAMLNode) -> IgnoreRule? {
        var rule = IgnoreRule()
        node.section { section in
            section.read("name") { rule.name = try $0.string() }
            section.read("actor_arns") { rule.actorARNs = try $0.stringList() }
            section.read("user_agents") { rule.userAgents = try $0.stringList() }
            section.read("resource_addresses") { rule.resourceAddresses = try $0.stringList() }
            section.read("resource_types") { rule.resourceTypes = try $0.stringList() }
            section.read("event_names") { rule.eventNames = try $0.stringList() }
        }
        guard rule.actorARNs.isEmpty, rule.userAgents.isEmpty, rule.resourceAddresses.isEmpty, rule.resourceTypes.isEmpty,
            rule.eventNames.isEmpty
        else { return rule }
        node.attempt {
            throw node.error(
                "an ignore rule needs at least one of actor_arns, user_agents, resource_addresses, resource_types, event_names (an empty rule would ignore everything)"
            )
        }
        return nil
    }

    /// TFDrift-Falco's `drift_rules` (`resource_types`, `watched_attributes`, `severity`) become severity
    /// rules. Its CloudFormation-style type names (`AWS::EC2::SecurityGroup`) are not Terraform types.
    mutating func readDriftRulesCompat(_ node: YAMLNode) {
        for element in node.elements() {
            var rule: SeverityRule?
            element.section { section in
                section.required("severity") { rule = SeverityRule(severity: try $0.oneOf(Severity.self)) }
                section.read("name") { rule?.name = try $0.string() }
                section.read("resource_types") { types in
                    let names = try types.stringList()
                    for type in names where type.contains("::") {
                        config.warnings.append(
                            "\(element.path).resource_types: \"\(type)\" is a CloudFormation type name; drift events carry Terraform types such as aws_security_group, so this rule will not match it"
                        )
                    }
                    rule?.resourceTypes = names
                }
                section.read("watched_attributes") { rule?.attributes = try $0.stringList() }
            }
            if let rule { config.detection.severityRules.append(rule) }
        }
    }

    mutating func readAdvanced(_ node: YAMLNode) {
        node.section { section in
            section.read("silences") { if let silences = readSilences($0) { config.silences = silences } }
            section.read("maintenance_windows") { windows in
                for element in windows.elements() {
                    if let window = readWindow(element) { config.maintenanceWindows.append(window) }
                }
            }
            section.read("state_refresh_interval") { config.stateReloadInterval = try $0.duration(minimum: 5) }
            section.read("deduplication_window") { config.detection.dedupWindow = try $0.duration() }
            section.read("event_buffer_size") { config.server.queueCapacity = try $0.int(range: 1...10_000_000) }
            section.read("workers") { _ = try $0.int(range: 1...256) }
            section.read("rate_limit") { rateLimit in
                rateLimit.section { fields in
                    fields.accept("enabled")
                    fields.read("max_alerts_per_minute") { perMinute in
                        let value = try perMinute.int(range: 1...6000)
                        if config.outputs.slack != nil { config.outputs.slack?.ratePerSecond = Double(value) / 60 }
                    }
                }
            }
        }
    }

    func readWindow(_ node: YAMLNode) -> MaintenanceWindow? {
        var window: MaintenanceWindow?
        node.section { section in
            var name: String?
            section.required("name") { name = try $0.string() }
            if let startNode = section.value("start_datetime") {
                for weekly in ["days", "start_time", "end_time", "timezone"] where section.has(weekly) {
                    section.problem("a one-off window (start_datetime) cannot also have \(weekly)")
                }
                var start: Date?
                var end: Date?
                startNode.attempt {
                    guard let parsed = Timestamp.parse(try startNode.string()) else {
                        throw startNode.error("expected an RFC 3339 time such as 2025-12-10T20:00:00Z")
                    }
                    start = parsed
                }
                section.required("end_datetime") { endNode in
                    guard let parsed = Timestamp.parse(try endNode.string()) else {
                        throw endNode.error("expected an RFC 3339 time such as 2025-12-10T23:00:00Z")
                    }
                    if let start, parsed <= start { throw endNode.error("end_datetime must be after start_datetime") }
                    end = parsed
                }
                if let name, let start, let end {
                    window = MaintenanceWindow(name: name, schedule: .oneOff(start: start, end: end))
                }
                return
            }
            var weekdays = Set<Int>()
            section.required("days") { daysNode in
                for dayNode in daysNode.elements() {
                    dayNode.attempt {
                        let day = try dayNode.string()
                        guard let number = Weekday.number(day) else {
                            throw dayNode.error("expected a day name such as Sunday or Mon, got \"\(day)\"")
                        }
                        weekdays.insert(number)
                    }
                }
                if weekdays.isEmpty, try daysNode.list().isEmpty { throw daysNode.error("list at least one day") }
            }
            var start: Int?
            var end: Int?
            section.required("start_time") { start = try minutes($0) }
            section.required("end_time") { end = try minutes($0) }
            var zone: TimeZone? = TimeZone(identifier: "UTC")
            section.read("timezone") { node in
                let zoneName = try node.string()
                zone = TimeZone(identifier: zoneName)
                if zone == nil {
                    throw node.error("unknown time zone \"\(zoneName)\"; use an IANA name such as Asia/Tokyo or Europe/Berlin")
                }
            }
            guard let name, let start, let end, let zone, !weekdays.isEmpty else { return }
            guard start != end else {
                section.problem("start_time and end_time are equal; the window would be empty")
                return
            }
            window = MaintenanceWindow(
                name: name, schedule: .weekly(weekdays: weekdays, startMinute: start, endMinute: end, timeZone: zone))
        }
        return window
    }

    func minutes(_ node: YAMLNode) throws -> Int {
        let text = try node.string()
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour),
            (0..<60).contains(minute), hour * 60 + minute <= 1440
        else { throw node.error("expected a time of day HH:MM such as 02:00, got \"\(text)\"") }
        return hour * 60 + minute
    }
}
