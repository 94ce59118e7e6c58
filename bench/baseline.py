#!/usr/bin/env python3
"""The Python baseline of bench/startup.sh: quota-reset as a seed-style `requests` script would do it.

POST {CA_API_URL}/admin/quota/reset-daily with the X-CA-Root-Key and an Idempotency-Key header, the
same timeouts (connect 5 s, answer 60 s) and retries of transient failures (3, exponential backoff,
429 and 5xx, Retry-After honoured), one JSON log line per event for Cloud Logging, exit 0 on
success, 1 on failure, 2 when a setting is missing. Needs `requests` (pip install requests).
"""
import json
import os
import sys
import time
import uuid

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

JOB = "quota-reset"


def log(severity, message, **labels):
    print(json.dumps({"severity": severity, "message": message,
                      "logging.googleapis.com/labels": {"job": JOB, **labels}}), flush=True)


def main():
    started = time.monotonic()
    api, key = os.environ.get("CA_API_URL"), os.environ.get("CA_ROOT_API_KEY")
    if not api or not key:
        log("ERROR", "Configuration error: set CA_API_URL and CA_ROOT_API_KEY")
        return 2
    url = api.rstrip("/") + "/admin/quota/reset-daily"
    session = requests.Session()
    retry = Retry(total=3, connect=3, read=3, status=3, backoff_factor=1, allowed_methods=None,
                  status_forcelist=(429, 500, 502, 503, 504), respect_retry_after_header=True)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    log("INFO", f"Starting job {JOB} target={url}")
    try:
        answer = session.post(url, timeout=(5, 60), headers={
            "X-CA-Root-Key": key, "Idempotency-Key": f"{JOB}-{uuid.uuid4().hex}", "Content-Type": "application/json"})
        answer.raise_for_status()
        answer.json()
    except (requests.RequestException, ValueError) as e:
        log("ERROR", f"SUMMARY job={JOB} outcome=FAILED duration={time.monotonic() - started:.3f}s reason=\"{e}\"")
        return 1
    log("INFO", f"{JOB}: HTTP {answer.status_code} {answer.text.strip()}")
    log("INFO", f"SUMMARY job={JOB} outcome=SUCCESS duration={time.monotonic() - started:.3f}s http_status={answer.status_code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
