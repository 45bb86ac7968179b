"""Curated entries laid over the generated ones, and the contradiction check between them."""
from tfdrift_catalog import curated


def mapped(types, change, name="UpdateThing"):
    return {"kind": "mapped", "name": name, "change": change, "targets": [{"type": t, "ids": [], "diff": []} for t in types]}


def test_no_curated_entry_contradicts_the_generated_one(catalog):
    assert catalog.contradictions == []
    assert len(catalog.curated) >= 664


def test_curated_entries_win(catalog):
    for key, entry in catalog.curated.items():
        assert catalog.final[key] is entry


def test_a_different_family_is_a_contradiction():
    why = curated.contradiction(mapped(["aws_s3_bucket"], "modify"), mapped(["aws_guardduty_detector"], "modify"))
    assert why and "types" in why


def test_deleting_what_the_other_modifies_is_a_contradiction():
    why = curated.contradiction(mapped(["aws_kms_key"], "delete", "ScheduleKeyDeletion"),
                                mapped(["aws_kms_key"], "modify", "ScheduleKeyDeletion"))
    assert why and "change" in why


def test_a_classified_call_that_curated_maps_is_a_contradiction():
    why = curated.contradiction(mapped(["aws_instance"], "modify"), {"kind": "classified", "reason": "runs work"})
    assert why and "no resource change" in why


def test_related_types_and_upserts_are_compatible(catalog):
    types = catalog.types
    # A parent modified by the curated entry, its association created by the generated one.
    assert curated.contradiction(mapped(["aws_ebs_volume"], "modify", "AttachVolume"),
                                 mapped(["aws_volume_attachment"], "create", "AttachVolume"), types) is None
    # The schema says the target belongs to the rule (aws_cloudwatch_event_target.rule).
    assert curated.contradiction(mapped(["aws_cloudwatch_event_rule"], "modify", "PutTargets"),
                                 mapped(["aws_cloudwatch_event_target"], "modify", "PutTargets"), types) is None
    # Put replaces a configuration: create and modify of it agree.
    assert curated.contradiction(mapped(["aws_s3_bucket_policy"], "modify", "PutBucketPolicy"),
                                 mapped(["aws_s3_bucket_policy"], "create", "PutBucketPolicy")) is None
    assert curated.related("aws_kms_key", "aws_kms_external_key")
    assert curated.related("aws_alb_listener", "aws_lb_listener")
    assert not curated.related("aws_kms_key", "aws_lambda_function", types)


def test_sensitive_attributes_come_from_the_schema(catalog):
    assert "admin_user_password" in catalog.types["aws_docdbelastic_cluster"].sensitive_roots
    # A nested sensitive attribute makes its whole block sensitive for diffs (user.password).
    assert "user" in catalog.types["aws_mq_broker"].sensitive_roots
    entry = catalog.final[("docdb-elastic.amazonaws.com", "UpdateCluster")]
    flags = {m["attribute"]: m.get("sensitive", False) for m in entry["targets"][0]["diff"]}
    assert flags["admin_user_password"] is True and flags["auth_type"] is False
