"""The generator's mapping rules on services of each protocol: query (IAM, RDS, SNS), JSON (DynamoDB,
ECS, SSM, Step Functions, Glue, KMS), REST-JSON (Lambda, GuardDuty, API Gateway, WAFv2), REST-XML (S3,
S3 Control, Route 53, CloudFront) and EC2's own protocol. They test what the generator derives from the
models, so they read `catalog.generated` (the curated YAML laid over it is tested separately)."""
from conftest import paths


def targets(entry):
    return [t["type"] for t in entry["targets"]]


# ---------------------------------------------------------------------- query protocol
def test_query_identifier_is_the_member_lower_camel_cased(generated):
    entry = generated("rds.amazonaws.com", "ModifyDBInstance")
    assert entry["change"] == "modify"
    # RDS, Neptune and DocumentDB share rds.amazonaws.com: every type the call can reach, RDS first.
    assert targets(entry)[0] == "aws_db_instance"
    assert {"aws_docdb_cluster_instance", "aws_neptune_cluster_instance"} <= set(targets(entry))
    assert paths(entry["targets"][0])[0] == "request.dBInstanceIdentifier"


def test_query_noun_rewrite_finds_the_provider_name(generated):
    # AWS says DBCluster, the provider aws_rds_cluster (and aws_neptune_cluster).
    entry = generated("rds.amazonaws.com", "ModifyDBCluster")
    assert targets(entry)[:3] == ["aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"]
    assert all(paths(t)[0] == "request.dBClusterIdentifier" for t in entry["targets"])


def test_query_creation_is_identified_from_the_response_first(generated):
    entry = generated("sns.amazonaws.com", "CreateTopic")
    assert entry["change"] == "create"
    assert paths(entry["targets"][0]) == ["response.topicArn", "request.name"]


def test_query_tag_call_of_one_type(generated):
    entry = generated("iam.amazonaws.com", "TagRole")
    assert (entry["change"], targets(entry), entry["severity"]) == ("modify", ["aws_iam_role"], "low")
    assert paths(entry["targets"][0]) == ["request.roleName"]


def test_account_singleton_is_identified_by_the_record(generated):
    entry = generated("iam.amazonaws.com", "UpdateAccountPasswordPolicy")
    assert targets(entry) == ["aws_iam_account_password_policy"]
    assert paths(entry["targets"][0]) == ["record.recipientAccountId"]


# ---------------------------------------------------------------------- JSON protocol
def test_json_modification(generated):
    entry = generated("dynamodb.amazonaws.com", "UpdateTable")
    assert (entry["change"], targets(entry)) == ("modify", ["aws_dynamodb_table"])
    assert paths(entry["targets"][0])[0] == "request.tableName"
    entry = generated("ecs.amazonaws.com", "UpdateService")
    assert paths(entry["targets"][0])[0] == "request.service"


def test_json_calls_that_change_no_resource_are_classified_with_a_reason(generated):
    for source, name, word in [("ssm.amazonaws.com", "SendCommand", "data"), ("ssm.amazonaws.com", "StartSession", "session"),
                               ("states.amazonaws.com", "StartExecution", "runs")]:
        entry = generated(source, name)
        assert entry["kind"] == "classified", name
        assert word in entry["reason"], (name, entry["reason"])


def test_running_a_resource_is_not_a_change_of_it(generated):
    # aws_glue_crawler exists, but StartCrawler runs it; CreateJob creates aws_glue_job.
    assert generated("glue.amazonaws.com", "StartCrawler")["kind"] == "classified"
    entry = generated("glue.amazonaws.com", "CreateJob")
    assert (entry["kind"], entry["change"], targets(entry)) == ("mapped", "create", ["aws_glue_job"])


def test_read_only_operations_come_from_the_model(generated):
    # KMS Decrypt is POST without a readonly trait: read-only by its verb; DescribeInstances by the model.
    assert generated("kms.amazonaws.com", "Decrypt")["kind"] == "read"
    assert generated("ec2.amazonaws.com", "DescribeInstances")["kind"] == "read"
    # A name that looks like a read but fails a cluster over is mutating.
    assert generated("elasticache.amazonaws.com", "TestFailover")["kind"] != "read"


# ---------------------------------------------------------------------- REST-JSON protocol
def test_rest_json_path_parameter_is_the_member_name(generated):
    entry = generated("lambda.amazonaws.com", "UpdateFunctionConfiguration")
    assert targets(entry) == ["aws_lambda_function"]
    assert paths(entry["targets"][0])[0] == "request.functionName"


def test_security_control_severities(generated):
    assert generated("guardduty.amazonaws.com", "DeleteDetector")["severity"] == "critical"
    # A GuardDuty filter can archive findings as they arrive: creating one hides detections.
    assert generated("guardduty.amazonaws.com", "CreateFilter")["severity"] == "critical"
    assert generated("guardduty.amazonaws.com", "UpdateDetector")["severity"] == "high"
    entry = generated("wafv2.amazonaws.com", "DisassociateWebACL")
    assert (entry["change"], targets(entry), entry["severity"]) == ("delete", ["aws_wafv2_web_acl_association"], "critical")
    assert generated("config.amazonaws.com", "StopConfigurationRecorder")["severity"] == "critical"


def test_two_apis_on_one_event_source_share_an_entry(generated):
    # API Gateway v1 and v2 both log as apigateway.amazonaws.com.
    entry = generated("apigateway.amazonaws.com", "UpdateStage")
    assert targets(entry) == ["aws_api_gateway_stage", "aws_apigatewayv2_stage"]


# ---------------------------------------------------------------------- REST-XML protocol
def test_s3_bucket_is_bucket_name(generated):
    entry = generated("s3.amazonaws.com", "PutBucketVersioning")
    assert targets(entry)[0] == "aws_s3_bucket_versioning"
    assert paths(entry["targets"][0])[0] == "request.bucketName"


def test_s3_event_names_differ_from_operation_names(generated, catalog):
    # PutBucketLifecycleConfiguration is logged as PutBucketLifecycle; S3 Control's PutPublicAccessBlock
    # as PutAccountPublicAccessBlock (a singleton of the account).
    assert ("s3.amazonaws.com", "PutBucketLifecycle") in catalog.generated
    entry = generated("s3.amazonaws.com", "PutAccountPublicAccessBlock")
    assert targets(entry) == ["aws_s3_account_public_access_block"]
    assert paths(entry["targets"][0]) == ["record.recipientAccountId"]


def test_object_writes_are_data(generated):
    assert generated("s3.amazonaws.com", "PutObject")["kind"] == "classified"


def test_rest_xml_creation_identified_in_the_response(generated):
    entry = generated("route53.amazonaws.com", "CreateHostedZone")
    assert targets(entry) == ["aws_route53_zone"]
    assert paths(entry["targets"][0])[0] == "response.hostedZone.id"
    entry = generated("cloudfront.amazonaws.com", "UpdateDistribution")
    assert paths(entry["targets"][0])[0] == "request.id"


# ---------------------------------------------------------------------- EC2 protocol
def test_ec2_xml_style_and_query_paths(generated):
    entry = generated("ec2.amazonaws.com", "DeleteTrafficMirrorSession")
    assert (entry["change"], targets(entry)) == ("delete", ["aws_ec2_traffic_mirror_session"])
    assert paths(entry["targets"][0])[:2] == [
        "request.DeleteTrafficMirrorSessionRequest.TrafficMirrorSessionId", "request.trafficMirrorSessionId"]


def test_ec2_creation_is_not_identified_by_its_parent(generated):
    entry = generated("ec2.amazonaws.com", "CreateTrafficMirrorSession")
    assert all(p.startswith("response.") for p in paths(entry["targets"][0]))


def test_region_singleton(generated):
    entry = generated("ec2.amazonaws.com", "EnableEbsEncryptionByDefault")
    target = entry["targets"][0]
    assert (target["type"], paths(target)) == ("aws_ebs_encryption_by_default", ["record.awsRegion"])
    assert target["diff"] == [{"attribute": "enabled", "value": ("b", "true")}]


def test_associations_are_created_and_deleted(generated):
    assert (generated("ec2.amazonaws.com", "AttachVolume")["change"],
            targets(generated("ec2.amazonaws.com", "AttachVolume"))) == ("create", ["aws_volume_attachment"])


def test_lb_twins_get_the_same_identifiers(generated):
    entry = generated("elasticloadbalancing.amazonaws.com", "CreateRule")
    assert targets(entry) == ["aws_lb_listener_rule", "aws_alb_listener_rule"]
    assert paths(entry["targets"][0]) == paths(entry["targets"][1])


def test_only_settings_are_singletons(catalog):
    """A singleton matches whatever instance of its type the account or region has, so an ordinary
    resource must never become one because one of its calls names no identifier."""
    from tfdrift_catalog import rules
    automatic = set(catalog.auto_singletons)
    explicit = {decision["type"] for decision in rules.SINGLETONS.values()}
    for type_name in ("aws_instance", "aws_vpc", "aws_eip", "aws_ebs_snapshot", "aws_iam_user_login_profile",
                      "aws_cognito_user", "aws_lakeformation_permissions", "aws_ecr_repository_creation_template"):
        assert type_name not in automatic | explicit, type_name
    for type_name in automatic:
        resource = catalog.types[type_name]
        assert "arn" not in resource.attributes and "name" not in resource.attributes, type_name
    assert {"aws_ebs_encryption_by_default", "aws_s3_account_public_access_block", "aws_iam_account_password_policy",
            "aws_devopsguru_event_sources_config"} <= automatic | explicit
