#!/usr/bin/env python3
"""Cold-start init time of each Lambda bootstrap: from process start to its first
GET …/runtime/invocation/next on a local stub of the Lambda runtime API, with a deployment's
configuration (so the PostgreSQL and Redis connections made at start are included).

usage: lambda-init.py TARGET_LAMBDA_DIR [RUNS]   (env: DATABASE_URL, REDIS_URL as for the tests)
Prints one row per function: stripped bootstrap size, min / median / max init time."""
import http.server
import os
import statistics
import subprocess
import sys
import threading
import time

FUNCTIONS = ["ingest", "health", "filter", "intent", "reserve", "respond", "sweep"]
first_poll = {}
lock = threading.Lock()


class Stub(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        name = self.path.strip("/").split("/")[0]
        if self.path.endswith("/runtime/invocation/next"):
            with lock:
                first_poll.setdefault(name, time.monotonic())
        # Never hand out an invocation: the measurement ends at the first poll.
        time.sleep(5)
        self.send_response(503)
        self.end_headers()

    def log_message(self, *_):
        pass


def main():
    lambda_dir = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
        "DATABASE_MAX_CONNECTIONS": "2",
        "LIVESELL_STREAM_PREFIX": "init-measure",
        "META_APP_SECRET": "x", "META_VERIFY_TOKEN": "x", "LIVESELL_KICK_SECRET": "x",
        # `serve` and the HTTP functions refuse an operator token shorter than 32 characters.
        "LIVESELL_API_TOKEN": "init-measure-operator-token-0123456789",
        "LIVESELL_LOG": "error",
        "AWS_LAMBDA_FUNCTION_VERSION": "1", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    }
    print(f"{'function':<10} {'bootstrap':>10} {'init min':>9} {'median':>8} {'max':>8}   ({runs} cold starts each)")
    for name in FUNCTIONS:
        path = os.path.join(lambda_dir, name, "bootstrap")
        if not os.path.exists(path):
            print(f"{name:<10} missing: {path}")
            continue
        times = []
        for i in range(runs):
            key = f"{name}{i}"
            env = dict(base_env, AWS_LAMBDA_FUNCTION_NAME=name, AWS_LAMBDA_RUNTIME_API=f"http://127.0.0.1:{port}/{key}")
            start = time.monotonic()
            proc = subprocess.Popen([path], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = start + 15
            while key not in first_poll and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.0005)
            proc.kill()
            _, err = proc.communicate()
            if key not in first_poll:
                sys.exit(f"{name}: no poll of the runtime API within 15 s: {err.decode(errors='replace')[-400:]}")
            times.append((first_poll[key] - start) * 1000)
        size = os.path.getsize(path) / (1024 * 1024)
        print(f"{name:<10} {size:>8.1f} MB {min(times):>7.1f}ms {statistics.median(times):>6.1f}ms {max(times):>6.1f}ms")
    server.shutdown()


if __name__ == "__main__":
    main()
