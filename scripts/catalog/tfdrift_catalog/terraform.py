"""The Terraform AWS provider's resource types (data/terraform-aws-schema.json) and the service each belongs to."""
import json
import os
import re

from . import rules
from .naming import squash

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "terraform-aws-schema.json")


class ResourceType:
    def __init__(self, name, schema):
        self.name = name
        self.attributes = {n: (t, f) for n, (t, f) in schema.get("a", {}).items()}
        self.blocks = set(schema.get("b", []))
        self.sensitive_paths = list(schema.get("s", []))
        self.known = bool(schema)

    @property
    def words(self):
        return self.name[len("aws_"):].split("_")

    @property
    def sensitive_roots(self):
        """Top-level attributes or blocks that hold a secret somewhere inside: never echoed in a diff."""
        return sorted({path.split(".")[0] for path in self.sensitive_paths})

    def settable(self, attribute):
        """An attribute a user sets (required or optional), not one the provider only computes."""
        entry = self.attributes.get(attribute)
        return entry is not None and ("r" in entry[1] or "o" in entry[1])

    def required(self, attribute):
        entry = self.attributes.get(attribute)
        return entry is not None and "r" in entry[1]

    @property
    def has_tags(self):
        """A `tags` map, or `tag` blocks (aws_autoscaling_group)."""
        return "tags" in self.attributes or "tag" in self.blocks

    def __repr__(self):
        return self.name


def load_types():
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = json.load(handle)
    types = {name: ResourceType(name, entry) for name, entry in schema.items()}
    for name in rules.EXTRA_RESOURCE_TYPES:
        types.setdefault(name, ResourceType(name, {}))
    return types


def service_of(type_name, services):
    """The botocore service a Terraform resource type belongs to, or None.

    The provider's own irregular prefixes first (`aws_db_` is RDS, `aws_cloudwatch_event_` EventBridge),
    longest match winning; then the type's first word against botocore's service names, endpoint
    prefixes and service ids with punctuation removed (`aws_accessanalyzer_` -> accessanalyzer).
    """
    best = None
    for pattern, service in rules.TERRAFORM_PREFIXES:
        match = re.match(pattern, type_name)
        if match and (best is None or match.end() > best[0]):
            best = (match.end(), service)
    if best:
        return best[1]
    first = type_name.split("_")[1]
    return services.get(first)


def service_index(models):
    """Normalised names -> botocore service, for the first-word rule."""
    index = {}
    for name, service in models.items():
        metadata = service.metadata
        for key in (name, metadata["endpointPrefix"], metadata["serviceId"]):
            index.setdefault(squash(key), name)
    return index
