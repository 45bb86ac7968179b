#!/usr/bin/env python3
"""Rate-limited ingest for the soak: RATE events/minute for MINUTES, in small batches, sampling the
detector's RSS (from /proc) every 30 s. Prints one line per sample and a final summary."""
import json, sys, time, urllib.request, uuid

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def main():
    url, pid, rate, minutes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    batch = 10
    interval = 60.0 * batch / rate
    deadline = time.time() + minutes * 60
    sent = accepted = 0
    samples = []
    next_sample = time.time()
    counter = 0
    while time.time() < deadline:
        started = time.time()
        records = []
        for _ in range(batch):
            counter += 1
            records.append({"eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "eventSource": "ec2.amazonaws.com", "eventName": "CreateVpc",
                            "eventID": str(uuid.uuid4()), "readOnly": False, "eventType": "AwsApiCall", "awsRegion": "us-east-1",
                            "recipientAccountId": "123456789012", "userAgent": "aws-cli/2",
                            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/soak"},
                            "responseElements": {"vpc": {"vpcId": f"vpc-soak-{counter}"}}})
        request = urllib.request.Request(url, data=json.dumps(records).encode(), method="POST",
                                         headers={"Content-Type": "application/json", "Authorization": "Bearer bench-token"})
        with urllib.request.urlopen(request, timeout=10) as response:
            sent += batch
            if response.status == 202:
                accepted += batch
        if time.time() >= next_sample:
            samples.append(rss_kib(pid))
            print(f"t={int(time.time() - (deadline - minutes * 60))}s rss={samples[-1] // 1024} MiB sent={sent}", flush=True)
            next_sample += 30
        time.sleep(max(0, interval - (time.time() - started)))
    print(json.dumps({"sent": sent, "accepted": accepted, "rss_first_mib": samples[0] // 1024, "rss_last_mib": samples[-1] // 1024,
                      "rss_max_mib": max(samples) // 1024, "samples": len(samples)}))

if __name__ == "__main__":
    main()
