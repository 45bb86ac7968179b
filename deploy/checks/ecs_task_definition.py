#!/usr/bin/env python3
"""Checks deploy/ecs/task-definition.json: botocore's RegisterTaskDefinition input shape (aws_shape.py),
the Fargate rules the model does not carry, and what tfdriftctl needs from its task.

    ecs_task_definition.py TASK_DEFINITION.json
"""
import json
import sys

from aws_shape import check_document

# Fargate's valid task sizes (cpu units → memory MiB), from the ECS developer guide's table.
FARGATE_SIZES = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}


def fargate_problems(task):
    problems = []
    if "FARGATE" not in task.get("requiresCompatibilities", []):
        return problems
    if task.get("networkMode") != "awsvpc":
        problems.append("$.networkMode: Fargate requires awsvpc")
    try:
        cpu, memory = int(task["cpu"]), int(task["memory"])
    except (KeyError, ValueError):
        return problems + ["$.cpu/$.memory: Fargate requires task-level cpu and memory as numbers"]
    if memory not in FARGATE_SIZES.get(cpu, []):
        problems.append(f"$.cpu {cpu} with $.memory {memory}: not a Fargate task size")
    for index, volume in enumerate(task.get("volumes", [])):
        if "host" in volume or "dockerVolumeConfiguration" in volume:
            problems.append(f"$.volumes[{index}]: Fargate supports EFS or task-local volumes, not host/docker volumes")
    return problems


def tfdriftctl_problems(task):
    """What the image and the detector expect (deploy/README.md)."""
    problems = []
    volumes = {volume["name"] for volume in task.get("volumes", [])}
    containers = task.get("containerDefinitions", [])
    detector = next((c for c in containers if c.get("name") == "tfdriftctl"), None)
    if detector is None:
        return ["$.containerDefinitions: no container named tfdriftctl"]
    where = "$.containerDefinitions[tfdriftctl]"
    for mount in detector.get("mountPoints", []):
        if mount.get("sourceVolume") not in volumes:
            problems.append(f"{where}.mountPoints: volume {mount.get('sourceVolume')!r} is not in $.volumes")
    if not any(m.get("containerPath") == "/var/lib/tfdriftctl" and not m.get("readOnly", False) for m in detector.get("mountPoints", [])):
        problems.append(f"{where}.mountPoints: /var/lib/tfdriftctl (journal, spool, live picture) must be a writable volume")
    if detector.get("readonlyRootFilesystem") is not True:
        problems.append(f"{where}.readonlyRootFilesystem: must be true")
    user = detector.get("user", "")
    if not user or user.split(":")[0] in ("0", "root"):
        problems.append(f"{where}.user: must name a non-root numeric user (the image's is 65532:65532)")
    if "ALL" not in detector.get("linuxParameters", {}).get("capabilities", {}).get("drop", []):
        problems.append(f"{where}.linuxParameters.capabilities.drop: must drop ALL")
    for variable in detector.get("environment", []):
        if any(word in variable["name"].upper() for word in ("TOKEN", "PASSWORD", "SECRET", "WEBHOOK")):
            problems.append(f"{where}.environment.{variable['name']}: a secret belongs in secrets (valueFrom), not environment")
    if not any(p.get("containerPort") == 8080 for p in detector.get("portMappings", [])):
        problems.append(f"{where}.portMappings: the detector listens on 8080 (server.listen in tfdrift.yaml)")
    if detector.get("entryPoint"):
        problems.append(f"{where}.entryPoint: keep the image's (tfdriftctl run); pass arguments in command")
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    try:
        with open(path) as handle:
            task = json.load(handle)
    except (OSError, ValueError) as error:
        sys.exit(f"{path}: not readable JSON: {error}")
    problems = check_document("ecs", "RegisterTaskDefinition", task)
    if not problems:
        problems = fargate_problems(task) + tfdriftctl_problems(task)
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: valid RegisterTaskDefinition input, Fargate size and tfdriftctl's expectations")


if __name__ == "__main__":
    main()
