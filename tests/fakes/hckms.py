"""A fake HuaweiCloud KMS, IAM project lookup and ECS metadata service for leafseal's tests,
plain HTTP on 127.0.0.1.

Every KMS and IAM request must carry a valid SDK-HMAC-SHA256 signature: the fake rebuilds the
canonical request from what it received (method, URI with the trailing slash, sorted query,
the headers named in SignedHeaders, SHA-256 of the body), signs it with the secret key of the
access key named and compares; X-Sdk-Date must be within 15 minutes. KMS calls need
X-Project-Id; temporary keys (from the metadata service) need their X-Security-Token.

  * POST /v1.0/{project}/kms/encrypt-data, decrypt-data (SYMMETRIC_DEFAULT; AES-GCM under a
    key of the fake, the key uuid bound as associated data)
  * GET /v3/projects?name=REGION (IAM)
  * PUT /meta-data/latest/api/token, GET /openstack/latest/securitykey (ECS metadata)

Usage: python hckms.py. Prints {"port":…, "project":…, "key":…} when ready; exits when stdin
closes or after 300 s. One log line per request on stderr (no secrets).
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PROJECT = "0123456789abcdef0123456789abcdef"
KEY_UUID = "0f1c2d3e-4a5b-6c7d-8e9f-001122334455"
KEYS = {"TESTAK": "TESTSK", "DENIEDAK": "DENIEDSK", "TEMPAK": "TEMPSK"}
TEMP_TOKEN = "TEMP-SECURITY-TOKEN"
META_TOKEN = "meta-token"
MASTER = AESGCM(AESGCM.generate_key(bit_length=256))

threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
threading.Thread(target=lambda: (time.sleep(300), os._exit(0)), daemon=True).start()


def enc(s):
    return urllib.parse.quote(s, safe="~")


def verify(h, method, raw_path, body):
    """None when the request is correctly signed, else the reason."""
    auth = h.get("Authorization", "")
    if not auth.startswith("SDK-HMAC-SHA256 "):
        return None, "missing SDK-HMAC-SHA256 authorization"
    fields = {}
    for part in auth[len("SDK-HMAC-SHA256 "):].split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    ak, signed, sig = fields.get("Access"), fields.get("SignedHeaders", ""), fields.get("Signature")
    if ak not in KEYS:
        return None, "unknown access key"
    names = signed.split(";")
    if "x-sdk-date" not in names:
        return ak, f"x-sdk-date must be signed (signed: {signed})"
    date = h.get("X-Sdk-Date", "")
    try:
        t = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return ak, "bad X-Sdk-Date"
    if abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) > 900:
        return ak, "X-Sdk-Date too far from now"
    u = urllib.parse.urlsplit(raw_path)
    uri = "/".join(enc(p) for p in urllib.parse.unquote(u.path).split("/"))
    if not uri.endswith("/"):
        uri += "/"
    q = sorted(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in q)
    headers = ""
    for n in names:
        v = h.get(n)
        if v is None:
            return ak, f"signed header {n} missing"
        headers += f"{n}:{v.strip()}\n"
    payload = hashlib.sha256(body).hexdigest()
    canonical = f"{method}\n{uri}\n{query}\n{headers}\n{signed}\n{payload}"
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    want = hmac.new(KEYS[ak].encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig or ""):
        return ak, "verify aksk signature fail"
    if ak == "TEMPAK":
        if h.get("X-Security-Token") != TEMP_TOKEN or "x-security-token" not in names:
            return ak, "temporary keys need their signed X-Security-Token"
    return ak, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-hckms: " + (fmt % args) + "\n")

    def reply(self, status, doc=None, text=None):
        body = text.encode() if text is not None else json.dumps(doc or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        self.route("PUT")

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        u = urllib.parse.urlsplit(self.path)
        if u.path == "/meta-data/latest/api/token" and method == "PUT":
            return self.reply(200, text=META_TOKEN)
        if u.path == "/openstack/latest/securitykey" and method == "GET":
            if self.headers.get("X-Metadata-Token") != META_TOKEN:
                return self.reply(401, {"error": "token"})
            return self.reply(200, {"credential": {"access": "TEMPAK", "secret": "TEMPSK",
                                                   "securitytoken": TEMP_TOKEN,
                                                   "expires_at": "2099-01-01T00:00:00.000000Z"}})
        ak, err = verify(self.headers, method, self.path, body)
        if err:
            sys.stderr.write(f"fake-hckms: refused ({ak}): {err}\n")
            return self.reply(401, {"error_msg": f"Incorrect IAM authentication information: {err}",
                                    "error_code": "APIGW.0301", "request_id": "fake"})
        if u.path == "/v3/projects" and method == "GET":
            name = dict(urllib.parse.parse_qsl(u.query)).get("name", "")
            return self.reply(200, {"projects": [{"id": PROJECT, "name": name, "enabled": True}],
                                    "links": {"self": "fake"}})
        parts = [p for p in u.path.split("/") if p]
        if len(parts) == 4 and parts[0] == "v1.0" and parts[2] == "kms" and method == "POST":
            if parts[1] != PROJECT or self.headers.get("X-Project-Id") != PROJECT:
                return self.reply(400, {"error": {"error_code": "KMS.0201", "error_msg": "project id mismatch"}})
            if ak == "DENIEDAK":
                return self.reply(403, {"error": {"error_code": "KMS.0303", "error_msg": "Access denied: the user has no kms:cmk:encrypt/decrypt permission"}})
            try:
                doc = json.loads(body)
            except ValueError:
                return self.reply(400, {"error": {"error_code": "KMS.0201", "error_msg": "body"}})
            if doc.get("encryption_algorithm", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
                return self.reply(400, {"error": {"error_code": "KMS.0201", "error_msg": "algorithm"}})
            if parts[3] == "encrypt-data":
                if doc.get("key_id") != KEY_UUID:
                    return self.reply(404, {"error": {"error_code": "KMS.0207", "error_msg": "Key does not exist"}})
                nonce = os.urandom(12)
                ct = MASTER.encrypt(nonce, doc["plain_text"].encode(), KEY_UUID.encode())
                return self.reply(200, {"key_id": KEY_UUID,
                                        "cipher_text": base64.b64encode(KEY_UUID.encode() + nonce + ct).decode()})
            if parts[3] == "decrypt-data":
                try:
                    blob = base64.b64decode(doc["cipher_text"])
                    kid, nonce, ct = blob[:36].decode(), blob[36:48], blob[48:]
                    if doc.get("key_id") not in (None, kid):
                        raise ValueError
                    pt = MASTER.decrypt(nonce, ct, kid.encode()).decode()
                except Exception:  # noqa: BLE001
                    return self.reply(400, {"error": {"error_code": "KMS.0205", "error_msg": "Invalid ciphertext"}})
                return self.reply(200, {"key_id": kid, "plain_text": pt,
                                        "plain_text_base64": base64.b64encode(pt.encode()).decode()})
        self.reply(404, {"error": {"error_code": "APIGW.0101", "error_msg": "The API does not exist"}})


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
print(json.dumps({"port": srv.server_address[1], "project": PROJECT, "key": KEY_UUID}), flush=True)
threading.Event().wait()
