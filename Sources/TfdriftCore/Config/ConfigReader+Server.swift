import Foundation

/// `server:` (the detector's HTTP listener, ingest journal) and `logging:`.
extension Reader {
    mutating func readServer(_ node: YAMLNode) {
        node.section { section in
            var journal = true
            section.read("journal") { journal = try $0.bool() }
            section.read("journal_sync") { config.server.journalSync = try $0.bool() }
            var journalDirectory: String?
            section.read("journal_dir") { journalDirectory = try filePath($0) }
            if journal {
                config.server.journalDirectory = journalDirectory ?? resolve("tfdrift-journal")
            } else if journalDirectory != nil {
                section.problem("journal_dir is set but journal is false; remove one of them")
            }
            section.read("stale_after") { config.server.staleAfter = try $0.duration(minimum: 10) }
            config.server.enabled = true
            section.read("enabled") { config.server.enabled = try $0.bool() }
            section.read("listen") { listen in
                let text = try listen.string()
                guard let colon = text.lastIndex(of: ":"), Int(text[text.index(after: colon)...]) != nil else {
                    throw listen.error("expected HOST:PORT such as 127.0.0.1:8080, got \"\(text)\"")
                }
                config.server.listen = text
            }
            section.read("falco_path") { config.server.falcoPath = try $0.string() }
            section.read("tls_cert_file") { config.server.tlsCertFile = try filePath($0) }
            section.read("tls_key_file") { config.server.tlsKeyFile = try filePath($0) }
            section.read("client_ca_file") { config.server.clientCAFile = try filePath($0) }
            if (config.server.tlsCertFile == nil) != (config.server.tlsKeyFile == nil) {
                section.problem("tls_cert_file and tls_key_file must be set together")
            }
            if config.server.clientCAFile != nil, config.server.tlsCertFile == nil {
                section.problem("client_ca_file (mTLS) needs tls_cert_file and tls_key_file")
            }
            config.server.token = readSecret(&section, "token")
            section.read("max_body_bytes") { config.server.maxBodyBytes = try $0.int(range: 1024...1_073_741_824) }
            section.read("queue_capacity") { config.server.queueCapacity = try $0.int(range: 1...10_000_000) }
            section.read("idle_timeout") { config.server.idleTimeout = try $0.duration(minimum: 1) }
            section.read("read_timeout") { config.server.readTimeout = try $0.duration(minimum: 1) }
        }
    }

    mutating func readLogging(_ node: YAMLNode) {
        node.section { section in
            section.read("level") { level in
                let text = try level.string().lowercased()
                let allowed = ["trace", "debug", "info", "notice", "warning", "warn", "error", "critical"]
                guard allowed.contains(text) else {
                    throw level.error("expected one of \(allowed.joined(separator: ", ")), got \"\(text)\"")
                }
                config.logging.level = text == "warn" ? "warning" : text
            }
            section.read("format") { format in
                let text = try format.string().lowercased()
                guard ["text", "json"].contains(text) else { throw format.error("expected text or json, got \"\(text)\"") }
                config.logging.format = text
            }
            section.read("output") { output in
                let text = try output.string()
                guard ["stdout", "stderr"].contains(text) else {
                    throw output.error("logs go to stderr (drift events own stdout); expected stderr, got \"\(text)\"")
                }
            }
        }
    }
}
