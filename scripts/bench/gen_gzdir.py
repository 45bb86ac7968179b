#!/usr/bin/env python3
"""A directory of .json.gz trail files in the S3 layout holding at least BYTES bytes of JSON once
inflated: the benchmark corpus's files gzip'd and repeated (fresh eventIDs per repeat).
    gen_gzdir.py CORPUS_DIR OUT_DIR BYTES"""
import gzip, json, os, sys

def main():
    corpus, out, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    files = []
    for directory, _, names in os.walk(corpus):
        files += [os.path.join(directory, name) for name in sorted(names) if name.endswith(".json")]
    files.sort()
    day = os.path.join(out, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2026", "01", "01")
    os.makedirs(day, exist_ok=True)
    written = 0
    copy = 0
    while written < target:
        for number, path in enumerate(files):
            with open(path, "rb") as handle:
                document = json.load(handle)
            for record in document["Records"]:
                record["eventID"] = f"{record.get('eventID', '')}-g{copy}"
            data = json.dumps(document, separators=(",", ":")).encode()
            name = f"123456789012_CloudTrail_us-east-1_20260101T{copy % 24:02d}{number % 60:02d}Z_{copy:04d}{number:05d}.json.gz"
            with open(os.path.join(day, name), "wb") as handle:
                handle.write(gzip.compress(data, 6))
            written += len(data)
            if written >= target:
                break
        copy += 1
    print(written)

if __name__ == "__main__":
    main()
