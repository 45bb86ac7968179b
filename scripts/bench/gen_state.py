#!/usr/bin/env python3
"""Generates a Terraform format-4 state with N managed resources across common AWS types, with
attribute shapes like the AWS provider writes (nested blocks, tags, policies), for the load-time
and memory benchmark."""
import json, sys

def resource(i):
    kind = i % 5
    account = "123456789012"
    tags = {"Name": f"res-{i}", "team": f"team-{i % 17}", "env": "prod"}
    if kind == 0:
        return "aws_instance", {
            "id": f"i-{i:017x}", "arn": f"arn:aws:ec2:us-east-1:{account}:instance/i-{i:017x}", "ami": "ami-0abcdef1234567890",
            "instance_type": "t3.micro", "subnet_id": f"subnet-{i % 97:017x}", "vpc_security_group_ids": [f"sg-{i % 89:017x}"],
            "private_ip": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}", "tags": tags, "tags_all": tags,
            "root_block_device": [{"volume_size": 20, "volume_type": "gp3", "encrypted": True, "delete_on_termination": True}],
            "metadata_options": [{"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}],
            "disable_api_termination": False, "ebs_optimized": True, "monitoring": False, "user_data": None,
        }
    if kind == 1:
        return "aws_security_group", {
            "id": f"sg-{i:017x}", "arn": f"arn:aws:ec2:us-east-1:{account}:security-group/sg-{i:017x}", "name": f"sg-{i}",
            "description": "Managed by Terraform", "vpc_id": f"vpc-{i % 7:017x}", "tags": tags, "tags_all": tags,
            "ingress": [{"cidr_blocks": ["10.0.0.0/8"], "description": "https", "from_port": 443, "to_port": 443, "protocol": "tcp",
                         "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False}],
            "egress": [{"cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 0, "to_port": 0, "protocol": "-1",
                        "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False}],
        }
    if kind == 2:
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        return "aws_iam_role", {
            "id": f"role-{i}", "name": f"role-{i}", "arn": f"arn:aws:iam::{account}:role/role-{i}", "assume_role_policy": policy,
            "path": "/", "max_session_duration": 3600, "tags": tags, "tags_all": tags, "managed_policy_arns": [], "inline_policy": [],
        }
    if kind == 3:
        return "aws_s3_bucket", {
            "id": f"bucket-{i}-{account}", "bucket": f"bucket-{i}-{account}", "arn": f"arn:aws:s3:::bucket-{i}-{account}",
            "region": "us-east-1", "force_destroy": False, "tags": tags, "tags_all": tags,
            "versioning": [{"enabled": True, "mfa_delete": False}],
            "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": ""}], "bucket_key_enabled": True}]}],
        }
    return "aws_lambda_function", {
        "id": f"fn-{i}", "function_name": f"fn-{i}", "arn": f"arn:aws:lambda:us-east-1:{account}:function:fn-{i}", "runtime": "python3.12",
        "handler": "app.handler", "memory_size": 256, "timeout": 30, "role": f"arn:aws:iam::{account}:role/role-{i}",
        "environment": [{"variables": {"LOG_LEVEL": "info", "TABLE": f"table-{i}"}}], "layers": [], "tags": tags, "tags_all": tags,
        "source_code_hash": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    }

def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    resources = []
    for i in range(count):
        rtype, attributes = resource(i)
        resources.append({
            "module": f"module.m{i % 50}", "mode": "managed", "type": rtype, "name": f"r{i}",
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{"schema_version": 1, "attributes": attributes, "sensitive_attributes": [], "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==", "dependencies": []}],
        })
    state = {"version": 4, "terraform_version": "1.9.8", "serial": 42, "lineage": "bench", "outputs": {}, "resources": resources, "check_results": None}
    with open(out, "w") as handle:
        json.dump(state, handle, indent=2)
    print(f"{count} resources written to {out}")

if __name__ == "__main__":
    main()
