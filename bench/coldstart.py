#!/usr/bin/env python3
"""Case 7: Lambda-style cold start of each function binary, and its size.

Cold start = from spawning the process (lambda-release build, as deployed) to the answer of its first
invocation, through the Lambda Runtime API that `cargo lambda watch --only-lambda-apis` serves.
Each function gets a real event of its own against moto server: a small job is first run through
all of them (trigger -> spider -> refiner -> factory -> inspector -> shipper), then each is
started cold again and handed the same event once more, which it answers on its idempotent path
(shard already done, export already made) after reading the state store: start-up, the AWS
SDK's first requests and the handler, which is what a cold start costs on Lambda. The time of
the first, working run of each stage (cold too) is printed beside it: for the refiner it includes
reading the cl100k_base table (the functions do not embed it) and extracting three pages.

Run through bench/coldstart.sh (it builds the binaries and starts the emulator). Prints a
Markdown table; timings are for reading side by side, never for pass/fail.
"""

import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "lambda-release"
VENV = ROOT / "target" / "aws-emulator" / "venv"
ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
LAMBDA_PORT = int(os.environ.get("BENCH_LAMBDA_PORT", "45102"))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
FUNCTIONS = ["trigger", "spider", "refiner", "factory", "inspector", "shipper", "api"]

import boto3  # noqa: E402  (from the emulator's virtualenv)


def serve_pages():
    """Three corpus pages on loopback, for the spider."""
    pages = sorted((ROOT / "examples" / "corpus" / "pages").glob("*.html*"))[:3]
    import gzip

    bodies = {}
    for i, p in enumerate(pages):
        raw = p.read_bytes()
        bodies[f"/p{i}"] = gzip.decompress(raw) if p.suffix == ".gz" else raw

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            body = bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return [f"http://127.0.0.1:{srv.server_port}{p}" for p in bodies]


def invoke(name, payload, out):
    req = urllib.request.Request(
        f"http://127.0.0.1:{LAMBDA_PORT}/2015-03-31/functions/{name}/invocations",
        data=json.dumps(payload).encode(),
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        out["status"] = r.status
        out["body"] = r.read().decode()
        out["error"] = r.headers.get("X-Amz-Function-Error")
    out["done"] = time.perf_counter()


def run_once(name, payload, env):
    """Queue one invocation, start the binary cold, time until the answer."""
    out = {}
    t = threading.Thread(target=invoke, args=(name, payload, out))
    t.start()
    time.sleep(0.2)  # the invocation waits in the runtime API before the process exists
    fenv = dict(os.environ)
    fenv.update(env)
    fenv.update(
        {
            "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{LAMBDA_PORT}/.rt/{name}",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "1",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            "RUST_LOG": "warn",
        }
    )
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN / name)], env=fenv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    t.join(timeout=120)
    proc.kill()
    proc.wait()
    if "done" not in out:
        raise SystemExit(f"{name}: no answer")
    if out.get("error"):
        raise SystemExit(f"{name}: function error: {out['body']}")
    return (out["done"] - start) * 1000, json.loads(out["body"] or "null")


def main():
    bucket = f"bench-cold-{int(time.time())}"
    res = json.loads(
        subprocess.check_output(
            [str(VENV / "bin" / "python"), str(ROOT / "localstack" / "create_resources.py"),
             "--bucket", bucket],
            stderr=subprocess.DEVNULL,
        )
    )
    sfn = boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1")
    sm = sfn.create_state_machine(
        name=f"bench-wait-{int(time.time())}",
        roleArn="arn:aws:iam::123456789012:role/sfn",
        definition=json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
        ),
    )["stateMachineArn"]
    urls = serve_pages()
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
    s3.put_object(Bucket=bucket, Key="lists/bench.txt", Body="\n".join(urls).encode())
    env = {
        "DATAFACTORY_BUCKET": res["bucket"],
        "DATAFACTORY_TABLE": res["table"],
        "DATAFACTORY_STATE_MACHINE": sm,
        "DATAFACTORY_JOB_CONFIG": '[network]\nallow_cidrs = ["127.0.0.1/32"]\n'
        '[refiner]\nlanguages = []\n',
    }
    watch = subprocess.Popen(
        [str(VENV / "bin" / "cargo-lambda"), "lambda", "watch", "--only-lambda-apis",
         "--ignore-changes", "-A", "127.0.0.1", "-P", str(LAMBDA_PORT)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{LAMBDA_PORT}/", timeout=1)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
                continue
            break
        schedule = {"schedule": {"list_key": "lists/bench.txt", "time": "2026-11-28T03:00:00Z"}}
        first, sub = run_once("trigger", schedule, env)
        job = sub["job_id"]
        task = {"job_id": job, "shard": 0}
        api_event = json.loads((ROOT / "events" / "api-list-jobs.json").read_text())
        events = {
            "trigger": schedule,
            "spider": task,
            "refiner": task,
            "factory": task,
            "inspector": task,
            "shipper": {"kind": "ship", "job_id": job},
            "api": api_event,
        }
        working = {"trigger": first}
        for name in FUNCTIONS[1:6]:  # the job itself, once
            working[name] = run_once(name, events[name], env)[0]
        rows = []
        for name in FUNCTIONS:
            times = [run_once(name, events[name], env)[0] for _ in range(ROUNDS)]
            size = (BIN / name).stat().st_size / 1e6
            rows.append((name, statistics.median(times), min(times), max(times), size,
                         working.get(name)))
    finally:
        watch.kill()
    print(f"| function | cold start to first answer, median of {ROUNDS} (ms) | min | max | binary (MB, stripped) | first working run, cold (ms) |")
    print("|---|---|---|---|---|---|")
    for name, med, lo, hi, size, work in rows:
        w = "-" if work is None else f"{work:.0f}"
        print(f"| {name} | {med:.0f} | {lo:.0f} | {hi:.0f} | {size:.1f} | {w} |")


if __name__ == "__main__":
    main()
