#!/usr/bin/env python3
"""Builds the replay benchmark corpus: the real records of Tests/Fixtures/cloudtrail repeated to at least
N records, written as uncompressed trail files ({"Records": [...]}, 1,000 records each) in the S3
key layout. Each copy gets a fresh eventID so the detector's duplicate-delivery check does not
short-cut the work. Deterministic: the same N gives the same files."""
import glob, gzip, json, os, sys

def load(shared):
    records = []
    for path in sorted(glob.glob(os.path.join(shared, "cloudtrail", "**", "*.json.gz"), recursive=True)):
        data = gzip.open(path).read()
        try:
            records += json.loads(data)["Records"]
        except (ValueError, KeyError):
            records += [json.loads(line) for line in data.splitlines() if line.strip()]
    return records

def main():
    shared, out, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    records = load(shared)
    per_file = 1000
    total = 0
    copy = 0
    batch, file_number = [], 0
    directory = os.path.join(out, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2024", "01", "01")
    os.makedirs(directory, exist_ok=True)
    def flush():
        nonlocal batch, file_number
        if not batch:
            return
        name = f"123456789012_CloudTrail_us-east-1_20240101T{file_number // 60:02d}{file_number % 60:02d}Z_bench{file_number:011d}.json"
        with open(os.path.join(directory, name), "w") as handle:
            json.dump({"Records": batch}, handle, separators=(",", ":"))
        batch, file_number = [], file_number + 1
    while total < target:
        for record in records:
            clone = dict(record)
            clone["eventID"] = f"{copy:08d}-{record.get('eventID', 'none')}"
            batch.append(clone)
            total += 1
            if len(batch) == per_file:
                flush()
        copy += 1
    flush()
    print(f"{total} records in {file_number} files under {out}")

if __name__ == "__main__":
    main()
