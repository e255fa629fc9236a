#!/usr/bin/env python3
"""A minimal alert receiver for scripts/mqtt-alerts-proof.sh: listens on
127.0.0.1:PORT and appends each POST as one JSON line to LOG
({"path", "title", "priority", "tags", "content_type", "body"}); answers 200.
Usage: alert-receiver.py PORT LOG"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT, LOG = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = min(int(self.headers.get("Content-Length") or 0), 65536)
        body = self.rfile.read(length).decode("utf-8", "replace")
        record = {
            "path": self.path,
            "title": self.headers.get("Title"),
            "priority": self.headers.get("Priority"),
            "tags": self.headers.get("Tags"),
            "content_type": self.headers.get("Content-Type"),
            "body": body,
        }
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
