#!/usr/bin/env python3
"""NDJSON for the replay benchmark: the trail corpus's records, one compact record per line (what
EventBridge/Firehose pipelines and `jq -c` write), repeated until the file holds at least BYTES bytes.
    gen_ndjson.py CORPUS_DIR OUT.ndjson [BYTES]     (BYTES 0: each record once)
Each repeat gets fresh eventIDs, so duplicate-delivery detection cannot short-cut the work."""
import json, os, sys

def main():
    corpus, out = sys.argv[1], sys.argv[2]
    target = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    records = []
    for directory, _, names in os.walk(corpus):
        for name in sorted(names):
            if name.endswith(".json"):
                with open(os.path.join(directory, name), "rb") as handle:
                    records += json.load(handle)["Records"]
    written = 0
    copy = 0
    with open(out, "w") as handle:
        while True:
            for record in records:
                if copy:
                    record = dict(record, eventID=f"{record.get('eventID', '')}-r{copy}")
                line = json.dumps(record, separators=(",", ":")) + "\n"
                handle.write(line)
                written += len(line)
            copy += 1
            if written >= target:
                break
    print(written)

if __name__ == "__main__":
    main()
