#!/usr/bin/env python3
"""Parse-only baseline: read every corpus file and orjson.loads it, counting records. This is the
floor a JSON-reading detector is compared against (no matching, no output)."""
import os, sys, time
import orjson

def main():
    root = sys.argv[1]
    paths = []
    for directory, _, names in os.walk(root):
        paths += [os.path.join(directory, name) for name in names if name.endswith(".json")]
    paths.sort()
    started = time.perf_counter()
    records = 0
    for path in paths:
        with open(path, "rb") as handle:
            records += len(orjson.loads(handle.read())["Records"])
    elapsed = time.perf_counter() - started
    print(f"{records} {elapsed:.4f}")

if __name__ == "__main__":
    main()
