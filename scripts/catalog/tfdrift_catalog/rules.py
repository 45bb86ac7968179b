"""The generator's hand-maintained knowledge: where the two models do not line up by themselves.

Everything here is a fact about AWS, CloudTrail or the Terraform provider, with the reason beside it.
The mapping itself (which call touches which resource type, where the identifier is) is computed in
mapper.py from the models; these tables only name the exceptions.
"""

# --------------------------------------------------------------------------- Terraform type -> service
# The provider's resource-name prefixes that are not `aws_<botocore service>_` (its names/data file
# records the same facts as `resource_prefix.actual`). Regular expressions matched at the start of the
# type name; the longest match wins, so `aws_route53_resolver_` beats `aws_route53_`.
TERRAFORM_PREFIXES = [
    (r"aws_api_gateway_", "apigateway"),
    (r"aws_appautoscaling_", "application-autoscaling"),
    (r"aws_prometheus_", "amp"),
    (r"aws_cloudwatch_", "cloudwatch"),
    (r"aws_cloudwatch_event_", "events"),
    (r"aws_cloudwatch_log_", "logs"),
    (r"aws_cloudwatch_query_", "logs"),
    (r"aws_cognito_", "cognito-idp"),
    (r"aws_cognito_identity_pool", "cognito-identity"),
    (r"aws_config_", "config"),
    (r"aws_dx_", "directconnect"),
    (r"aws_directory_service_", "ds"),
    (r"aws_elastic_beanstalk_", "elasticbeanstalk"),
    (r"aws_elasticsearch_", "es"),
    (r"aws_a?lb(_listener|_target_group|_trust_store|$)", "elbv2"),
    (r"aws_lbs?$", "elbv2"),
    (r"aws_(app_cookie_stickiness_policy|elb|lb_cookie_stickiness_policy|lb_ssl_negotiation_policy|load_balancer_|proxy_protocol_policy)", "elb"),
    (r"aws_media_convert_", "mediaconvert"),
    (r"aws_media_package_", "mediapackage"),
    (r"aws_media_packagev2_", "mediapackagev2"),
    (r"aws_media_store_", "mediastore"),
    (r"aws_kinesis_", "kinesis"),
    (r"aws_kinesis_analytics_", "kinesisanalytics"),
    (r"aws_kinesis_firehose_", "firehose"),
    (r"aws_kinesis_video_", "kinesisvideo"),
    (r"aws_lex_", "lex-models"),
    (r"aws_msk_", "kafka"),
    (r"aws_mskconnect_", "kafkaconnect"),
    (r"aws_(db|rds)_", "rds"),
    (r"aws_route53_", "route53"),
    (r"aws_route53_resolver_", "route53resolver"),
    (r"aws_(canonical_user_id|s3_bucket|s3_object|s3_directory_bucket)", "s3"),
    (r"aws_(s3_account_|s3control_|s3_access_)", "s3control"),
    (r"aws_serverlessapplicationrepository_", "serverlessrepo"),
    (r"aws_service_discovery_", "servicediscovery"),
    (r"aws_simpledb_", "sdb"),
    (r"aws_cloudhsm_v2_", "cloudhsmv2"),
    (r"aws_cloudcontrolapi_", "cloudcontrol"),
    (r"aws_(autoscaling_|launch_configuration)", "autoscaling"),
    (r"aws_sfn_", "stepfunctions"),
    (r"aws_ssoadmin_", "sso-admin"),
    (r"aws_codedeploy_", "codedeploy"),
    (r"aws_codestarconnections_", "codestar-connections"),
    # EC2 and its sub-areas (EBS, VPC, IPAM, VPNs, Verified Access) are one API.
    (r"aws_(ami|availability_zone|ec2_|eip|instance|key_pair|launch_template|placement_group|spot_)", "ec2"),
    (r"aws_(ebs_|volume_attach|snapshot_create)", "ec2"),
    (r"aws_((default_)?(network_acl|route_table|security_group|subnet|vpc)|egress_only_internet|flow_log|internet_gateway"
     r"|main_route_table_association|nat_gateway|network_interface|prefix_list|route$|route_table|customer_gateway|vpn_"
     r"|verifiedaccess|default_vpc)", "ec2"),
    (r"aws_vpclattice_", "vpc-lattice"),
    (r"aws_vpc_ipam", "ec2"),
    (r"aws_networkmanager_", "networkmanager"),
    (r"aws_networkfirewall_", "network-firewall"),
    (r"aws_bedrockagent_", "bedrock-agent"),
    (r"aws_bedrockagentcore_", "bedrock-agentcore-control"),
    (r"aws_opensearchserverless_", "opensearchserverless"),
    (r"aws_ecrpublic_", "ecr-public"),
    (r"aws_emrcontainers_", "emr-containers"),
    (r"aws_emrserverless_", "emr-serverless"),
    (r"aws_lexv2models_", "lexv2-models"),
    (r"aws_resourcegroups_", "resource-groups"),
    (r"aws_servicecatalogappregistry_", "servicecatalog-appregistry"),
    (r"aws_ssmcontacts_", "ssm-contacts"),
    (r"aws_ssmincidents_", "ssm-incidents"),
    (r"aws_ssmquicksetup_", "ssm-quicksetup"),
    (r"aws_timestreamwrite_", "timestream-write"),
    (r"aws_timestreaminfluxdb_", "timestream-influxdb"),
    (r"aws_timestreamquery_", "timestream-query"),
    (r"aws_chimesdkvoice_", "chime-sdk-voice"),
    # Voice connectors moved from the Chime API to Chime SDK Voice (both log as chime.amazonaws.com).
    (r"aws_chime_voice_connector", "chime-sdk-voice"),
    (r"aws_chimesdkmediapipelines_", "chime-sdk-media-pipelines"),
    (r"aws_kinesisanalyticsv2_", "kinesisanalyticsv2"),
    (r"aws_pinpointsmsvoicev2_", "pinpoint-sms-voice-v2"),
    (r"aws_appintegrations_", "appintegrations"),
    (r"aws_applicationinsights_", "application-insights"),
    (r"aws_computeoptimizer_", "compute-optimizer"),
    (r"aws_costoptimizationhub_", "cost-optimization-hub"),
    (r"aws_devopsguru_", "devops-guru"),
    (r"aws_docdbelastic_", "docdb-elastic"),
    (r"aws_licensemanager_", "license-manager"),
    (r"aws_paymentcryptography_", "payment-cryptography"),
    (r"aws_redshiftdata_", "redshift-data"),
    (r"aws_redshiftserverless_", "redshift-serverless"),
    (r"aws_resourceexplorer2_", "resource-explorer-2"),
    (r"aws_route53recoverycontrolconfig_", "route53-recovery-control-config"),
    (r"aws_route53recoveryreadiness_", "route53-recovery-readiness"),
    (r"aws_servicequotas_", "service-quotas"),
    (r"aws_workspacesweb_", "workspaces-web"),
    (r"aws_codeguruprofiler_", "codeguruprofiler"),
    (r"aws_codegurureviewer_", "codeguru-reviewer"),
    (r"aws_codestarnotifications_", "codestar-notifications"),
    (r"aws_identitystore_", "identitystore"),
    (r"aws_neptunegraph_", "neptune-graph"),
    (r"aws_notificationscontacts_", "notificationscontacts"),
    (r"aws_arcregionswitch_", "arc-region-switch"),
    (r"aws_arczonalshift_", "arc-zonal-shift"),
    (r"aws_s3tables_", "s3tables"),
    (r"aws_s3vectors_", "s3vectors"),
    (r"aws_bcmdataexports_", "bcm-data-exports"),
    (r"aws_cloudfrontkeyvaluestore_", "cloudfront-keyvaluestore"),
    (r"aws_sesv2_", "sesv2"),
    (r"aws_inspector2_", "inspector2"),
    (r"aws_ssm_", "ssm"),
]

# Resource types the schema copy lacks (see data/SOURCE.md): known by name, attributes unknown.
EXTRA_RESOURCE_TYPES = [
    "aws_quicksight_analysis", "aws_quicksight_dashboard", "aws_quicksight_template", "aws_wafv2_rule_group",
    "aws_wafv2_web_acl",
]

# --------------------------------------------------------------------------- CloudTrail event sources
# CloudTrail names a service `<signing name>.amazonaws.com` (falling back to the endpoint prefix):
# `ses` and `sesv2` sign as `ses` although their endpoint is `email`, S3 Control signs as `s3`, ECR's
# endpoint is `api.ecr`. The exceptions below are services whose records use another name.
EVENT_SOURCE_OVERRIDES = {
    # The shared CloudTrail corpus shows servicecatalog-appregistry.amazonaws.com, not the signing name.
    "servicecatalog-appregistry": "servicecatalog-appregistry.amazonaws.com",
}

# Calls CloudTrail logs under another event name than the API operation.
EVENT_NAME_OVERRIDES = {
    ("s3", "PutBucketLifecycleConfiguration"): "PutBucketLifecycle",
    ("s3", "GetBucketLifecycleConfiguration"): "GetBucketLifecycle",
    ("s3", "PutBucketNotificationConfiguration"): "PutBucketNotification",
    ("s3", "GetBucketNotificationConfiguration"): "GetBucketNotification",
    ("s3", "PutPublicAccessBlock"): "PutBucketPublicAccessBlock",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "DeleteBucketPublicAccessBlock",
    ("s3control", "PutPublicAccessBlock"): "PutAccountPublicAccessBlock",
    ("s3control", "GetPublicAccessBlock"): "GetAccountPublicAccessBlock",
    ("s3control", "DeletePublicAccessBlock"): "DeleteAccountPublicAccessBlock",
}

# --------------------------------------------------------------------------- verbs
# Read-only by name where the model has no `readonly` trait and the HTTP method is POST (JSON and
# query protocols). The KMS/crypto verbs use keys without changing them (CloudTrail marks them readOnly).
READ_VERBS = {
    "Get", "Describe", "List", "Head", "Lookup", "Search", "BatchGet", "BatchDescribe", "BatchList", "Check", "Preview",
    "Validate", "Estimate", "Download", "Poll", "Select", "Query", "Scan", "View", "Discover", "Detect", "BatchDetect",
    "Analyze", "Compare", "Simulate", "Verify", "Decrypt", "Encrypt", "ReEncrypt", "Sign", "Retrieve", "Count",
    "Evaluate", "Infer", "Predict", "Recognize", "Translate", "Converse", "Summarize", "Lookup", "Calculate", "Filter",
    "Explain", "Resolve", "Reveal", "Decode", "Test", "Contains",
}
READ_PREFIXES = ("GenerateDataKey", "GenerateMac", "VerifyMac", "GenerateRandom", "DryRun", "BatchGet", "BatchEvaluate",
                 "BatchDescribe", "BatchCheck", "BatchDetect", "TransactGet")

# (service, operation) -> True/False where the name misleads: `TestFailover` fails a cluster over,
# `ResolveCase`/`ResolveRoom` change state.
READ_ONLY_OVERRIDES = {
    ("elasticache", "TestFailover"): False,
    ("elasticache", "TestMigration"): False,
    ("memorydb", "FailoverShard"): False,
    ("route53", "TestDNSAnswer"): True,
    ("apigateway", "TestInvokeMethod"): False,
    ("apigateway", "TestInvokeAuthorizer"): False,
    ("events", "TestEventPattern"): True,
    ("iot", "TestAuthorization"): True,
    ("iot", "TestInvokeAuthorizer"): False,
    ("sso-admin", "DescribePermissionSetProvisioningStatus"): True,
    # STS issues credentials: CloudTrail logs these as not read-only; they change no resource.
    ("sts", "GetFederationToken"): False,
    ("sts", "GetSessionToken"): False,
}

# Verbs that create or delete the resource their noun names exactly (`CreateDetector`, `RunInstances`,
# `CancelCapacityReservation`). Everything else modifies it.
CREATE_VERBS = {
    "Create", "Run", "Allocate", "Import", "Request", "Register", "Copy", "Provision", "Purchase", "Launch", "Issue",
    "Publish", "Upload", "Clone", "Replicate",
}
DELETE_VERBS = {"Delete", "Deregister", "Terminate", "Release", "Deprovision", "Cancel", "Unsubscribe"}
# Verbs that create or delete an association resource (`*_attachment`, `*_association`).
ASSOCIATE_VERBS = {"Associate", "Attach", "Add", "Assign"}
DISSOCIATE_VERBS = {"Disassociate", "Detach", "Remove", "Unassign", "Dissociate"}

# Members that steer a call and set nothing (ignored when checking that a diff covers the whole call).
CONTROL_MEMBERS = {
    "clienttoken", "clientrequesttoken", "dryrun", "idempotencytoken", "force", "forcedelete", "maxresults", "nexttoken",
    "expectedbucketowner", "requestpayer", "checksumalgorithm", "contentmd5", "confirmationtoken", "callerreference",
    "applyimmediately", "allowmajorversionupgrade", "skipfinalsnapshot", "finalsnapshotidentifier", "region", "scope",
}


def normalised_name(operation):
    """Lambda and CloudFront versioned names (`UpdateFunctionConfiguration20150331v2`) -> base name."""
    import re

    return re.sub(r"(20\d{2}_?\d{2}_?\d{2})(v\d+)?$", "", operation)

# --------------------------------------------------------------------------- calls that change no resource
REASON_OPERATION = "runs, stops or retries work (a job, execution, build, query, session step); no resource configuration changes"
REASON_DATA = "reads or writes data (messages, records, items, objects, files), not infrastructure"
REASON_SESSION = "opens, closes or authenticates a session or credentials; no resource changes"
REASON_FINDINGS = "writes findings, reports or recommendations (security or operational data), not configuration"
REASON_TAGS_UNMODELLED = "tags resources of a service whose Terraform types carry no tags"
REASON_CONSOLE = "signs a user in or out of the console or a portal; no resource changes"
REASON_BILLING = "buys, sells, exchanges or extends reserved capacity or licences (billing); no resource configuration changes"

# Trailing noun words of work items, not resources: starting, stopping or cancelling them runs work.
RUN_NOUNS = {
    "Execution", "Executions", "Run", "Runs", "JobRun", "Build", "Builds", "BuildBatch", "Query", "Queries", "Session",
    "Sessions", "Command", "Commands", "Task", "Tasks", "Scan", "Scans", "Experiment", "Replay", "Import", "Export",
    "Migration", "Evaluation", "Assessment", "AssessmentRun", "Inference", "Invocation", "Workflow", "Activity",
    "Crawl", "Crawler", "Crawlers", "Rollback", "Deployment", "Deployments",
    "Failover", "Recovery", "Test", "Job", "Jobs", "ImportTask", "ExportTask",
    "StackRefactor", "Training", "Transform", "Backfill", "Sync", "Playback", "ZonalShift", "Replication",
    "Retrieval", "TraceRetrieval", "SourceNetworkReplication", "DataReplication", "Invalidation",
}
RUN_VERBS = {
    "Start", "Stop", "Cancel", "Retry", "Resume", "Pause", "Abort", "Rerun", "Redrive", "Invoke", "Execute", "Run",
    "Trigger", "Restart", "Reboot", "Rollback", "Continue", "Signal", "Respond", "Complete", "Submit", "Send", "Notify",
    "Acknowledge", "Report", "Record", "Post", "Publish", "Poll", "Refresh", "Flush", "Purge", "Redact",
}
DATA_NOUNS = {
    "Item", "Items", "Object", "Objects", "Message", "Messages", "MessageBatch", "Record", "Records", "Events", "Event",
    "MetricData", "LogEvents", "Data", "File", "Files", "Part", "MultipartUpload",
    "TelemetryRecords", "Feedback", "Email", "RawEmail", "TemplatedEmail", "BulkEmail", "BulkTemplatedEmail", "Sms",
    "TextMessage", "VoiceMessage", "Heartbeat", "Statement", "Statements", "Transaction", "Row",
    "Rows", "Lines", "Media", "Frame", "Chunk", "Chunks", "Blob", "Points", "Utterance", "Geofence", "Geofences",
    "TraceSegments", "SuppressedDestination", "StatisticAnnotation", "ProfileAnnotation", "Identities",
}
SESSION_NOUNS = {
    "Session", "Token", "Tokens", "Credentials", "Login", "Logout", "SignIn", "SignOut", "Password", "Mfa", "MFA",
    "AuthChallenge", "Auth", "DeviceAuthorization", "SSHPublicKeyForSession",
}
FINDING_NOUNS = {
    "Finding", "Findings", "SampleFindings", "Recommendation", "Recommendations",
    "Report", "Reports", "Evidence", "Feedback", "Investigation", "Anomaly",
    "ComplianceItems", "Inventory", "Opportunity",
}


def non_change_reason(service, verb, noun):
    """Why a call changes no resource, or None. Decided before types are matched, so `StartCrawler`
    is a run of the crawler, not a change of aws_glue_crawler."""
    base = verb[len("Batch"):] if verb.startswith("Batch") and len(verb) > 5 else verb
    parts = words_of(noun)
    last = parts[-1] if parts else ""
    tail2 = "".join(parts[-2:]) if len(parts) >= 2 else last
    if (service, base + noun) in CHANGE_NOT_RUN:
        return None
    if last in SESSION_NOUNS or tail2 in SESSION_NOUNS or noun in SESSION_NOUNS:
        return REASON_SESSION
    if last in FINDING_NOUNS or tail2 in FINDING_NOUNS:
        return REASON_FINDINGS
    if base in ("Send", "Publish", "Put", "Upload", "Delete", "Write", "Update", "Copy", "Import", "Ingest", "Post",
                "Receive", "Change", "Create", "Restore") and (last in DATA_NOUNS or tail2 in DATA_NOUNS):
        return REASON_DATA
    if base in ("Reboot", "Restart"):
        return REASON_OPERATION
    if base == "Assume":
        return REASON_SESSION
    if base in ("Purchase", "Checkout", "Extend") or "Reserved" in parts or noun.startswith("ReservedInstances"):
        return REASON_BILLING
    if base == "Transact":
        return REASON_DATA
    if base in ("Put", "Write", "Delete", "Update", "Upload", "Copy", "Restore") and (last in DATA_NOUNS or tail2 in DATA_NOUNS):
        return REASON_DATA
    if base == "Export":
        return REASON_DATA
    if base == "Publish" and (not noun or last in DATA_NOUNS):
        return REASON_DATA
    if base in ("Send", "Post", "Notify", "Report", "Record", "Acknowledge", "Respond", "Signal", "Poll",
                "Submit", "Complete", "Invoke", "Execute", "Redact", "Purge", "Flush", "Redrive"):
        return REASON_OPERATION if base not in ("Send", "Post") else REASON_DATA
    if base in RUN_VERBS and (last in RUN_NOUNS or tail2 in RUN_NOUNS):
        return REASON_OPERATION
    if base in ("Create", "Delete", "Describe", "Update", "Terminate", "Stop") and last in (
            "Execution", "JobRun", "Run", "Build", "Query", "Command", "Invocation", "Scan", "Job", "Jobs", "Invalidation"):
        return REASON_OPERATION
    return None


# Calls that change something no Terraform resource type models although a word of their noun
# occurs in a type name (such calls are otherwise left uncovered for a rule to decide).
NOT_MODELLED = {
    ("accessanalyzer", "CreateServiceLinkedAnalyzer"), ("account", "AcceptPrimaryEmailUpdate"),
    ("account", "StartPrimaryEmailUpdate"), ("appflow", "RegisterConnector"), ("appflow", "UnregisterConnector"),
    ("appflow", "UpdateConnectorRegistration"), ("appstream", "AssociateAppBlockBuilderAppBlock"),
    ("appstream", "CopyImage"), ("appstream", "CreateAppBlockBuilder"), ("appstream", "CreateAppBlockBuilderStreamingURL"),
    ("appstream", "CreateExportImageTask"), ("appstream", "CreateImportedImage"), ("appstream", "CreateUpdatedImage"),
    ("appstream", "DeleteAppBlockBuilder"), ("appstream", "DeleteImage"), ("appstream", "DeleteImagePermissions"),
    ("appstream", "DisassociateAppBlockBuilderAppBlock"), ("appstream", "StartAppBlockBuilder"),
    ("appstream", "StopAppBlockBuilder"), ("appstream", "UpdateAppBlockBuilder"), ("appstream", "UpdateImagePermissions"),
    ("batch", "CreateServiceEnvironment"), ("batch", "DeleteServiceEnvironment"), ("batch", "UpdateServiceEnvironment"),
    ("batch", "UpdateServiceJob"), ("bedrock", "CreateFoundationModelAgreement"),
    ("bedrock", "CreateMarketplaceModelEndpoint"), ("bedrock", "DeleteEnforcedGuardrailConfiguration"),
    ("bedrock", "DeleteFoundationModelAgreement"), ("bedrock", "DeleteImportedModel"),
    ("bedrock", "DeleteMarketplaceModelEndpoint"), ("bedrock", "DeregisterMarketplaceModelEndpoint"),
    ("bedrock", "PutEnforcedGuardrailConfiguration"), ("bedrock", "RegisterMarketplaceModelEndpoint"),
    ("bedrock", "UpdateMarketplaceModelEndpoint"), ("chatbot", "DeleteSlackUserIdentity"),
    ("chatbot", "DeleteSlackWorkspaceAuthorization"), ("chime-sdk-media-pipelines", "CreateMediaCapturePipeline"),
    ("chime-sdk-media-pipelines", "CreateMediaConcatenationPipeline"),
    ("chime-sdk-media-pipelines", "CreateMediaLiveConnectorPipeline"),
    ("chime-sdk-media-pipelines", "CreateMediaPipelineKinesisVideoStreamPool"),
    ("chime-sdk-media-pipelines", "CreateMediaStreamPipeline"), ("chime-sdk-media-pipelines", "DeleteMediaCapturePipeline"),
    ("chime-sdk-media-pipelines", "DeleteMediaPipeline"),
    ("chime-sdk-media-pipelines", "DeleteMediaPipelineKinesisVideoStreamPool"),
    ("chime-sdk-media-pipelines", "UpdateMediaInsightsPipelineStatus"),
    ("chime-sdk-media-pipelines", "UpdateMediaPipelineKinesisVideoStreamPool"),
    ("codecommit", "CreatePullRequestApprovalRule"), ("codecommit", "DeletePullRequestApprovalRule"),
    ("codecommit", "OverridePullRequestApprovalRules"), ("codecommit", "UpdatePullRequestApprovalRuleContent"),
    ("codecommit", "UpdatePullRequestApprovalState"), ("cognito-identity", "UnlinkIdentity"),
    ("config", "DeleteServiceLinkedConfigurationRecorder"), ("config", "PutServiceLinkedConfigurationRecorder"),
    ("drs", "CreateLaunchConfigurationTemplate"), ("drs", "DeleteLaunchConfigurationTemplate"),
    ("drs", "UpdateLaunchConfigurationTemplate"), ("drs", "ReverseReplication"),
    ("drs", "UpdateFailbackReplicationConfiguration"), ("drs", "UpdateReplicationConfiguration"),
    ("ec2", "AdvertiseByoipCidr"), ("ec2", "AssociateTrunkInterface"), ("ec2", "CopyFpgaImage"),
    ("ec2", "CreateCapacityManagerDataExport"), ("ec2", "CreateCoipCidr"), ("ec2", "CreateCoipPool"),
    ("ec2", "CreateFpgaImage"), ("ec2", "CreateLocalGatewayVirtualInterface"),
    ("ec2", "CreateLocalGatewayVirtualInterfaceGroup"), ("ec2", "CreatePublicIpv4Pool"),
    ("ec2", "DeleteCapacityManagerDataExport"), ("ec2", "DeleteCoipCidr"), ("ec2", "DeleteCoipPool"),
    ("ec2", "DeleteFpgaImage"), ("ec2", "DeleteLocalGatewayVirtualInterface"),
    ("ec2", "DeleteLocalGatewayVirtualInterfaceGroup"), ("ec2", "DeletePublicIpv4Pool"), ("ec2", "DeprovisionByoipCidr"),
    ("ec2", "DeprovisionPublicIpv4PoolCidr"), ("ec2", "DisableCapacityManager"), ("ec2", "DisassociateTrunkInterface"),
    ("ec2", "EnableCapacityManager"), ("ec2", "EnableReachabilityAnalyzerOrganizationSharing"),
    ("ec2", "ModifyFpgaImageAttribute"), ("ec2", "ModifyManagedResourceVisibility"), ("ec2", "ProvisionByoipCidr"),
    ("ec2", "ResetFpgaImageAttribute"), ("ec2", "RunScheduledInstances"), ("ec2", "UpdateCapacityManagerMonitoredTagKeys"),
    ("ec2", "UpdateCapacityManagerOrganizationsAccess"), ("ec2", "WithdrawByoipCidr"),
    ("ecs", "DeleteDaemonTaskDefinition"), ("ecs", "RegisterDaemonTaskDefinition"),
    ("eks", "CreateEksAnywhereSubscription"), ("eks", "DeleteEksAnywhereSubscription"),
    ("eks", "UpdateEksAnywhereSubscription"), ("es", "DeleteElasticsearchServiceRole"),
    ("events", "ActivateEventSource"), ("events", "CreatePartnerEventSource"), ("events", "DeactivateEventSource"),
    ("events", "DeletePartnerEventSource"), ("glue", "CreateGlueIdentityCenterConfiguration"),
    ("glue", "CreateIntegrationTableProperties"), ("glue", "DeleteGlueIdentityCenterConfiguration"),
    ("glue", "DeleteIntegrationTableProperties"), ("glue", "UpdateGlueIdentityCenterConfiguration"),
    ("glue", "UpdateIntegrationTableProperties"), ("iot", "CreateJobTemplate"), ("iot", "DeleteJobTemplate"),
    ("iot", "CreateProvisioningClaim"), ("iot", "DeleteV2LoggingLevel"), ("iot", "SetV2LoggingLevel"),
    ("ivs", "CreatePlaybackRestrictionPolicy"), ("ivs", "DeletePlaybackRestrictionPolicy"),
    ("ivs", "UpdatePlaybackRestrictionPolicy"), ("ivs", "DeleteStreamKey"),
    ("license-manager", "CreateLicense"), ("license-manager", "CreateLicenseAssetGroup"),
    ("license-manager", "CreateLicenseAssetRuleset"), ("license-manager", "CreateLicenseConversionTaskForResource"),
    ("license-manager", "CreateLicenseManagerReportGenerator"), ("license-manager", "CreateLicenseVersion"),
    ("license-manager", "DeleteLicense"), ("license-manager", "DeleteLicenseAssetGroup"),
    ("license-manager", "DeleteLicenseAssetRuleset"), ("license-manager", "DeleteLicenseManagerReportGenerator"),
    ("license-manager", "UpdateLicenseAssetGroup"), ("license-manager", "UpdateLicenseAssetRuleset"),
    ("license-manager", "UpdateLicenseManagerReportGenerator"), ("license-manager", "UpdateLicenseSpecificationsForResource"),
    ("lightsail", "DeleteContainerImage"), ("lightsail", "RegisterContainerImage"),
    ("lightsail", "CreateRelationalDatabaseSnapshot"), ("lightsail", "DeleteRelationalDatabaseSnapshot"),
    ("macie2", "UpdateClassificationScope"), ("observabilityadmin", "CreateCentralizationRuleForOrganization"),
    ("payment-cryptography", "DisableDefaultKeyReplicationRegions"),
    ("payment-cryptography", "EnableDefaultKeyReplicationRegions"), ("pinpoint", "CreateInAppTemplate"),
    ("pinpoint", "CreatePushTemplate"), ("pinpoint", "CreateSmsTemplate"), ("pinpoint", "CreateVoiceTemplate"),
    ("pinpoint", "DeleteInAppTemplate"), ("pinpoint", "DeletePushTemplate"), ("pinpoint", "DeleteSmsTemplate"),
    ("pinpoint", "DeleteVoiceChannel"), ("pinpoint", "DeleteVoiceTemplate"), ("pinpoint", "UpdateInAppTemplate"),
    ("pinpoint", "UpdatePushTemplate"), ("pinpoint", "UpdateSmsTemplate"), ("pinpoint", "UpdateVoiceChannel"),
    ("pinpoint", "UpdateVoiceTemplate"), ("pinpoint-sms-voice-v2", "CreateVerifiedDestinationNumber"),
    ("pinpoint-sms-voice-v2", "DeleteProtectConfigurationRuleSetNumberOverride"),
    ("pinpoint-sms-voice-v2", "DeleteVerifiedDestinationNumber"),
    ("pinpoint-sms-voice-v2", "PutProtectConfigurationRuleSetNumberOverride"),
    ("pinpoint-sms-voice-v2", "UpdateProtectConfigurationCountryRuleSet"), ("redshift", "DeregisterNamespace"),
    ("redshift", "RegisterNamespace"), ("route53resolver", "CreateOutpostResolver"),
    ("route53resolver", "DeleteOutpostResolver"), ("route53resolver", "UpdateOutpostResolver"),
    ("s3control", "CreateStorageLensGroup"), ("s3control", "DeleteStorageLensGroup"),
    ("s3control", "UpdateStorageLensGroup"), ("sesv2", "CreateEmailTemplate"), ("sesv2", "DeleteEmailTemplate"),
    ("sesv2", "UpdateEmailTemplate"), ("sesv2", "PutAccountDedicatedIpWarmupAttributes"),
    ("sesv2", "PutDedicatedIpWarmupAttributes"), ("sns", "CreateSMSSandboxPhoneNumber"),
    ("sns", "DeleteSMSSandboxPhoneNumber"), ("sso-admin", "CreateInstance"), ("sso-admin", "DeleteInstance"),
    ("sso-admin", "UpdateInstance"), ("wafv2", "PutManagedRuleSetVersions"),
    ("wafv2", "UpdateManagedRuleSetVersionExpiryDate"), ("ecs", "UpdateTaskProtection"),
    ("sagemaker", "CreatePartnerApp"), ("sagemaker", "DeletePartnerApp"), ("sagemaker", "UpdatePartnerApp"),
    ("sagemaker", "CreateTrainingPlan"), ("iot", "ClearDefaultAuthorizer"), ("chime-sdk-voice", "CreateVoiceProfile"),
    ("chime-sdk-voice", "DeleteVoiceProfile"), ("chime-sdk-voice", "UpdateVoiceProfile"),
    ("backup", "PutRestoreValidationResult"), ("bedrock-agentcore-control", "CreatePaymentCredentialProvider"),
    ("bedrock-agentcore-control", "DeletePaymentCredentialProvider"),
    ("bedrock-agentcore-control", "UpdatePaymentCredentialProvider"), ("cloudfront", "CreateStreamingDistribution"),
    ("cloudfront", "CreateStreamingDistributionWithTags"), ("cloudfront", "DeleteStreamingDistribution"),
    ("cloudfront", "UpdateStreamingDistribution"), ("codepipeline", "PutActionRevision"),
    ("comprehend", "ClassifyDocument"), ("devicefarm", "UpdateDeviceInstance"), ("gamelift", "CreateContainerFleet"),
    ("gamelift", "CreatePlayerSessions"), ("gamelift", "StopGameSessionPlacement"), ("imagebuilder", "ImportVmImage"),
    ("quicksight", "DeleteAccountCustomPermission"), ("quicksight", "DeleteBrandAssignment"),
    ("quicksight", "UpdateBrandAssignment"), ("s3", "UploadPartCopy"), ("s3", "WriteGetObjectResponse"),
    ("s3", "RenameObject"), ("sagemaker", "CreateAutoMLJobV2"), ("sagemaker", "CreatePartnerAppPresignedUrl"),
    ("sagemaker", "CreatePresignedMlflowAppUrl"), ("securityhub", "BatchUpdateFindingsV2"),
    ("securityhub", "EnableImportFindingsForProduct"), ("servicecatalog", "AssociateBudgetWithResource"),
    ("servicecatalog", "DisassociateBudgetFromResource"), ("storagegateway", "DeleteTapeArchive"),
    ("workspaces", "CreateStandbyWorkspaces"), ("workspaces", "CreateUpdatedWorkspaceImage"),
    ("workspaces", "ImportCustomWorkspaceImage"), ("apigateway", "ImportApiKeys"),
    ("appsync", "StartDataSourceIntrospection"), ("cloudcontrol", "CancelResourceRequest"),
    ("cloudformation", "CreateStackRefactor"), ("ec2", "ImportImage"), ("ec2", "ImportInstance"), ("ec2", "ImportVolume"),
    ("dynamodb", "ImportTable"), ("timestream-query", "PrepareQuery"), ("iot", "RegisterThing"),
    ("elasticbeanstalk", "SwapEnvironmentCNAMEs"), ("codepipeline", "CreateCustomActionType"),
    ("codepipeline", "DeleteCustomActionType"), ("codepipeline", "UpdateActionType"),
}

NOT_MODELLED |= {
    ("dms", "CreateInstanceProfile"), ("ec2", "AssociateIpamByoasn"), ("ec2", "DisassociateIpamByoasn"),
    ("ec2", "CreateCapacityReservationFleet"), ("ec2", "CancelCapacityReservationFleets"),
    ("ec2", "RegisterInstanceEventNotificationAttributes"), ("ec2", "DeregisterInstanceEventNotificationAttributes"),
    ("ec2", "ImportSnapshot"), ("ec2", "MoveAddressToVpc"), ("ec2", "RestoreAddressToClassic"),
    ("guardduty", "DeclineInvitations"), ("guardduty", "DeleteInvitations"), ("macie2", "CreateInvitations"),
    ("macie2", "DeclineInvitations"), ("macie2", "DeleteInvitations"),
    ("dms", "UpdateSubscriptionsToEventBridge"), ("network-firewall", "AttachRuleGroupsToProxyConfiguration"),
    ("rds", "DeleteDBInstanceAutomatedBackup"), ("securitylake", "CreateDataLakeExceptionSubscription"),
    ("securitylake", "DeleteDataLakeExceptionSubscription"), ("securitylake", "UpdateDataLakeExceptionSubscription"),
    ("securitylake", "CreateDataLakeOrganizationConfiguration"), ("securitylake", "DeleteDataLakeOrganizationConfiguration"),
    ("securitylake", "DeregisterDataLakeDelegatedAdministrator"), ("securityhub", "RegisterConnectorV2"),
}

# Calls whose verb and noun look like running work but change a resource's configuration.
CHANGE_NOT_RUN = {
    ("cloudtrail", "StartLogging"), ("cloudtrail", "StopLogging"), ("config", "StartConfigurationRecorder"),
    ("config", "StopConfigurationRecorder"),
}


def changes_when_named(verb, noun):
    """A call that looks like running work but changes the resource its noun names: `StopInstances`,
    `StartDBCluster` (state), `ModifyTrafficMirrorSession` (a session that is a resource)."""
    base = verb[len("Batch"):] if verb.startswith("Batch") and len(verb) > 5 else verb
    if base in ("Reboot", "Restart", "Send", "Post", "Notify", "Invoke", "Execute", "Export", "Flush"):
        return False
    last = words_of(noun)[-1] if noun else ""
    if (last in DATA_NOUNS or noun in DATA_NOUNS) and base in (
            "Put", "Write", "Delete", "Update", "Upload", "Copy", "Restore", "Send", "Publish"):
        return False
    return not (base in RUN_VERBS and last in RUN_NOUNS)


# Words too common in type names to suggest that a call changes one of them.
GENERIC_NOUN_WORDS = {
    "configuration", "settings", "setting", "policy", "status", "state", "attribute", "attributes", "option", "options",
    "default", "account", "resource", "service", "version", "association", "attachment", "member", "rule", "access",
    "group", "permission", "request", "type", "name", "config", "data", "public", "block", "by", "for", "to", "from",
}


# One-word nouns that name an aspect of many resources, never one type by themselves.
WEAK_TAIL_STOPWORDS = {
    "version", "configuration", "settings", "setting", "policy", "attachment", "association", "permission", "status",
    "state", "option", "options", "default", "attribute", "attributes", "preferences",
}


def no_type_reason(noun):
    return f"changes {noun or 'something'} that no Terraform resource type models"


def words_of(noun):
    from .naming import words

    return words(noun)

# --------------------------------------------------------------------------- nouns the names do not line up
# (service, squashed noun) -> Terraform type, where AWS and the provider name the same thing differently.
NOUN_ALIASES = {
    ("application-autoscaling", "scalabletarget"): "aws_appautoscaling_target",
    ("appsync", "mergedgraphqlapi"): "aws_appsync_source_api_association",
    ("appsync", "sourcegraphqlapi"): "aws_appsync_source_api_association",
    ("autoscaling", "scheduledaction"): "aws_autoscaling_schedule",
    ("billing", "sourceviews"): "aws_billing_view",
    ("cloud9", "environment"): ["aws_cloud9_environment_ec2"],
    ("datasync", "location"): ["aws_datasync_location_s3", "aws_datasync_location_efs", "aws_datasync_location_nfs",
                               "aws_datasync_location_smb", "aws_datasync_location_hdfs", "aws_datasync_location_object_storage",
                               "aws_datasync_location_azure_blob", "aws_datasync_location_fsx_lustre_file_system",
                               "aws_datasync_location_fsx_ontap_file_system", "aws_datasync_location_fsx_openzfs_file_system",
                               "aws_datasync_location_fsx_windows_file_system"],
    ("ds", "radius"): "aws_directory_service_directory",
    ("ds", "directorydataaccess"): "aws_directory_service_directory",
    ("ds", "directorysetup"): "aws_directory_service_directory",
    ("rds", "httpendpoint"): "aws_rds_cluster",
    ("rds", "currentdbclustercapacity"): "aws_rds_cluster",
    ("rds", "readreplicadbcluster"): "aws_rds_cluster",
    ("route53", "reusabledelegationset"): "aws_route53_delegation_set",
    ("cloudtrail", "eventconfiguration"): "aws_cloudtrail",
    ("cloudtrail", "organizationdelegatedadmin"): "aws_cloudtrail_organization_delegated_admin_account",
    ("ram", "sharingwithawsorganization"): "aws_ram_sharing_with_organization",
    ("networkmanager", "directconnectgatewayattachment"): "aws_networkmanager_dx_gateway_attachment",
    ("chatbot", "microsoftteamschannelconfiguration"): "aws_chatbot_teams_channel_configuration",
    ("config", "aggregationauthorization"): "aws_config_aggregate_authorization",
    ("config", "organizationconfigrule"): ["aws_config_organization_managed_rule", "aws_config_organization_custom_rule",
                                           "aws_config_organization_custom_policy_rule"],
    ("controltower", "enabledbaseline"): "aws_controltower_baseline",
    ("controltower", "enabledcontrol"): "aws_controltower_control",
    ("directconnect", "directconnectgateway"): "aws_dx_gateway",
    ("directconnect", "directconnectgatewayassociation"): "aws_dx_gateway_association",
    ("directconnect", "directconnectgatewayassociationproposal"): "aws_dx_gateway_association_proposal",
    ("ec2", "awsnetworkperformancemetricsubscription"): "aws_vpc_network_performance_metric_subscription",
    ("ec2", "spotfleet"): "aws_spot_fleet_request",
    ("ec2", "spotinstances"): "aws_spot_instance_request",
    ("iot", "keysandcertificate"): "aws_iot_certificate",
    ("iot", "v2loggingoptions"): "aws_iot_logging_options",
    # PublishVersion snapshots the function as a numbered version (not a layer version).
    ("lambda", "version"): "aws_lambda_function",
    ("lightsail", "relationaldatabase"): "aws_lightsail_database",
    ("macie2", "invitation"): "aws_macie2_invitation_accepter",
    ("opensearch", "inboundconnection"): "aws_opensearch_inbound_connection_accepter",
    ("redshift", "datashare"): ["aws_redshift_data_share_authorization", "aws_redshift_data_share_consumer_association"],
    ("resource-explorer-2", "defaultview"): "aws_resourceexplorer2_view",
    ("ses", "identity"): ["aws_ses_domain_identity", "aws_ses_email_identity"],
    ("ses", "identitydkimenabled"): "aws_ses_domain_dkim",
    ("ses", "identitymailfromdomain"): "aws_ses_domain_mail_from",
    ("ses", "identityfeedbackforwardingenabled"): "aws_ses_identity_notification_topic",
    ("ses", "identityheadersinnotificationsenabled"): "aws_ses_identity_notification_topic",
    ("ses", "verifiedemailaddress"): "aws_ses_email_identity",
    ("shield", "drtlogbucket"): "aws_shield_drt_access_log_bucket_association",
    ("sns", "smsattributes"): "aws_sns_sms_preferences",
    ("sso-admin", "instanceaccesscontrolattributeconfiguration"): "aws_ssoadmin_instance_access_control_attributes",
    ("cloudtrail", "trail"): "aws_cloudtrail",
    ("cloudtrail", "logging"): "aws_cloudtrail",
    ("cloudtrail", "eventselectors"): "aws_cloudtrail",
    ("cloudtrail", "insightselectors"): "aws_cloudtrail",
    ("cloudwatch", "alarm"): "aws_cloudwatch_metric_alarm",
    ("ec2", "address"): "aws_eip",
    ("ec2", "image"): "aws_ami",
    ("ec2", "vgwroutepropagation"): "aws_vpn_gateway_route_propagation",
    ("elb", "loadbalancer"): "aws_elb",
    ("elb", "healthcheck"): "aws_elb",
    ("elbv2", "loadbalancer"): "aws_lb",
    ("guardduty", "invitation"): "aws_guardduty_invite_accepter",
    ("iam", "sshpublickey"): "aws_iam_user_ssh_key",
    ("guardduty", "administratorinvitation"): "aws_guardduty_invite_accepter",
    ("route53", "hostedzone"): "aws_route53_zone",
    ("secretsmanager", "secretvalue"): "aws_secretsmanager_secret_version",
}

# (service) -> [(first noun word, replacement)] tried after the noun as written.
NOUN_REWRITES = {
    "rds": [("DB", "Rds"), ("DB", "Db")],
    "neptune": [("DB", "")],
    "docdb": [("DB", "")],
}


# At most this many targets for one call (an ambiguous noun or a tag call over a service's types).
MAX_TARGETS = 12


def twin_of(type_name):
    """aws_alb_listener -> aws_lb_listener: the provider's two names for one resource."""
    if type_name == "aws_alb" or type_name.startswith("aws_alb_"):
        return "aws_lb" + type_name[len("aws_alb"):]
    return None

# (service, operation) -> a decision the general rules get wrong:
#   {"change": ..., "types": [...], "ids": [paths]?, "diff": [{"attribute", "path" | "value", "as"?}]?}
#   {"reason": "..."} for a call classified as no resource change.
OPERATION_OVERRIDES = {
    # Listener policies are set on the classic load balancer (aws_load_balancer_listener_policy ids,
    # "name:port", are not carried whole).
    ("elb", "SetLoadBalancerPoliciesOfListener"): {"change": "modify", "types": ["aws_elb", "aws_load_balancer_listener_policy"]},
    ("sns", "Unsubscribe"): {"change": "delete", "types": ["aws_sns_topic_subscription"], "ids": ["request.subscriptionArn"]},
    ("arc-zonal-shift", "UpdateZonalShift"): {"reason": REASON_OPERATION},
    # EC2 Instance Connect pushes a one-time SSH key for 60 seconds: a login, not a change.
    ("ec2-instance-connect", "SendSSHPublicKey"): {"reason": REASON_SESSION},
    ("ec2-instance-connect", "SendSerialConsoleSSHPublicKey"): {"reason": REASON_SESSION},
    # Executing a change set applies it to its stack.
    ("cloudformation", "ExecuteChangeSet"): {"change": "modify", "types": ["aws_cloudformation_stack"],
                                             "ids": ["request.stackName", "request.changeSetName"]},
    # Listeners of a classic load balancer are part of aws_elb.
    ("elb", "CreateLoadBalancerListeners"): {"change": "modify", "types": ["aws_elb"]},
    ("elb", "DeleteLoadBalancerListeners"): {"change": "modify", "types": ["aws_elb"]},
    # Terraform's id is "category:provider:version".
    ("codepipeline", "CreateCustomActionType"): {"change": "create", "types": ["aws_codepipeline_custom_action_type"],
                                                 "ids": [{"join": ["request.category", "request.provider", "request.version"]}]},
    ("codepipeline", "DeleteCustomActionType"): {"change": "delete", "types": ["aws_codepipeline_custom_action_type"],
                                                 "ids": [{"join": ["request.category", "request.provider", "request.version"]}]},
    ("codepipeline", "UpdateActionType"): {"change": "modify", "types": ["aws_codepipeline_custom_action_type"],
                                           "ids": [{"join": ["request.actionType.id.category", "request.actionType.id.provider",
                                                             "request.actionType.id.version"]}]},
    ("elasticbeanstalk", "SwapEnvironmentCNAMEs"): {"change": "modify", "types": ["aws_elastic_beanstalk_environment"],
                                                    "ids": ["request.sourceEnvironmentId", "request.sourceEnvironmentName"]},
    ("iam", "TagMFADevice"): {"change": "modify", "types": ["aws_iam_virtual_mfa_device"], "ids": ["request.serialNumber"]},
    ("iam", "DeactivateMFADevice"): {"change": "modify", "types": ["aws_iam_virtual_mfa_device"],
                                     "ids": ["request.serialNumber"]},
    ("iam", "UntagMFADevice"): {"change": "modify", "types": ["aws_iam_virtual_mfa_device"],
                                "ids": ["request.serialNumber"]},
    # The default view setting is cleared; the call names no view (AssociateDefaultView does).
    ("resource-explorer-2", "DisassociateDefaultView"): {
        "reason": "clears the region's default Resource Explorer view without naming a view"},
    # LF-tags assigned to a Data Catalog database or table (aws_lakeformation_resource_lf_tags).
    # Terraform's id is "catalog:key"; the key alone finds an LF-tag the state holds by `key`.
    ("lakeformation", "CreateLFTag"): {"change": "create", "types": ["aws_lakeformation_lf_tag"], "ids": ["request.tagKey"]},
    ("lakeformation", "UpdateLFTag"): {"change": "modify", "types": ["aws_lakeformation_lf_tag"], "ids": ["request.tagKey"]},
    ("lakeformation", "DeleteLFTag"): {"change": "delete", "types": ["aws_lakeformation_lf_tag"], "ids": ["request.tagKey"]},
    ("lakeformation", "AddLFTagsToResource"): {"change": "modify", "types": ["aws_lakeformation_resource_lf_tags"],
                                               "ids": ["request.resource.table.name", "request.resource.database.name"]},
    ("lakeformation", "RemoveLFTagsFromResource"): {"change": "modify", "types": ["aws_lakeformation_resource_lf_tags"],
                                                    "ids": ["request.resource.table.name", "request.resource.database.name"]},
    # Calls the generic rules find no identifier in: where the model puts it.
    ("ce", "UpdateCostAllocationTagsStatus"): {"change": "modify", "types": ["aws_ce_cost_allocation_tag"],
                                               "ids": ["request.costAllocationTagsStatus.tagKey"]},
    ("cloudfront", "CreateFieldLevelEncryptionConfig"): {"change": "create",
                                                         "types": ["aws_cloudfront_field_level_encryption_config"],
                                                         "ids": ["response.fieldLevelEncryption.id"]},
    ("ec2", "EnableFastSnapshotRestores"): {"change": "create", "types": ["aws_ebs_fast_snapshot_restore"], "ids": [
        "request.EnableFastSnapshotRestoresRequest.SourceSnapshotId.content", "request.sourceSnapshotIdSet.sourceSnapshotId"]},
    ("ec2", "DisableFastSnapshotRestores"): {"change": "delete", "types": ["aws_ebs_fast_snapshot_restore"], "ids": [
        "request.DisableFastSnapshotRestoresRequest.SourceSnapshotId.content", "request.sourceSnapshotIdSet.sourceSnapshotId"]},
    # One default per instance family: Terraform's id is the family.
    ("ec2", "ModifyDefaultCreditSpecification"): {"change": "modify", "types": ["aws_ec2_default_credit_specification"],
                                                  "ids": ["request.ModifyDefaultCreditSpecificationRequest.InstanceFamily",
                                                          "request.instanceFamily"]},
    ("ecr", "CreateRepositoryCreationTemplate"): {"change": "create", "types": ["aws_ecr_repository_creation_template"],
                                                  "ids": ["request.prefix"]},
    ("ecr", "UpdateRepositoryCreationTemplate"): {"change": "modify", "types": ["aws_ecr_repository_creation_template"],
                                                  "ids": ["request.prefix"]},
    ("ecr", "DeleteRepositoryCreationTemplate"): {"change": "delete", "types": ["aws_ecr_repository_creation_template"],
                                                  "ids": ["request.prefix"]},
    ("ecr", "UpdatePullThroughCacheRule"): {"change": "modify", "types": ["aws_ecr_pull_through_cache_rule"],
                                            "ids": ["request.ecrRepositoryPrefix"]},
    # Lake Formation permissions and opt-ins are identified by their principal (Terraform's ids are hashes).
    ("lakeformation", "GrantPermissions"): {"change": "create", "types": ["aws_lakeformation_permissions"],
                                            "ids": ["request.principal.dataLakePrincipalIdentifier"]},
    ("lakeformation", "RevokePermissions"): {"change": "delete", "types": ["aws_lakeformation_permissions"],
                                             "ids": ["request.principal.dataLakePrincipalIdentifier"]},
    ("lakeformation", "BatchGrantPermissions"): {"change": "create", "types": ["aws_lakeformation_permissions"],
                                                 "ids": ["request.entries.principal.dataLakePrincipalIdentifier"]},
    ("lakeformation", "BatchRevokePermissions"): {"change": "delete", "types": ["aws_lakeformation_permissions"],
                                                  "ids": ["request.entries.principal.dataLakePrincipalIdentifier"]},
    ("lakeformation", "CreateLakeFormationOptIn"): {"change": "create", "types": ["aws_lakeformation_opt_in"],
                                                    "ids": ["request.principal.dataLakePrincipalIdentifier"]},
    ("lakeformation", "DeleteLakeFormationOptIn"): {"change": "delete", "types": ["aws_lakeformation_opt_in"],
                                                    "ids": ["request.principal.dataLakePrincipalIdentifier"]},
    ("lakeformation", "CreateDataCellsFilter"): {"change": "create", "types": ["aws_lakeformation_data_cells_filter"],
                                                 "ids": ["request.tableData.name"]},
    ("lakeformation", "UpdateDataCellsFilter"): {"change": "modify", "types": ["aws_lakeformation_data_cells_filter"],
                                                 "ids": ["request.tableData.name"]},
    ("notifications", "RegisterNotificationHub"): {"change": "create", "types": ["aws_notifications_notification_hub"],
                                                   "ids": ["request.notificationHubRegion"]},
    ("notifications", "DeregisterNotificationHub"): {"change": "delete", "types": ["aws_notifications_notification_hub"],
                                                     "ids": ["request.notificationHubRegion"]},
    ("pinpoint", "CreateApp"): {"change": "create", "types": ["aws_pinpoint_app"],
                                "ids": ["response.applicationResponse.id", "request.createApplicationRequest.name"]},
    # Security Hub members are accounts: Terraform's id is the account id.
    ("securityhub", "InviteMembers"): {"change": "modify", "types": ["aws_securityhub_member"], "ids": ["request.accountIds"]},
    ("securityhub", "DisassociateMembers"): {"change": "modify", "types": ["aws_securityhub_member"],
                                            "ids": ["request.accountIds"]},
    ("securityhub", "DeleteMembers"): {"change": "delete", "types": ["aws_securityhub_member"], "ids": ["request.accountIds"]},
    ("service-quotas", "RequestServiceQuotaIncrease"): {
        "change": "modify", "types": ["aws_servicequotas_service_quota"],
        "ids": [{"join": ["request.serviceCode", "request.quotaCode"], "separator": "/"}]},
    ("service-quotas", "PutServiceQuotaIncreaseRequestIntoTemplate"): {
        "change": "create", "types": ["aws_servicequotas_template"],
        "ids": [{"join": ["request.awsRegion", "request.quotaCode", "request.serviceCode"], "separator": ","}]},
    ("service-quotas", "DeleteServiceQuotaIncreaseRequestFromTemplate"): {
        "change": "delete", "types": ["aws_servicequotas_template"],
        "ids": [{"join": ["request.awsRegion", "request.quotaCode", "request.serviceCode"], "separator": ","}]},
    ("service-quotas", "AssociateServiceQuotaTemplate"): {
        "change": "create", "types": ["aws_servicequotas_template_association"], "ids": ["record.recipientAccountId"]},
    ("service-quotas", "DisassociateServiceQuotaTemplate"): {
        "change": "delete", "types": ["aws_servicequotas_template_association"], "ids": ["record.recipientAccountId"]},
    # End-user calls authorised by the user's own access token: they name no pool and no user.
    ("cognito-idp", "DeleteUser"): {"reason": "a signed-in user's own call (access token): names no user pool or user"},
    ("cognito-idp", "DeleteUserAttributes"): {
        "reason": "a signed-in user's own call (access token): names no user pool or user"},
    ("cognito-idp", "SetUserMFAPreference"): {
        "reason": "a signed-in user's own call (access token): names no user pool or user"},
    ("cognito-idp", "SetUserSettings"): {"reason": "a signed-in user's own call (access token): names no user pool or user"},
    ("cognito-idp", "UpdateUserAttributes"): {
        "reason": "a signed-in user's own call (access token): names no user pool or user"},
    ("fsx", "CreateAndAttachS3AccessPoint"): {"change": "create", "types": ["aws_fsx_s3_access_point_attachment"]},
    ("fsx", "DetachAndDeleteS3AccessPoint"): {"change": "delete", "types": ["aws_fsx_s3_access_point_attachment"]},
}

# Account- and region-level settings Terraform models as one resource per account or region. Their
# identifier is the record's own region or account (the state index keys such instances by their
# `region` attribute or account, see StateIndex), optionally preceded by request paths.
def _singleton(type_name, scope, change="modify", **diff):
    mappings = [{"attribute": a, "value": ("b", "true" if v else "false") if isinstance(v, bool) else ("s", v)}
                for a, v in sorted(diff.items())]
    return {"type": type_name, "scope": scope, "change": change, "diff": mappings}


SINGLETONS = {
    ("bedrock-agentcore-control", "SetTokenVaultCMK"): _singleton("aws_bedrockagentcore_token_vault_cmk", "region"),
    ("cloudwatch", "StartOTelEnrichment"): _singleton("aws_cloudwatch_otel_enrichment", "region"),
    ("cloudwatch", "StopOTelEnrichment"): _singleton("aws_cloudwatch_otel_enrichment", "region"),
    ("detective", "DisableOrganizationAdminAccount"): _singleton("aws_detective_organization_admin_account", "region",
                                                                 "delete"),
    ("fms", "DisassociateAdminAccount"): _singleton("aws_fms_admin_account", "account", "delete"),
    ("iam", "EnableOutboundWebIdentityFederation"): _singleton("aws_iam_outbound_web_identity_federation", "account"),
    ("iam", "DisableOutboundWebIdentityFederation"): _singleton("aws_iam_outbound_web_identity_federation", "account"),
    ("observabilityadmin", "StartTelemetryEnrichment"): _singleton("aws_observabilityadmin_telemetry_enrichment", "region"),
    ("observabilityadmin", "StopTelemetryEnrichment"): _singleton("aws_observabilityadmin_telemetry_enrichment", "region"),
    ("observabilityadmin", "StartTelemetryEvaluationForOrganization"): _singleton(
        "aws_observabilityadmin_telemetry_evaluation_for_organization", "account"),
    ("observabilityadmin", "StopTelemetryEvaluationForOrganization"): _singleton(
        "aws_observabilityadmin_telemetry_evaluation_for_organization", "account"),
    ("organizations", "PutResourcePolicy"): _singleton("aws_organizations_resource_policy", "account"),
    ("organizations", "DeleteResourcePolicy"): _singleton("aws_organizations_resource_policy", "account", "delete"),
    ("organizations", "InviteAccountToOrganization"): _singleton("aws_organizations_organization", "account"),
    ("ram", "EnableSharingWithAwsOrganization"): _singleton("aws_ram_sharing_with_organization", "account"),
    ("service-quotas", "StartAutoManagement"): _singleton("aws_servicequotas_auto_management", "region", "create"),
    ("service-quotas", "StopAutoManagement"): _singleton("aws_servicequotas_auto_management", "region", "delete"),
    ("service-quotas", "UpdateAutoManagement"): _singleton("aws_servicequotas_auto_management", "region"),
    ("uxc", "UpdateAccountCustomizations"): _singleton("aws_uxc_account_customizations", "account"),
    ("ec2", "CreateSpotDatafeedSubscription"): _singleton("aws_spot_datafeed_subscription", "region", "create"),
    ("ec2", "DeleteSpotDatafeedSubscription"): _singleton("aws_spot_datafeed_subscription", "region", "delete"),
    ("securitylake", "DeleteDataLake"): _singleton("aws_securitylake_data_lake", "region", "delete"),
    ("ec2", "EnableEbsEncryptionByDefault"): _singleton("aws_ebs_encryption_by_default", "region", enabled=True),
    ("ec2", "DisableEbsEncryptionByDefault"): _singleton("aws_ebs_encryption_by_default", "region", enabled=False),
    ("ec2", "ModifyEbsDefaultKmsKeyId"): _singleton("aws_ebs_default_kms_key", "region"),
    ("ec2", "ResetEbsDefaultKmsKeyId"): _singleton("aws_ebs_default_kms_key", "region"),
    ("ec2", "EnableSerialConsoleAccess"): _singleton("aws_ec2_serial_console_access", "region", enabled=True),
    ("ec2", "DisableSerialConsoleAccess"): _singleton("aws_ec2_serial_console_access", "region", enabled=False),
    ("ec2", "EnableImageBlockPublicAccess"): _singleton("aws_ec2_image_block_public_access", "region"),
    ("ec2", "DisableImageBlockPublicAccess"): _singleton("aws_ec2_image_block_public_access", "region", state="unblocked"),
    ("ec2", "EnableSnapshotBlockPublicAccess"): _singleton("aws_ebs_snapshot_block_public_access", "region"),
    ("ec2", "DisableSnapshotBlockPublicAccess"): _singleton("aws_ebs_snapshot_block_public_access", "region",
                                                            state="unblocked"),
    ("ec2", "ModifyInstanceMetadataDefaults"): _singleton("aws_ec2_instance_metadata_defaults", "region"),
    ("ec2", "ModifyVpcBlockPublicAccessOptions"): _singleton("aws_vpc_block_public_access_options", "region"),
    ("ec2", "EnableAllowedImagesSettings"): _singleton("aws_ec2_allowed_images_settings", "region"),
    ("ec2", "DisableAllowedImagesSettings"): _singleton("aws_ec2_allowed_images_settings", "region", state="disabled"),
    ("ec2", "ReplaceImageCriteriaInAllowedImagesSettings"): _singleton("aws_ec2_allowed_images_settings", "region"),
    ("s3control", "PutPublicAccessBlock"): _singleton("aws_s3_account_public_access_block", "account"),
    ("s3control", "DeletePublicAccessBlock"): _singleton("aws_s3_account_public_access_block", "account", "delete"),
    ("iam", "UpdateAccountPasswordPolicy"): _singleton("aws_iam_account_password_policy", "account"),
    ("iam", "DeleteAccountPasswordPolicy"): _singleton("aws_iam_account_password_policy", "account", "delete"),
    ("iam", "SetSecurityTokenServicePreferences"): _singleton("aws_iam_security_token_service_preferences", "account"),
    ("iam", "EnableOrganizationsRootCredentialsManagement"): _singleton("aws_iam_organizations_features", "account"),
    ("iam", "DisableOrganizationsRootCredentialsManagement"): _singleton("aws_iam_organizations_features", "account"),
    ("iam", "EnableOrganizationsRootSessions"): _singleton("aws_iam_organizations_features", "account"),
    ("iam", "DisableOrganizationsRootSessions"): _singleton("aws_iam_organizations_features", "account"),
    ("securityhub", "EnableSecurityHub"): _singleton("aws_securityhub_account", "region", "create"),
    ("securityhub", "DisableSecurityHub"): _singleton("aws_securityhub_account", "region", "delete"),
    ("securityhub", "UpdateSecurityHubConfiguration"): _singleton("aws_securityhub_account", "region"),
    ("securityhub", "UpdateOrganizationConfiguration"): _singleton("aws_securityhub_organization_configuration", "region"),
    ("macie2", "EnableMacie"): _singleton("aws_macie2_account", "region", "create"),
    ("macie2", "DisableMacie"): _singleton("aws_macie2_account", "region", "delete"),
    ("macie2", "UpdateMacieSession"): _singleton("aws_macie2_account", "region"),
    ("inspector2", "Enable"): _singleton("aws_inspector2_enabler", "region", "create"),
    ("inspector2", "Disable"): _singleton("aws_inspector2_enabler", "region", "delete"),
    ("inspector2", "UpdateOrganizationConfiguration"): _singleton("aws_inspector2_organization_configuration", "region"),
    ("apigateway", "UpdateAccount"): _singleton("aws_api_gateway_account", "region"),
    ("xray", "PutEncryptionConfig"): _singleton("aws_xray_encryption_config", "region"),
    ("emr", "PutBlockPublicAccessConfiguration"): _singleton("aws_emr_block_public_access_configuration", "region"),
    ("ecr", "PutRegistryPolicy"): _singleton("aws_ecr_registry_policy", "region"),
    ("ecr", "DeleteRegistryPolicy"): _singleton("aws_ecr_registry_policy", "region", "delete"),
    ("ecr", "PutRegistryScanningConfiguration"): _singleton("aws_ecr_registry_scanning_configuration", "region"),
    ("ecr", "PutReplicationConfiguration"): _singleton("aws_ecr_replication_configuration", "region"),
    ("backup", "UpdateGlobalSettings"): _singleton("aws_backup_global_settings", "account"),
    ("backup", "UpdateRegionSettings"): _singleton("aws_backup_region_settings", "region"),
    ("glue", "PutDataCatalogEncryptionSettings"): _singleton("aws_glue_data_catalog_encryption_settings", "region"),
    ("glue", "PutResourcePolicy"): _singleton("aws_glue_resource_policy", "region"),
    ("glue", "DeleteResourcePolicy"): _singleton("aws_glue_resource_policy", "region", "delete"),
    ("bedrock", "PutModelInvocationLoggingConfiguration"): _singleton(
        "aws_bedrock_model_invocation_logging_configuration", "region"),
    ("bedrock", "DeleteModelInvocationLoggingConfiguration"): _singleton(
        "aws_bedrock_model_invocation_logging_configuration", "region", "delete"),
    ("account", "PutContactInformation"): _singleton("aws_account_primary_contact", "account"),
    # One per contact type (billing, operations, security) in the account: a call matches all three.
    ("account", "PutAlternateContact"): _singleton("aws_account_alternate_contact", "account"),
    ("account", "DeleteAlternateContact"): _singleton("aws_account_alternate_contact", "account", "delete"),
    ("lakeformation", "CreateLakeFormationIdentityCenterConfiguration"): _singleton(
        "aws_lakeformation_identity_center_configuration", "region", "create"),
    ("lakeformation", "UpdateLakeFormationIdentityCenterConfiguration"): _singleton(
        "aws_lakeformation_identity_center_configuration", "region"),
    ("lakeformation", "DeleteLakeFormationIdentityCenterConfiguration"): _singleton(
        "aws_lakeformation_identity_center_configuration", "region", "delete"),
    ("shield", "CreateSubscription"): _singleton("aws_shield_subscription", "account", "create"),
    ("shield", "UpdateSubscription"): _singleton("aws_shield_subscription", "account"),
    ("shield", "EnableProactiveEngagement"): _singleton("aws_shield_proactive_engagement", "account", enabled=True),
    ("shield", "DisableProactiveEngagement"): _singleton("aws_shield_proactive_engagement", "account", enabled=False),
    ("shield", "AssociateProactiveEngagementDetails"): _singleton("aws_shield_proactive_engagement", "account"),
    ("shield", "AssociateDRTRole"): _singleton("aws_shield_drt_access_role_arn_association", "account", "create"),
    ("shield", "DisassociateDRTRole"): _singleton("aws_shield_drt_access_role_arn_association", "account", "delete"),
    ("auditmanager", "RegisterAccount"): _singleton("aws_auditmanager_account_registration", "region", "create"),
    ("auditmanager", "DeregisterAccount"): _singleton("aws_auditmanager_account_registration", "region", "delete"),
    ("devops-guru", "UpdateServiceIntegration"): _singleton("aws_devopsguru_service_integration", "region"),
    ("compute-optimizer", "UpdateEnrollmentStatus"): _singleton("aws_computeoptimizer_enrollment_status", "region"),
    ("cost-optimization-hub", "UpdateEnrollmentStatus"): _singleton("aws_costoptimizationhub_enrollment_status",
                                                                    "account"),
    ("sesv2", "PutAccountVdmAttributes"): _singleton("aws_sesv2_account_vdm_attributes", "region"),
    ("sesv2", "PutAccountSuppressionAttributes"): _singleton("aws_sesv2_account_suppression_attributes", "region"),
    ("sagemaker", "EnableSagemakerServicecatalogPortfolio"): _singleton(
        "aws_sagemaker_servicecatalog_portfolio_status", "region"),
    ("sagemaker", "DisableSagemakerServicecatalogPortfolio"): _singleton(
        "aws_sagemaker_servicecatalog_portfolio_status", "region"),
    ("lakeformation", "PutDataLakeSettings"): _singleton("aws_lakeformation_data_lake_settings", "region"),
    ("rds", "ModifyCertificates"): _singleton("aws_rds_certificate", "region"),
    ("organizations", "EnableAWSServiceAccess"): _singleton("aws_organizations_organization", "account"),
    ("organizations", "DisableAWSServiceAccess"): _singleton("aws_organizations_organization", "account"),
    ("organizations", "EnablePolicyType"): _singleton("aws_organizations_organization", "account"),
    ("organizations", "DisablePolicyType"): _singleton("aws_organizations_organization", "account"),
    ("organizations", "EnableAllFeatures"): _singleton("aws_organizations_organization", "account"),
    ("organizations", "CreateOrganization"): _singleton("aws_organizations_organization", "account", "create"),
    ("organizations", "DeleteOrganization"): _singleton("aws_organizations_organization", "account", "delete"),
    ("organizations", "LeaveOrganization"): _singleton("aws_organizations_organization", "account"),
}


# --------------------------------------------------------------------------- severity
# Services whose resources are security controls. Weakening one (deleting, disabling, stopping,
# detaching it) is critical; so is creating or changing a rule that suppresses what it detects.
DETECTIVE_SERVICES = {"guardduty", "config", "cloudtrail", "securityhub", "macie2", "accessanalyzer", "inspector2",
                      "detective", "securitylake"}
PROTECTIVE_SERVICES = {"waf", "waf-regional", "wafv2", "shield", "network-firewall", "fms", "route53resolver"}
IDENTITY_SERVICES = {"organizations", "sso-admin", "identitystore", "rolesanywhere", "kms", "secretsmanager", "iam",
                     "acm-pca"}
WEAKENING_VERBS = {"Delete", "Disable", "Stop", "Disassociate", "Detach", "Deregister", "Remove", "Decline", "Leave",
                   "Reject", "Revoke", "Terminate", "Archive", "Cancel", "Schedule", "BatchDisable", "BatchDelete",
                   "BatchDisassociate"}
# Nouns of rules that hide findings or traffic from a control (GuardDuty filters and trusted IP lists,
# Security Hub automation rules, Access Analyzer archive rules, Macie findings filters).
SUPPRESSION_NOUNS = {
    "guardduty": ("Filter", "IPSet", "TrustedEntitySet"), "securityhub": ("AutomationRule",),
    "accessanalyzer": ("ArchiveRule",), "macie2": ("FindingsFilter", "AllowList"), "inspector2": ("Filter",),
}


def severity(service, operation, change, types):
    """A generated entry's severity, or None to leave it to the severity rules (SPEC §4 defaults)."""
    import re

    verb = re.match(r"[A-Z][a-z]+", operation)
    verb = verb.group(0) if verb else ""
    if operation.startswith("Batch"):
        verb = "Batch" + (re.match(r"Batch([A-Z][a-z]+)", operation) or [None, ""])[1]
    noun = operation[len(verb):]
    if verb in ("Tag", "Untag") or noun.startswith("Tags") or noun == "Tags":
        return "low"
    security = service in DETECTIVE_SERVICES | PROTECTIVE_SERVICES | IDENTITY_SERVICES
    if not security:
        return None
    suppression = any(noun.startswith(s) for s in SUPPRESSION_NOUNS.get(service, ()))
    if suppression:
        # Creating or widening a suppression rule hides findings; removing one does not weaken the control.
        return "critical" if verb in ("Create", "Update", "Put") else None
    if verb in WEAKENING_VERBS or change == "delete":
        return "critical"
    if change == "modify":
        return "high"
    return None


# Calls CloudTrail records that no botocore model describes (console sign-in, SSO portal), classified.
EXTRA_CLASSIFIED = {
    ("signin.amazonaws.com", "ConsoleLogin"): REASON_CONSOLE,
    ("signin.amazonaws.com", "CheckMfa"): REASON_CONSOLE,
    ("signin.amazonaws.com", "SwitchRole"): REASON_CONSOLE,
    ("signin.amazonaws.com", "ExitRole"): REASON_CONSOLE,
    ("signin.amazonaws.com", "RenewRole"): REASON_CONSOLE,
    ("signin.amazonaws.com", "PasswordUpdated"): REASON_SESSION,
    ("signin.amazonaws.com", "CredentialChallenge"): REASON_CONSOLE,
    ("signin.amazonaws.com", "CredentialVerification"): REASON_CONSOLE,
    ("sso.amazonaws.com", "Authenticate"): REASON_CONSOLE,
    # The SSM agent's own calls (not in the public API models): it reports on the instance it runs on.
    ("ssm.amazonaws.com", "UpdateInstanceInformation"): REASON_OPERATION,
    ("ssm.amazonaws.com", "UpdateInstanceAssociationStatus"): REASON_OPERATION,
    # Foundation-model access requests made from the Bedrock console (not in the public API models).
    ("bedrock.amazonaws.com", "PutFoundationModelEntitlement"):
        "requests access to a foundation model for the account (console); no Terraform resource type models it",
    ("sso.amazonaws.com", "Federate"): REASON_CONSOLE,
    ("sso.amazonaws.com", "Logout"): REASON_CONSOLE,
}

# (source, name) of curated entries that deliberately disagree with the generated mapping, with why.
CURATED_PREVAILS = {}


def singleton_scope(type_name, auto=None):
    for decision in SINGLETONS.values():
        if decision["type"] == type_name:
            return decision["scope"]
    return (auto or {}).get(type_name)


# Attributes that identify a resource in the state index without an `_id`/`_name`/`_arn` suffix.
IDENTIFYING_ATTRIBUTES = {"bucket", "name", "arn", "identifier", "url", "key_id", "role", "user", "group"}

# Attribute names that identify one of many resources; a type without any (and whose calls name no
# identifier) is a setting of the account or region.
_NAMING_ATTRIBUTES = ("name", "arn", "identifier", "bucket", "key", "domain")


# Name endings of types that are settings of an account or region.
_SETTINGS_ENDINGS = ("_settings", "_setting", "_configuration", "_config", "_configurations", "_preferences",
                     "_options", "_status", "_defaults", "_enabler", "_subscription", "_integration", "_collection",
                     "_registration", "_access", "_features")


def is_settings_type(resource):
    """A setting of the account or region: named like one (`…_configuration`, `…_preferences`), and with
    no naming attribute at all (a resource with an `arn`, a `name` or a required identifier is one of many)."""
    if not resource.name.endswith(_SETTINGS_ENDINGS):
        return False
    if "arn" in resource.attributes or "name" in resource.attributes:
        return False
    for attribute, (_, flags) in resource.attributes.items():
        if attribute in ("id", "region", "account_id", "tags", "tags_all"):
            continue
        if "r" in flags and (attribute in _NAMING_ATTRIBUTES or attribute.endswith(("_name", "_arn", "_identifier"))):
            return False
    return True
