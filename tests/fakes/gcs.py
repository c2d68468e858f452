"""A small fake of Google Cloud Storage's JSON API for tests/it/publish.rs: enough for an
emulator client (STORAGE_EMULATOR_HOST) to create buckets, upload objects (media and multipart
uploads) and read them back, checked with the official `google-cloud-storage` client in the
tests. Binds 127.0.0.1 on a port the OS picks and prints {"port": n} once it listens (the
protocol of every fake here, see tests/it/fakes.rs); exits when its stdin closes or after
--deadline seconds. One log line per request on stderr (object names, never contents).

    gcs.py [--bucket NAME ...] [--token T ...] [--tls DIR] [--deadline S]

With --token, every request needs `Authorization: Bearer T` (one of them), else 401 as the
service answers. With --tls, HTTPS under a test CA written to DIR/ca.pem whose server
certificate names storage.googleapis.com (reached through cloud_kms.py's CONNECT proxy, as
the real service would be); that needs `cryptography` (in the test venv). Stdlib otherwise.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUCKETS = {}  # name -> {object name -> bytes}
TOKENS = set()
LOCK = threading.Lock()


def resource(base, bucket, name, data):
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    return {
        "kind": "storage#object", "id": f"{bucket}/{name}/1", "name": name, "bucket": bucket,
        "generation": "1", "metageneration": "1", "contentType": "application/octet-stream",
        "size": str(len(data)), "md5Hash": md5, "timeCreated": "2026-01-01T00:00:00.000Z",
        "updated": "2026-01-01T00:00:00.000Z", "storageClass": "STANDARD",
        "selfLink": f"{base}/storage/v1/b/{bucket}/o/{urllib.parse.quote(name, safe='')}",
        "mediaLink": f"{base}/download/storage/v1/b/{bucket}/o/{urllib.parse.quote(name, safe='')}?alt=media",
    }


def bucket_resource(name):
    return {"kind": "storage#bucket", "id": name, "name": name, "location": "US",
            "storageClass": "STANDARD", "metageneration": "1",
            "timeCreated": "2026-01-01T00:00:00.000Z", "updated": "2026-01-01T00:00:00.000Z"}


class Gcs(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("gcs: " + (fmt % args) + "\n")

    def body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, obj=None, raw=None, ctype="application/json"):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message):
        self.reply(status, {"error": {"code": status, "message": message,
                                      "errors": [{"message": message, "reason": "notFound"}]}})

    def base(self):
        # Links are absolute, as the service gives them (clients follow mediaLink).
        return "http://" + self.headers.get("Host", "127.0.0.1")

    def route(self):
        u = urllib.parse.urlparse(self.path)
        return [urllib.parse.unquote(p) for p in u.path.strip("/").split("/")], \
            dict(urllib.parse.parse_qsl(u.query))

    def authorized(self):
        if not TOKENS:
            return True
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[len("Bearer "):] in TOKENS:
            return True
        self.body()
        self.reply(401, {"error": {"code": 401, "message": "Invalid Credentials",
                                   "errors": [{"message": "Invalid Credentials",
                                               "reason": "authError"}]}})
        return False

    def do_GET(self):
        if not self.authorized():
            return
        parts, q = self.route()
        if parts[:1] == ["download"]:
            parts = parts[1:]
            q["alt"] = "media"
        # storage/v1/b/{bucket}[/o[/{name}]]
        if parts[:3] != ["storage", "v1", "b"] or len(parts) < 4:
            return self.error(404, "not found")
        bucket = parts[3]
        with LOCK:
            objects = BUCKETS.get(bucket)
            if objects is None:
                return self.error(404, "The specified bucket does not exist.")
            if len(parts) == 4:
                return self.reply(200, bucket_resource(bucket))
            if len(parts) == 5 and parts[4] == "o":
                prefix = q.get("prefix", "")
                items = [resource(self.base(), bucket, n, d) for n, d in sorted(objects.items())
                         if n.startswith(prefix)]
                return self.reply(200, {"kind": "storage#objects", "items": items})
            name = "/".join(parts[5:])
            if name not in objects:
                return self.error(404, "No such object: %s/%s" % (bucket, name))
            data = objects[name]
        if q.get("alt") == "media":
            return self.reply(200, raw=data, ctype="application/octet-stream")
        self.reply(200, resource(self.base(), bucket, name, data))

    def do_POST(self):
        if not self.authorized():
            return
        parts, q = self.route()
        raw = self.body()
        if parts == ["storage", "v1", "b"]:
            name = json.loads(raw or b"{}").get("name", "")
            with LOCK:
                if name in BUCKETS:
                    return self.reply(409, {"error": {"code": 409, "message": "You already own this bucket."}})
                BUCKETS[name] = {}
            return self.reply(200, bucket_resource(name))
        # upload/storage/v1/b/{bucket}/o?uploadType=media|multipart
        if parts[:4] != ["upload", "storage", "v1", "b"] or len(parts) != 6 or parts[5] != "o":
            return self.error(404, "not found")
        bucket = parts[4]
        kind = q.get("uploadType", "")
        if kind == "media":
            name, data = q.get("name", ""), raw
        elif kind == "multipart":
            ctype = self.headers.get("Content-Type", "")
            boundary = ctype.split("boundary=", 1)[-1].strip('"')
            chunks = raw.split(b"--" + boundary.encode())
            bodies = [c.split(b"\r\n\r\n", 1)[1] for c in chunks if b"\r\n\r\n" in c]
            meta = json.loads(bodies[0].rstrip(b"\r\n"))
            name, data = meta.get("name", q.get("name", "")), bodies[1][:-2] if bodies[1].endswith(b"\r\n") else bodies[1]
        else:
            return self.reply(400, {"error": {"code": 400, "message": "unsupported uploadType %r" % kind}})
        if not name:
            return self.reply(400, {"error": {"code": 400, "message": "Required: name"}})
        with LOCK:
            if bucket not in BUCKETS:
                return self.error(404, "The specified bucket does not exist.")
            BUCKETS[bucket][name] = data
        sys.stderr.write("gcs: stored %s/%s (%d bytes)\n" % (bucket, name, len(data)))
        self.reply(200, resource(self.base(), bucket, name, data))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bucket", action="append", default=[])
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--tls", default="", metavar="DIR")
    ap.add_argument("--deadline", type=float, default=300)
    opts = ap.parse_args()
    TOKENS.update(opts.token)
    for b in opts.bucket:
        BUCKETS[b] = {}
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    threading.Thread(target=lambda: (time.sleep(opts.deadline), os._exit(0)), daemon=True).start()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Gcs)
    srv.daemon_threads = True
    if opts.tls:
        import ssl
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        sys.dont_write_bytecode = True  # no __pycache__ in the source tree
        from cloud_kms import make_tls
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_alpn_protocols(["http/1.1"])
        ctx.load_cert_chain(*make_tls(opts.tls, ("storage.googleapis.com",)))
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(json.dumps({"port": srv.server_address[1]}), flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
