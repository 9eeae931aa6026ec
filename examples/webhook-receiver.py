#!/usr/bin/env python3
"""A tiny webhook receiver for opsdeck: each POST body (one JSON object, a
JSON array of objects, or JSON Lines) is passed as JSON Lines to
`opsdeck import - --format jsonl`, which validates it like any import
(all-or-nothing; bad rows are answered with 422 and the importer's lines).

    OPSDECK_DB=ops.db python3 examples/webhook-receiver.py --port 8099 [--kind observations]

Listens on 127.0.0.1 only (put a reverse proxy with TLS and authentication
in front of it). Prints `listening on PORT` once ready; `--port 0` picks a
free port. The standard library only.
"""
import argparse
import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

MAX_BODY = 8 * 1024 * 1024


def to_jsonl(body):
    text = body.decode("utf-8")
    stripped = text.strip()
    if stripped.startswith("["):
        rows = json.loads(stripped)
    elif "\n" in stripped:
        rows = [json.loads(line) for line in stripped.splitlines() if line.strip()]
    else:
        rows = [json.loads(stripped)]
    if not all(isinstance(r, dict) for r in rows):
        raise ValueError("every row is a JSON object")
    return "".join(json.dumps(r) + "\n" for r in rows)


def handler(opsdeck, kind):
    class Receiver(BaseHTTPRequestHandler):
        def answer(self, code, text):
            data = (text.rstrip("\n") + "\n").encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY:
                return self.answer(413 if length else 411, "a JSON body up to 8 MB")
            try:
                rows = to_jsonl(self.rfile.read(length))
            except (ValueError, UnicodeDecodeError) as e:
                return self.answer(400, "not JSON: %s" % e)
            argv = [opsdeck, "import", "-", "--format", "jsonl"]
            if kind:
                argv += ["--kind", kind]
            done = subprocess.run(argv, input=rows.encode("utf-8"), capture_output=True)
            out = (done.stdout + done.stderr).decode("utf-8", "replace")
            self.answer(200 if done.returncode == 0 else 422, out)

        def log_message(self, *args):
            pass

    return Receiver


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=8099)
    p.add_argument("--kind", choices=["observations", "work-items", "feedback"])
    p.add_argument("--opsdeck", default="opsdeck", help="the opsdeck program")
    a = p.parse_args()
    server = HTTPServer(("127.0.0.1", a.port), handler(a.opsdeck, a.kind))
    print("listening on %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
