"""The hand-written catalog (Sources/Detector/Resources/catalog/*.yaml), read the way the Swift loader
reads it, and checked against the generated entries.

The curated entry for a call replaces the generated one: it says more (diff paths, quirks, `also`
fallbacks) and was checked against real records. Where the two disagree on the kind of resource or on
the kind of change, `contradictions` reports it; the generator fails until a rule or the YAML is fixed.
"""
import glob
import os

import yaml

from .naming import squash


class CuratedError(Exception):
    pass


def load(directory):
    """{(source, name): entry} for every event of every YAML file in the directory, sorted by file name."""
    entries = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        file = os.path.basename(path)
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
        source = document["source"]
        for event in document["events"]:
            entry = read_event(event, source, file)
            key = (source, entry["name"])
            if key in entries:
                raise CuratedError(f"{file}: {entry['name']} is listed twice for {source}")
            entries[key] = entry
    return entries


def read_event(event, source, file):
    primary = read_target(event, inherited=[])
    targets = [primary]
    for alternative in event.get("also", []):
        target = read_target(alternative, inherited=primary["diff"])
        # An `also` target may say what the call does to it when that differs (DeleteAccessKey deletes
        # the key and modifies the user).
        if alternative.get("change"):
            target["change"] = alternative["change"]
        targets.append(target)
    return {
        "source": source, "name": event["name"], "change": event["change"], "targets": targets,
        "severity": event.get("severity"), "defined_in": file, "kind": "mapped",
    }


def read_target(node, inherited):
    ids = [read_identifier(i) for i in node["id"]]
    if "diff" in node:
        # An attribute may list several sources, applied in order (a call that adds and removes).
        diff = [read_diff(attribute, source) for attribute, value in (node["diff"] or {}).items()
                for source in (value if isinstance(value, list) else [value])]
    else:
        diff = [dict(d) for d in inherited]
    return {"type": node["resource"], "ids": ids, "diff": diff}


def read_identifier(node):
    if isinstance(node, str):
        return {"paths": [node]}
    if "path" in node:
        spec = {"paths": [node["path"]]}
    else:
        spec = {"paths": list(node["join"])}
    if "separator" in node:
        spec["separator"] = str(node["separator"])
    if "strip_prefix" in node:
        spec["strip_prefix"] = str(node["strip_prefix"])
    return spec


def read_diff(attribute, value):
    if isinstance(value, str):
        return {"attribute": attribute, "path": value}
    if "value" in value:
        # `value: []` (or null): the call empties the attribute.
        if value["value"] is None or isinstance(value["value"], list):
            return {"attribute": attribute, "value": ("z", "")}
        return {"attribute": attribute, "value": constant(value["value"])}
    mapping = {"attribute": attribute, "path": value["from"]}
    if value.get("as") and value["as"] != "plain":
        mapping["as"] = value["as"]
    return mapping


def constant(value):
    """A YAML scalar as the Swift loader types it: true/false, a number, or a string."""
    if isinstance(value, bool):
        return ("b", "true" if value else "false")
    if isinstance(value, (int, float)):
        return ("n", str(value))
    text = str(value)
    if text in ("true", "false"):
        return ("b", text)
    try:
        float(text)
        return ("n", text)
    except ValueError:
        return ("s", text)


# ---------------------------------------------------------------------- contradictions
UPSERT_VERBS = ("Put", "Add", "Set", "Register", "Enable", "Associate", "Attach", "Import", "Publish", "Copy", "Restore",
                "Accept", "Replicate", "Upload", "Allocate", "Request", "Create")


def related(a, b, types=None):
    """Two Terraform types describe the same object or one belongs to the other: equal, one a word
    prefix of the other (aws_iam_role / aws_iam_role_policy_attachment), an association whose stem is
    a tail of the other (aws_volume_attachment / aws_ebs_volume), variants of one object
    (aws_kms_key / aws_kms_external_key), the aws_alb_/aws_lb_ twins, or — from the schema — one
    requires an attribute naming the other (aws_cloudwatch_event_target.rule -> aws_cloudwatch_event_rule)."""
    if a == b:
        return True
    wa, wb = a.split("_"), b.split("_")
    if len(wa) > 2 and len(wb) > 2 and wa[1] == wb[1] and wa[-1] == wb[-1]:
        return True
    if types is not None and (_references(types.get(a), b) or _references(types.get(b), a)):
        return True
    a2, b2 = a.replace("aws_alb", "aws_lb"), b.replace("aws_alb", "aws_lb")
    if a2 == b2 or a2.startswith(b2 + "_") or b2.startswith(a2 + "_"):
        return True
    for x, y in ((a2, b2), (b2, a2)):
        for suffix in ("_attachment", "_association"):
            if x.endswith(suffix):
                stem = squash(x[len("aws_"):-len(suffix)])
                if squash(y[len("aws_"):]).endswith(stem) or stem.endswith(squash(y[len("aws_"):])):
                    return True
    return False


def _references(resource, other):
    """Whether the resource requires an attribute `<x>`, `<x>_name|_id|_arn|_identifier` (or plural)
    where x is a tail of the other type's name: it belongs to the other one (an optional reference,
    such as a function's `kms_key_arn`, does not make a key and a function one family)."""
    if resource is None:
        return False
    other_words = other[len("aws_"):].split("_")
    tails = {squash("".join(other_words[i:])) for i in range(len(other_words))}
    for attribute in (a for a in resource.attributes if resource.required(a)):
        stem = attribute
        for suffix in ("_names", "_ids", "_arns", "_name", "_id", "_arn", "_identifier"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        if stem and stem not in ("region", "tags", "tags_all", "account") and squash(stem) in tails:
            return True
    return False


def contradiction(curated, generated, types=None):
    """Why a curated entry contradicts the generated entry for the same call, or None.

    - a call the generator classifies as no resource change;
    - no curated resource type related to a generated one (a different family);
    - a deletion on one side and a creation or modification of the same type on the other, or a
      creation against a modification of the same type by a verb that does not upsert.
    """
    if generated["kind"] == "classified":
        return f"generated classifies it as no resource change ({generated['reason']})"
    if generated["kind"] != "mapped":
        return None
    curated_types = [t["type"] for t in curated["targets"]]
    generated_types = [t["type"] for t in generated["targets"]]
    pairs = [(c, g) for c in curated_types for g in generated_types if related(c, g, types)]
    if not pairs:
        return f"types: curated {curated_types}, generated {generated_types}"
    c_change, g_change = curated["change"], generated["change"]
    if c_change == g_change:
        return None
    same = [(c, g) for c, g in pairs if c == g]
    if "delete" in (c_change, g_change):
        if same or (c_change == "create" or g_change == "create"):
            return f"change: curated {c_change}, generated {g_change} of {same or pairs}"
        return None
    if same and not curated["name"].startswith(UPSERT_VERBS):
        return f"change: curated {c_change}, generated {g_change} of {same[0][0]}"
    return None
