#!/usr/bin/env python3
"""Reduces the Terraform AWS provider's resource schemas to what the catalog generator reads.

    python3 scripts/catalog/extract_schema.py ../shared/reference/terraform-provider-aws-schema/resources.json

Writes scripts/catalog/data/terraform-aws-schema.json: per resource type, its top-level attributes
(type code and required/optional/computed flags), its nested block names, and every attribute path
the provider marks sensitive (`user.password`). Descriptions, nesting limits and schema versions are
dropped: the generator only lines request members up with attributes and keeps secrets out of diffs.
Run it again only when the provider schema is refreshed (see data/SOURCE.md).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "terraform-aws-schema.json")


def type_code(t):
    """Terraform's cty type as a short code: s, n, b, [x] list, {x} set, <x> map, o object/tuple."""
    if isinstance(t, str):
        return {"string": "s", "number": "n", "bool": "b", "dynamic": "o"}.get(t, "o")
    kind, inner = t[0], t[1] if len(t) > 1 else None
    if kind == "list":
        return "[" + type_code(inner) + "]"
    if kind == "set":
        return "{" + type_code(inner) + "}"
    if kind == "map":
        return "<" + type_code(inner) + ">"
    return "o"


def flags(attribute):
    return "".join(f for f, key in (("r", "required"), ("o", "optional"), ("c", "computed")) if attribute.get(key))


def sensitive_paths(block, prefix=""):
    paths = []
    for name, attribute in sorted(block.get("attributes", {}).items()):
        if attribute.get("sensitive"):
            paths.append(prefix + name)
    for name, nested in sorted(block.get("blocks", {}).items()):
        paths += sensitive_paths(nested.get("block", {}), prefix + name + ".")
    return paths


def reduce(schema):
    result = {}
    for resource_type in sorted(schema):
        block = schema[resource_type]
        result[resource_type] = {
            "a": {name: [type_code(a.get("type", "dynamic")), flags(a)] for name, a in sorted(block.get("attributes", {}).items())},
            "b": sorted(block.get("blocks", {})),
            "s": sensitive_paths(block),
        }
    return result


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: extract_schema.py PATH/TO/resources.json")
    with open(sys.argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    reduced = reduce(schema)
    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump(reduced, handle, sort_keys=True, separators=(",", ":"))
        handle.write("\n")
    print(f"{len(reduced)} resource types -> {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
