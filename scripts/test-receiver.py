#!/usr/bin/env python3
"""Minimal monitoring server for the packaging tests: test-receiver.py PORT DIR [HOST]

Answers every POST with 200 {"status":"ok"} after checking the body is JSON, and
stores each body as DIR/<n>.json and each Authorization header (or "-") as a
line of DIR.authorization. Used as the forwarder's destination inside the
nspawn container and next to the qemu-user smoke test.
"""
import http.server
import json
import os
import sys

OUT = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            json.loads(body)
        except ValueError:
            self.send_response(400)
            self.end_headers()
            return
        n = len(os.listdir(OUT))
        with open(os.path.join(OUT, f"{n:06d}.json"), "wb") as f:
            f.write(body)
        with open(OUT.rstrip("/") + ".authorization", "a") as f:
            f.write((self.headers.get("Authorization") or "-") + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status":"ok"}')

    def log_message(self, *args):
        pass


os.makedirs(OUT, exist_ok=True)
host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
http.server.HTTPServer((host, int(sys.argv[1])), Handler).serve_forever()
