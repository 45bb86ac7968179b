#!/usr/bin/env python3
"""Parse-only anchors on the same bytes tfdriftctl replays: orjson (builds the objects) and pysimdjson
(builds simdjson's parse tape, touches nothing). No matching, no output: the floor a JSON-reading
detector is compared against.
    anchors.py trail DIR       every *.json under DIR ({"Records": [...]} files)
    anchors.py ndjson FILE     one record per line
Prints one line per parser: "<name> <records> <seconds> <bytes>"."""
import os, sys, time
import orjson
import simdjson

def trail_files(root):
    paths = []
    for directory, _, names in os.walk(root):
        paths += [os.path.join(directory, name) for name in names if name.endswith(".json")]
    return sorted(paths)

def measure(name, form, target, parse_file, parse_line):
    started = time.perf_counter()
    records = 0
    size = 0
    if form == "trail":
        for path in trail_files(target):
            with open(path, "rb") as handle:
                data = handle.read()
            size += len(data)
            records += parse_file(data)
    else:
        with open(target, "rb") as handle:
            for line in handle:
                if line.strip():
                    size += len(line)
                    parse_line(line)
                    records += 1
    print(f"{name} {records} {time.perf_counter() - started:.4f} {size}")

def main():
    form, target = sys.argv[1], sys.argv[2]
    measure("orjson", form, target, lambda data: len(orjson.loads(data)["Records"]), orjson.loads)
    parser = simdjson.Parser()
    # parse() builds the tape; the record count comes from the tape without building Python objects.
    measure("pysimdjson", form, target, lambda data: len(parser.parse(data)["Records"]), parser.parse)

if __name__ == "__main__":
    main()
