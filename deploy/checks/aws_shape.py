#!/usr/bin/env python3
"""Checks a JSON document against an AWS API operation's input shape from botocore's service model.

    aws_shape.py SERVICE OPERATION FILE      e.g. aws_shape.py ecs RegisterTaskDefinition task-definition.json

The document is what `aws SERVICE OPERATION --cli-input-json file://FILE` sends. Walks the shape:
required members, unknown keys, JSON types, enum values, string lengths, list sizes and numeric ranges
as the model declares them. Prints every problem with its path and exits 1 if there is any.
"""
import json
import sys

import botocore.session


def check(shape, value, path, problems):
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object ({shape.name}), got {type(value).__name__}")
            return
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}.{name}: required by {shape.name}, missing")
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                problems.append(f"{path}.{key}: unknown key in {shape.name} (allowed: {', '.join(shape.members)})")
                continue
            check(member, item, f"{path}.{key}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list ({shape.name}), got {type(value).__name__}")
            return
        bounded(meta, len(value), path, "items", problems)
        for index, item in enumerate(value):
            check(shape.member, item, f"{path}[{index}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object ({shape.name}), got {type(value).__name__}")
            return
        for key, item in value.items():
            check(shape.key, key, f"{path} key {key!r}", problems)
            check(shape.value, item, f"{path}[{key!r}]", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string ({shape.name}), got {type(value).__name__} {value!r}")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {', '.join(shape.enum)}")
        bounded(meta, len(value), path, "characters", problems)
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: expected an integer ({shape.name}), got {value!r}")
            return
        bounded(meta, value, path, "", problems)
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{path}: expected a number ({shape.name}), got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected true or false ({shape.name}), got {value!r}")
    elif kind == "timestamp":
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected a timestamp ({shape.name}), got {value!r}")
    elif kind == "blob":
        if not isinstance(value, str):
            problems.append(f"{path}: expected base64 text ({shape.name}), got {value!r}")
    else:
        problems.append(f"{path}: shape type {kind} is not handled by this checker")


def bounded(meta, size, path, unit, problems):
    low, high = meta.get("min"), meta.get("max")
    if low is not None and size < low:
        problems.append(f"{path}: {size} {unit} is below the minimum {low}".replace("  ", " "))
    if high is not None and size > high:
        problems.append(f"{path}: {size} {unit} is above the maximum {high}".replace("  ", " "))


def check_document(service, operation, document):
    """The problems of `document` as `operation`'s input, each with its JSON path."""
    session = botocore.session.get_session()
    shape = session.get_service_model(service).operation_model(operation).input_shape
    problems = []
    check(shape, document, "$", problems)
    return problems


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    service, operation, path = sys.argv[1:]
    try:
        with open(path) as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        sys.exit(f"{path}: not readable JSON: {error}")
    problems = check_document(service, operation, document)
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: valid {service} {operation} input (botocore {botocore.__version__})")


if __name__ == "__main__":
    main()
