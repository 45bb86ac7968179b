enum BuildInfo {
    static let version = "0.1.0"
    static let stateFormats = "Terraform state format 4 (Terraform 0.12 – 1.12)"
    static let cloudTrailFormats = [
        "CloudTrail log files {\"Records\": […]} (.json, .json.gz; gzip by magic bytes)",
        "single records and NDJSON",
        "EventBridge \"AWS API Call via CloudTrail\" envelopes",
        "Falco http_output alerts from the CloudTrail plugin (ct.* output fields)",
    ]
}
