"""Small fakes of the key services leafseal and the reference sops talk to, for the tests in
tests/it/vault_transit.rs and tests/it/gcp_kms.rs, and the CONNECT proxy every fake's tests
use. Every server binds 127.0.0.1 on a port the OS picks and prints one JSON line,
{"port": n} (and "grpc" with --grpc), on stdout once it listens (the protocol of every fake
here, see tests/it/fakes.rs). It exits when its stdin closes (the test process ended) or after
--deadline seconds. One log line per request on stderr (no secrets).

    cloud_kms.py vault --token T [--namespace NS] [--mount transit ...] [--kv MOUNT=1|2 ...] [--tls DIR]
        Vault transit: PUT/POST /v1/<mount>/encrypt|decrypt/<key>, X-Vault-Token (and with
        --namespace, X-Vault-Namespace) checked, answers shaped as Vault's (data.ciphertext
        `vault:v1:…`, errors: [...]); with --tls, HTTPS under a test CA written to DIR/ca.pem.
        With --kv, KV secrets engines (version 1 or 2) at those mounts: GET, PUT/POST (and
        DELETE) /v1/<mount>/<path> for v1, /v1/<mount>/data/<path> for v2 (versions counted in
        data.metadata.version, as Vault does), checked with `hvac` in tests/it/publish.rs.
    cloud_kms.py gcp --dir D [--token T] [--key RESOURCE ...] [--tls [--grpc]] [--metadata-token M]
        GCP KMS REST (POST /v1/<resource>:encrypt|:decrypt with a bearer token), an OAuth token
        endpoint (/token: jwt-bearer with an RS256 service-account assertion checked against the
        public key in D/sa.json, and refresh_token), the GCE metadata server
        (/computeMetadata/v1/..., Metadata-Flavor: Google), and with --tls a test CA in D/ca.pem
        whose server certificate names cloudkms.googleapis.com, oauth2.googleapis.com, localhost
        and 127.0.0.1. The metadata server hands out M (default: a fresh token each time).
        With --grpc, Cloud KMS's gRPC service too (same CA, keys and tokens; needs grpcio and
        google-cloud-kms), on the port named "grpc" in the JSON line.
        D/sa.json and D/adc.json (an authorized_user) are written for the tests.
    cloud_kms.py proxy --to PORT
        An HTTP CONNECT proxy that dials only 127.0.0.1:PORT whatever host is asked for, and
        prints `CONNECT host:port` for every tunnel it opens.

Stdlib only, except `cryptography` (in the test venv, through moto) for the GCP mode's keys
and, for --grpc, `grpcio` and `google-cloud-kms` (in the test venv too).
The ciphertexts are not real cryptography: they bind the key name and a per-server secret
(HMAC), so another key or another server refuses them, as the real services do.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import select
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = secrets.token_bytes(32)


def seal(name, plain):
    nonce = secrets.token_bytes(12)
    pad = hashlib.sha256(SECRET + name.encode() + nonce).digest()
    while len(pad) < len(plain):
        pad += hashlib.sha256(pad).digest()
    body = bytes(a ^ b for a, b in zip(plain, pad))
    tag = hmac.new(SECRET, name.encode() + nonce + body, hashlib.sha256).digest()[:16]
    return nonce + body + tag


def unseal(name, blob):
    if len(blob) < 28:
        return None
    nonce, body, tag = blob[:12], blob[12:-16], blob[-16:]
    want = hmac.new(SECRET, name.encode() + nonce + body, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(tag, want):
        return None
    pad = hashlib.sha256(SECRET + name.encode() + nonce).digest()
    while len(pad) < len(body):
        pad += hashlib.sha256(pad).digest()
    return bytes(a ^ b for a, b in zip(body, pad))


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fake: " + (fmt % args) + "\n")

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, obj, ctype="application/json"):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- Vault transit -------------------------------------------------------------------------


def vault_handler(opts):
    class Vault(Base):
        def do_GET(self):
            if self.path.startswith("/v1/sys/health"):
                return self.reply(200, {"initialized": True, "sealed": False, "standby": False})
            if not self.authorized():
                return
            if self.path.startswith("/v1/auth/token/lookup-self"):
                return self.reply(200, {"data": {"id": opts.token, "policies": ["root"]}})
            if self.kv("GET", b""):
                return
            self.reply(404, {"errors": []})

        def kv(self, method, raw):
            """Serve a KV engine request; False when the path is in no KV mount."""
            path = urllib.parse.urlparse(self.path).path
            for mount, version in KV_MOUNTS.items():
                prefix = "/v1/" + mount + "/"
                if not path.startswith(prefix):
                    continue
                rest = path[len(prefix):]
                if version == 2:
                    if not rest.startswith("data/"):
                        self.reply(404, {"errors": ["unsupported path"]})
                        return True
                    rest = rest[len("data/"):]
                key = mount + "/" + rest
                if method == "GET":
                    versions = KV.get(key)
                    if not versions:
                        self.reply(404, {"errors": []})
                    elif version == 1:
                        self.reply(200, {"request_id": secrets.token_hex(8), "lease_id": "",
                                         "renewable": False, "lease_duration": 2764800,
                                         "data": versions[-1], "wrap_info": None,
                                         "warnings": None, "auth": None})
                    else:
                        meta = {"created_time": "2026-01-01T00:00:00Z", "custom_metadata": None,
                                "deletion_time": "", "destroyed": False, "version": len(versions)}
                        self.reply(200, {"request_id": secrets.token_hex(8), "lease_id": "",
                                         "renewable": False, "lease_duration": 0,
                                         "data": {"data": versions[-1], "metadata": meta},
                                         "wrap_info": None, "warnings": None, "auth": None})
                    return True
                if method == "DELETE":
                    KV.pop(key, None)
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return True
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self.reply(400, {"errors": ["failed to parse JSON input"]})
                    return True
                if not isinstance(body, dict):
                    self.reply(400, {"errors": ["invalid request"]})
                    return True
                if version == 1:
                    KV.setdefault(key, []).append(body)
                    sys.stderr.write("fake: kv write %s\n" % key)
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return True
                data = body.get("data")
                if not isinstance(data, dict):
                    self.reply(400, {"errors": ["no data provided"]})
                    return True
                KV.setdefault(key, []).append(data)
                sys.stderr.write("fake: kv write %s version %d\n" % (key, len(KV[key])))
                self.reply(200, {"request_id": secrets.token_hex(8), "lease_id": "",
                                 "renewable": False, "lease_duration": 0,
                                 "data": {"created_time": "2026-01-01T00:00:00Z",
                                          "custom_metadata": None, "deletion_time": "",
                                          "destroyed": False, "version": len(KV[key])},
                                 "wrap_info": None, "warnings": None, "auth": None})
                return True
            return False

        def do_DELETE(self):
            if self.authorized() and not self.kv("DELETE", b""):
                self.reply(404, {"errors": []})

        def authorized(self):
            if self.headers.get("X-Vault-Token") != opts.token:
                self.reply(403, {"errors": ["permission denied"]})
                return False
            if opts.namespace and self.headers.get("X-Vault-Namespace", "").strip("/") != opts.namespace:
                self.reply(403, {"errors": ["permission denied"]})
                return False
            return True

        def do_PUT(self):
            raw = self.body()
            path = urllib.parse.urlparse(self.path).path
            if not self.authorized():
                return
            if self.kv("PUT", raw):
                return
            parts = path.strip("/").split("/")
            if len(parts) < 4 or parts[0] != "v1" or parts[-2] not in ("encrypt", "decrypt"):
                return self.reply(404, {"errors": ["no handler for route \"%s\". route entry not found." % path[4:]]})
            mount, op, key = "/".join(parts[1:-2]), parts[-2], parts[-1]
            if mount not in opts.mount:
                return self.reply(404, {"errors": ["no handler for route \"%s\". route entry not found." % path[4:]]})
            try:
                req = json.loads(raw or b"{}")
            except ValueError:
                return self.reply(400, {"errors": ["failed to parse JSON input"]})
            full = mount + "/" + key
            if op == "encrypt":
                try:
                    plain = base64.b64decode(req.get("plaintext", ""), validate=True)
                except Exception:
                    return self.reply(400, {"errors": ["failed to base64-decode plaintext"]})
                KEYS.add(full)
                ct = "vault:v1:" + base64.b64encode(seal(full, plain)).decode()
                data = {"ciphertext": ct, "key_version": 1}
            else:
                if full not in KEYS and not opts.keys_exist:
                    return self.reply(400, {"errors": ["encryption key not found"]})
                ct = req.get("ciphertext", "")
                if not ct.startswith("vault:v1:"):
                    return self.reply(400, {"errors": ["invalid ciphertext: no prefix"]})
                try:
                    plain = unseal(full, base64.b64decode(ct[len("vault:v1:"):]))
                except Exception:
                    plain = None
                if plain is None:
                    return self.reply(400, {"errors": ["cipher: message authentication failed"]})
                data = {"plaintext": base64.b64encode(plain).decode()}
            self.reply(200, {
                "request_id": secrets.token_hex(8), "lease_id": "", "renewable": False,
                "lease_duration": 0, "data": data, "wrap_info": None, "warnings": None,
                "auth": None, "mount_type": "transit",
            })

        do_POST = do_PUT

    return Vault


KEYS = set()
KV_MOUNTS = {}  # mount -> KV version
KV = {}  # "mount/path" -> list of versions (dicts)


# --- GCP KMS, OAuth and GCE metadata -------------------------------------------------------


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def gcp_setup(opts):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa, ec
    from cryptography.x509.oid import NameOID
    import datetime
    import ipaddress

    d = opts.dir
    os.makedirs(d, exist_ok=True)
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = sa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption()).decode()
    opts.sa_public = sa_key.public_key()
    base = "%s://127.0.0.1:%d" % ("https" if opts.tls else "http", opts.port)
    with open(os.path.join(d, "sa.json"), "w") as f:
        json.dump({
            "type": "service_account", "project_id": "leafseal-test",
            "private_key_id": "k1", "private_key": pem,
            "client_email": "sops@leafseal-test.iam.gserviceaccount.com",
            "client_id": "1", "token_uri": base + "/token",
        }, f)
    with open(os.path.join(d, "adc.json"), "w") as f:
        json.dump({
            "type": "authorized_user", "client_id": "cid.apps.googleusercontent.com",
            "client_secret": "csecret", "refresh_token": "rtoken",
            "token_uri": base + "/token",
        }, f)
    if not opts.tls:
        return None
    return make_tls(d)


def make_tls(d, names=("cloudkms.googleapis.com", "oauth2.googleapis.com")):
    """A test CA (d/ca.pem) and a server certificate for `names`, localhost and 127.0.0.1
    signed by it (d/server.pem, d/server.key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import datetime
    import ipaddress

    os.makedirs(d, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leafseal test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                *[x509.DNSName(n) for n in names],
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(d, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(d, "server.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(d, "server.key"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return os.path.join(d, "server.pem"), os.path.join(d, "server.key")


def verify_assertion(opts, assertion, self_signed=False):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        h, c, s = assertion.split(".")
        header, claims = json.loads(unb64url(h)), json.loads(unb64url(c))
        opts.sa_public.verify(unb64url(s), (h + "." + c).encode(), padding.PKCS1v15(), hashes.SHA256())
    except Exception as e:  # noqa: BLE001 - any failure is an invalid grant
        return "invalid JWT signature or encoding: %s" % e
    if header.get("alg") != "RS256":
        return "alg must be RS256"
    if claims.get("iss") != "sops@leafseal-test.iam.gserviceaccount.com":
        return "wrong iss"
    now = time.time()
    if not (claims.get("iat", 0) <= now + 60 and claims.get("exp", 0) > now):
        return "expired or future JWT"
    if self_signed:
        if not (claims.get("aud", "").startswith("https://cloudkms.") or "cloudkms" in claims.get("scope", "")
                or "cloud-platform" in claims.get("scope", "")):
            return "wrong audience"
    elif "cloudkms" not in claims.get("scope", "") and "cloud-platform" not in claims.get("scope", ""):
        return "no KMS scope"
    return None


def gcp_handler(opts):
    class Gcp(Base):
        def do_GET(self):
            path = urllib.parse.urlparse(self.path).path
            if path.startswith("/computeMetadata/v1"):
                if self.headers.get("Metadata-Flavor") != "Google":
                    return self.reply(403, b"Missing Metadata-Flavor:Google header.", "text/html")
                self.server_stats["metadata"] += 1
                if path == "/computeMetadata/v1/instance/service-accounts/default/token":
                    tok = opts.metadata_token or "gce-" + secrets.token_hex(8)
                    TOKENS.add(tok)
                    return self.reply(200, {"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
                if path == "/computeMetadata/v1/universe/universe-domain":
                    return self.reply(200, b"googleapis.com", "application/text")
                if path in ("/computeMetadata/v1/project/project-id", "/computeMetadata/v1/project/project-id/"):
                    return self.reply(200, b"leafseal-test", "application/text")
                if path.startswith("/computeMetadata/v1/instance/service-accounts/default"):
                    return self.reply(200, {"email": "default", "scopes": ["https://www.googleapis.com/auth/cloud-platform"], "aliases": ["default"]})
                return self.reply(404, b"not found", "text/html")
            if path == "/":
                return self.reply(200, b"", "application/text")
            self.reply(404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})

        def do_POST(self):
            raw = self.body()
            path = urllib.parse.urlparse(self.path).path
            if path == "/token":
                form = urllib.parse.parse_qs(raw.decode())
                grant = form.get("grant_type", [""])[0]
                if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
                    err = verify_assertion(opts, form.get("assertion", [""])[0])
                elif grant == "refresh_token":
                    ok = (form.get("refresh_token") == ["rtoken"] and form.get("client_id") == ["cid.apps.googleusercontent.com"]
                          and form.get("client_secret") == ["csecret"])
                    err = None if ok else "bad refresh token or client"
                else:
                    err = "unsupported grant_type %r" % grant
                if err:
                    return self.reply(400, {"error": "invalid_grant", "error_description": err})
                tok = "ya29.fake-" + secrets.token_hex(8)
                TOKENS.add(tok)
                return self.reply(200, {"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
            if not path.startswith("/v1/") or ":" not in path:
                return self.reply(404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})
            name, op = path[len("/v1/"):].rsplit(":", 1)
            auth = self.headers.get("Authorization", "")
            bearer = auth[7:] if auth.startswith("Bearer ") else ""
            # A service account may also present a self-signed JWT as its bearer token.
            if bearer not in TOKENS and not (bearer.count(".") == 2 and verify_assertion(opts, bearer, self_signed=True) is None):
                return self.reply(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "status": "UNAUTHENTICATED"}})
            if name not in opts.key:
                return self.reply(403, {"error": {"code": 403, "message": "Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '%s' (or it may not exist)." % name, "status": "PERMISSION_DENIED"}})
            try:
                req = json.loads(raw or b"{}")
                if op == "encrypt":
                    blob = seal(name, base64.b64decode(req["plaintext"]))
                    self.server_stats["encrypt"] += 1
                    return self.reply(200, {"name": name + "/cryptoKeyVersions/1", "ciphertext": base64.b64encode(blob).decode(),
                                            "verifiedPlaintextCrc32c": False, "protectionLevel": "SOFTWARE"})
                if op == "decrypt":
                    plain = unseal(name, base64.b64decode(req["ciphertext"]))
                    self.server_stats["decrypt"] += 1
                    if plain is None:
                        return self.reply(400, {"error": {"code": 400, "message": "Decryption failed: the ciphertext is invalid.", "status": "INVALID_ARGUMENT"}})
                    return self.reply(200, {"plaintext": base64.b64encode(plain).decode(), "usedPrimary": True, "protectionLevel": "SOFTWARE"})
            except (KeyError, ValueError) as e:
                return self.reply(400, {"error": {"code": 400, "message": "invalid request: %s" % e, "status": "INVALID_ARGUMENT"}})
            self.reply(404, {"error": {"code": 404, "message": "no method %s" % op, "status": "NOT_FOUND"}})

    return Gcp


TOKENS = set()


def grpc_serve(opts, certfile, keyfile):
    """Cloud KMS over gRPC (Encrypt and Decrypt of google.cloud.kms.v1.KeyManagementService),
    with the message types of the google-cloud-kms package and the same keys and tokens."""
    from concurrent import futures

    import grpc
    from google.cloud.kms_v1 import types as t

    def check(ctx, name):
        auth = dict(ctx.invocation_metadata()).get("authorization", "")
        bearer = auth[7:] if auth.startswith("Bearer ") else ""
        if bearer not in TOKENS and not (bearer.count(".") == 2 and verify_assertion(opts, bearer, self_signed=True) is None):
            ctx.abort(grpc.StatusCode.UNAUTHENTICATED, "Request had invalid authentication credentials.")
        if name not in opts.key:
            ctx.abort(grpc.StatusCode.PERMISSION_DENIED,
                      "Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '%s' (or it may not exist)." % name)

    def encrypt(req, ctx):
        check(ctx, req.name)
        return t.EncryptResponse(name=req.name + "/cryptoKeyVersions/1", ciphertext=seal(req.name, req.plaintext))

    def decrypt(req, ctx):
        check(ctx, req.name)
        plain = unseal(req.name, req.ciphertext)
        if plain is None:
            ctx.abort(grpc.StatusCode.INVALID_ARGUMENT, "Decryption failed: the ciphertext is invalid.")
        return t.DecryptResponse(plaintext=plain)

    def method(fn, req, resp):
        return grpc.unary_unary_rpc_method_handler(fn, request_deserializer=req.deserialize, response_serializer=resp.serialize)

    handler = grpc.method_handlers_generic_handler("google.cloud.kms.v1.KeyManagementService", {
        "Encrypt": method(encrypt, t.EncryptRequest, t.EncryptResponse),
        "Decrypt": method(decrypt, t.DecryptRequest, t.DecryptResponse),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    with open(keyfile, "rb") as k, open(certfile, "rb") as c:
        creds = grpc.ssl_server_credentials([(k.read(), c.read())])
    port = server.add_secure_port("127.0.0.1:0", creds)
    server.start()
    opts.grpc_server = server
    return port


# --- CONNECT proxy -------------------------------------------------------------------------


def proxy_handler(opts):
    class Proxy(Base):
        def do_CONNECT(self):
            print("CONNECT " + self.path, flush=True)
            try:
                up = socket.create_connection(("127.0.0.1", opts.to), timeout=5)
            except OSError:
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            conns = [self.connection, up]
            try:
                while True:
                    r, _, _ = select.select(conns, [], [], 30)
                    if not r:
                        break
                    for s in r:
                        data = s.recv(65536)
                        if not data:
                            return
                        (up if s is self.connection else self.connection).sendall(data)
            finally:
                up.close()
                self.close_connection = True

    return Proxy


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    v = sub.add_parser("vault")
    v.add_argument("--token", required=True)
    v.add_argument("--namespace", default="")
    v.add_argument("--mount", action="append", default=[])
    v.add_argument("--keys-exist", action="store_true")
    v.add_argument("--kv", action="append", default=[], metavar="MOUNT=VERSION")
    v.add_argument("--tls", default="", metavar="DIR")
    g = sub.add_parser("gcp")
    g.add_argument("--dir", required=True)
    g.add_argument("--token", action="append", default=[])
    g.add_argument("--key", action="append", default=[])
    g.add_argument("--tls", action="store_true")
    g.add_argument("--metadata-token", default="")
    g.add_argument("--grpc", action="store_true")
    p = sub.add_parser("proxy")
    p.add_argument("--to", type=int, required=True)
    for s in (v, g, p):
        s.add_argument("--deadline", type=float, default=300)
    opts = ap.parse_args()
    if opts.mode == "vault" and not opts.mount:
        opts.mount = ["transit"]
    if opts.mode == "vault":
        for spec in opts.kv:
            mount, _, version = spec.partition("=")
            KV_MOUNTS[mount.strip("/")] = int(version or "2")

    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    threading.Thread(target=lambda: (time.sleep(opts.deadline), os._exit(0)), daemon=True).start()

    handler = {"vault": vault_handler, "gcp": gcp_handler, "proxy": proxy_handler}[opts.mode](opts)
    handler.server_stats = {"encrypt": 0, "decrypt": 0, "metadata": 0}
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    opts.port = srv.server_address[1]
    ready = {"port": opts.port}
    if opts.mode == "vault" and opts.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*make_tls(opts.tls))
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    if opts.mode == "gcp":
        TOKENS.update(opts.token)
        tls = gcp_setup(opts)
        if tls:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.set_alpn_protocols(["http/1.1"])
            ctx.load_cert_chain(*tls)
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
            if opts.grpc:
                ready["grpc"] = grpc_serve(opts, *tls)
    print(json.dumps(ready), flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
