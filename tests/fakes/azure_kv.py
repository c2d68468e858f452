"""A fake Azure Key Vault and Entra ID for leafseal's tests, on 127.0.0.1 only.

Two listeners:
  * HTTPS (certificate from a CA made here, SANs myvault.vault.azure.net, localhost,
    127.0.0.1): Key Vault (get key, encrypt/decrypt/wrapkey/unwrapkey with RSA-OAEP-256 and
    the 401 bearer challenge) and the Entra token endpoint /{tenant}/oauth2/v2.0/token (client
    secret, client certificate assertion checked against the certificate, federated token);
  * HTTP: managed identity, App Service style (/msi/token + X-IDENTITY-HEADER) and IMDS
    (/metadata/identity/oauth2/token + Metadata: true).
Clients reach the vault by its real host name through `cloud_kms.py proxy --to <https port>`
(the tests' one CONNECT proxy; it never dials anything but 127.0.0.1).

Usage: python azure_kv.py DIR. Writes DIR/ca.pem and DIR/client.pem (a client certificate
and its PKCS#1 key, registered for CLIENT), prints one JSON line
{"https":…, "http":…, "version":…} when ready, exits when stdin closes or after
300 s. Requests are logged to stderr as one line each (no secrets).
"""

import base64
import datetime
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

TENANT = "00000000-0000-0000-0000-00000000beef"
CLIENT = "11111111-2222-3333-4444-555555555555"
SECRET = "test-client-secret"
DENIED_CLIENT = "denied-client"
IDENTITY_HEADER = "test-identity-header"
FEDERATED = "test-federated-token"
RESOURCE = "https://vault.azure.net"
KEY_NAME = "sops-key"
VERSION = "0123456789abcdef0123456789abcdef"

DIR = sys.argv[1]
CLIENT_CERT = os.path.join(DIR, "client.pem")

threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
threading.Thread(target=lambda: (time.sleep(300), os._exit(0)), daemon=True).start()

VAULT_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
TOKENS = {}  # token -> (identity, resource)
LOCK = threading.Lock()


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def make_tls():
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leafseal test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    import ipaddress

    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "myvault.vault.azure.net")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("myvault.vault.azure.net"),
                    x509.DNSName("login.microsoftonline.com"),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    with open(os.path.join(DIR, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(DIR, "server.pem"), "wb") as f:
        f.write(leaf.public_bytes(serialization.Encoding.PEM))
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    ckey = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cname = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leafseal test client")])
    ccert = (
        x509.CertificateBuilder()
        .subject_name(cname)
        .issuer_name(cname)
        .public_key(ckey.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ckey, hashes.SHA256())
    )
    with open(CLIENT_CERT, "wb") as f:
        f.write(ccert.public_bytes(serialization.Encoding.PEM))
        f.write(
            ckey.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(DIR, "server.pem"))
    return ctx


def issue(identity, resource):
    tok = "tok-" + secrets.token_hex(16)
    with LOCK:
        TOKENS[tok] = (identity, resource.rstrip("/"))
    return tok


def check_assertion(assertion, aud):
    """Verify an RS256 client assertion against the registered client certificate."""
    try:
        h, c, s = assertion.split(".")
        header = json.loads(unb64url(h))
        claims = json.loads(unb64url(c))
        cert = x509.load_pem_x509_certificate(open(CLIENT_CERT, "rb").read())
        if header.get("alg") == "RS256":
            pad = padding.PKCS1v15()
        elif header.get("alg") == "PS256":  # newer MSAL clients
            pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        else:
            return f"unsupported assertion alg {header.get('alg')}"
        cert.public_key().verify(unb64url(s), f"{h}.{c}".encode(), pad, hashes.SHA256())
    except Exception as e:  # noqa: BLE001 - any defect is a refusal
        return f"bad assertion: {e}"
    def thumb(v):  # MSAL Python sends padded standard base64, others base64url
        try:
            return base64.urlsafe_b64decode(v.replace("+", "-").replace("/", "_").rstrip("=") + "==")
        except Exception:  # noqa: BLE001
            return None

    if thumb(header.get("x5t", "")) != cert.fingerprint(hashes.SHA1()) and \
            thumb(header.get("x5t#S256", "")) != cert.fingerprint(hashes.SHA256()):
        return f"assertion header does not name the certificate: {header}"
    if claims.get("aud") != aud or claims.get("iss") != CLIENT or claims.get("sub") != CLIENT:
        return f"assertion claims do not match: {claims}"
    if not (claims.get("nbf", 0) - 300 <= time.time() <= claims.get("exp", 0)):
        return "assertion expired"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-azure: " + (fmt % args) + "\n")

    def reply(self, status, doc=None, headers=()):
        body = b"" if doc is None else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        parts = [p for p in u.path.split("/") if p]
        body = self.body()
        if self.server.plain:
            return self.identity(u.path, q)
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"] and method == "POST":
            return self.token(parts[0], dict(urllib.parse.parse_qsl(body.decode())))
        host = self.headers.get("Host")
        if method == "GET" and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            # MSAL clients (Python, Go) read the tenant's configuration first.
            base = f"https://{host}/{parts[0]}"
            return self.reply(200, {"token_endpoint": f"{base}/oauth2/v2.0/token",
                                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                                    "issuer": f"https://{host}/{parts[0]}/v2.0",
                                    "tenant_region_scope": None})
        if method == "GET" and parts == ["common", "discovery", "instance"]:
            return self.reply(200, {"tenant_discovery_endpoint": f"https://{host}/{TENANT}/v2.0/.well-known/openid-configuration",
                                    "api-version": "1.1",
                                    "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}]})
        if parts[:1] == ["keys"] and len(parts) >= 2:
            return self.vault(method, parts, q, body)
        self.reply(404, {"error": {"code": "NotFound", "message": "no such path"}})

    # -- managed identity --------------------------------------------------------------------
    def identity(self, path, q):
        resource = q.get("resource", "")
        if path == "/msi/token":
            if self.headers.get("X-IDENTITY-HEADER") != IDENTITY_HEADER:
                return self.reply(401, {"error": "unauthorized", "error_description": "bad header"})
            who = "app-service"
        elif path == "/metadata/identity/oauth2/token":
            if self.headers.get("Metadata") != "true":
                return self.reply(400, {"error": "invalid_request", "error_description": "Metadata header"})
            who = "imds"
        else:
            return self.reply(404, {"error": "not_found"})
        if not resource:
            return self.reply(400, {"error": "invalid_request", "error_description": "resource"})
        tok = issue(who, resource)
        exp = int(time.time()) + 3600
        self.reply(200, {"access_token": tok, "expires_on": str(exp), "expires_in": "3600",
                         "resource": resource, "token_type": "Bearer", "client_id": CLIENT})

    # -- Entra token endpoint ----------------------------------------------------------------
    def token(self, tenant, form):
        # MSAL clients add "openid offline_access profile" to the resource's scope.
        scope = next((x for x in form.get("scope", "").split() if x.endswith("/.default")), "")
        if tenant != TENANT:
            return self.reply(400, {"error": "invalid_tenant", "error_description": "AADSTS90002: unknown tenant"})
        if not scope.endswith("/.default"):
            return self.reply(400, {"error": "invalid_scope", "error_description": "scope"})
        client = form.get("client_id")
        aud = f"https://{self.headers.get('Host')}/{tenant}/oauth2/v2.0/token"
        if form.get("grant_type") != "client_credentials":
            return self.reply(400, {"error": "unsupported_grant_type", "error_description": "grant"})
        if "client_secret" in form:
            ok = (client, form["client_secret"]) in ((CLIENT, SECRET), (DENIED_CLIENT, SECRET))
            if not ok:
                return self.reply(401, {"error": "invalid_client",
                                        "error_description": "AADSTS7000215: Invalid client secret provided."})
        elif "client_assertion" in form:
            a = form["client_assertion"]
            if a.strip() != FEDERATED:
                err = check_assertion(a, aud)
                if err:
                    return self.reply(401, {"error": "invalid_client", "error_description": err})
        else:
            return self.reply(401, {"error": "invalid_client", "error_description": "no credential"})
        tok = issue(client, scope[: -len("/.default")])
        self.reply(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                         "access_token": tok})

    # -- Key Vault -----------------------------------------------------------------------------
    def vault(self, method, parts, q, body):
        auth = self.headers.get("Authorization", "")
        tok = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        with LOCK:
            who = TOKENS.get(tok)
        if who is None or who[1] != RESOURCE:
            challenge = f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", resource="{RESOURCE}"'
            return self.reply(401, {"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}},
                              headers=[("WWW-Authenticate", challenge)])
        if who[0] == DENIED_CLIENT:
            return self.reply(403, {"error": {"code": "Forbidden", "message": "The user, group or application does not have keys permission.",
                                              "innererror": {"code": "ForbiddenByPolicy"}}})
        if "api-version" not in q:
            return self.reply(400, {"error": {"code": "BadParameter", "message": "api-version missing"}})
        name = parts[1]
        if name != KEY_NAME:
            return self.reply(404, {"error": {"code": "KeyNotFound", "message": f"A key with (name/id) {name} was not found in this key vault."}})
        host = self.headers.get("Host")
        kid = f"https://{host}/keys/{name}/{VERSION}"
        if method == "GET" and len(parts) in (2, 3):
            if len(parts) == 3 and parts[2] != VERSION:
                return self.reply(404, {"error": {"code": "KeyNotFound", "message": "no such version"}})
            pub = VAULT_KEY.public_key().public_numbers()
            n = pub.n.to_bytes((pub.n.bit_length() + 7) // 8, "big")
            return self.reply(200, {"key": {"kid": kid, "kty": "RSA", "key_ops": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
                                            "n": b64url(n), "e": b64url(pub.e.to_bytes(3, "big"))},
                                    "attributes": {"enabled": True}})
        if method == "POST" and len(parts) == 4 and parts[3] in ("encrypt", "decrypt", "wrapkey", "unwrapkey"):
            if parts[2] != VERSION:
                return self.reply(404, {"error": {"code": "KeyNotFound", "message": "no such version"}})
            try:
                doc = json.loads(body)
                value = unb64url(doc["value"])
            except Exception:  # noqa: BLE001
                return self.reply(400, {"error": {"code": "BadParameter", "message": "value"}})
            if doc.get("alg") != "RSA-OAEP-256":
                return self.reply(400, {"error": {"code": "BadParameter", "message": f"alg {doc.get('alg')}"}})
            try:
                if parts[3] in ("encrypt", "wrapkey"):
                    out = VAULT_KEY.public_key().encrypt(value, OAEP)
                else:
                    out = VAULT_KEY.decrypt(value, OAEP)
            except Exception:  # noqa: BLE001
                return self.reply(400, {"error": {"code": "BadParameter", "message": "The parameter is incorrect."}})
            return self.reply(200, {"kid": kid, "value": b64url(out)})
        self.reply(400, {"error": {"code": "BadParameter", "message": "unsupported operation"}})


def main():
    ctx = make_tls()
    https = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    https.plain = False
    https.socket = ctx.wrap_socket(https.socket, server_side=True)
    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http.plain = True
    for srv in (https, http):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(json.dumps({"https": https.server_address[1], "http": http.server_address[1],
                      "version": VERSION}), flush=True)
    threading.Event().wait()


main()
