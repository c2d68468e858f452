"""Checks the fakes of tests/fakes (Azure, Huawei) against the services' official Python clients, so the
fakes answer as the real services do. Not part of the suite (the clients are not installed by
scripts/test.sh); run by hand in a throwaway venv:

    python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install azure-keyvault-keys azure-identity \
        huaweicloudsdkkms cryptography
    /tmp/sdk/bin/python tests/fakes/check_official_sdks.py

It starts each fake with the repository's venv interpreter, talks to it with the official
client and prints one line per check.
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PY = os.environ.get("LEAFSEAL_TEST_PYTHON") or os.path.join(HERE, "../../.cache/venv/bin/python")


def start(script, *args):
    p = subprocess.Popen([PY, os.path.join(HERE, script), *args], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p, json.loads(p.stdout.readline())


def azure():
    d = tempfile.mkdtemp()
    p, info = start("azure_kv.py", d)
    proxy, pinfo = start("cloud_kms.py", "proxy", "--to", str(info["https"]))
    try:
        os.environ.update({
            "HTTPS_PROXY": f"http://127.0.0.1:{pinfo['port']}",
            "REQUESTS_CA_BUNDLE": os.path.join(d, "ca.pem"),
            "SSL_CERT_FILE": os.path.join(d, "ca.pem"),
            "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com",
            "IDENTITY_ENDPOINT": f"http://127.0.0.1:{info['http']}/msi/token",
            "IDENTITY_HEADER": "test-identity-header",
        })
        from azure.identity import (CertificateCredential, ClientSecretCredential,
                                    ManagedIdentityCredential)
        from azure.keyvault.keys import KeyClient
        from azure.keyvault.keys.crypto import CryptographyClient, EncryptionAlgorithm
        tenant, client = "00000000-0000-0000-0000-00000000beef", "11111111-2222-3333-4444-555555555555"
        creds = {
            "client secret": ClientSecretCredential(tenant, client, "test-client-secret",
                                                    disable_instance_discovery=True),
            "client certificate": CertificateCredential(tenant, client, os.path.join(d, "client.pem"),
                                                        disable_instance_discovery=True),
            "app service managed identity": ManagedIdentityCredential(),
        }
        secret = b"0123456789abcdef0123456789abcdef"
        for name, cred in creds.items():
            key = KeyClient("https://myvault.vault.azure.net", cred).get_key("sops-key")
            cc = CryptographyClient(key.id, cred)
            ct = cc.encrypt(EncryptionAlgorithm.rsa_oaep_256, secret)
            ok = cc.decrypt(EncryptionAlgorithm.rsa_oaep_256, ct.ciphertext).plaintext == secret
            print(f"azure-keyvault-keys ({name}): version {key.properties.version}, round trip {ok}")
    finally:
        for q in (proxy, p):
            q.stdin.close()
            q.wait()


def huawei():
    p, info = start("hckms.py")
    try:
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
        from huaweicloudsdkcore.region.region import Region
        from huaweicloudsdkkms.v2 import (DecryptDataRequest, DecryptDataRequestBody,
                                          EncryptDataRequest, EncryptDataRequestBody, KmsClient)
        url = f"http://127.0.0.1:{info['port']}"
        for project in (info["project"], None):
            cred = BasicCredentials("TESTAK", "TESTSK", project).with_iam_endpoint(url)
            c = KmsClient.new_builder().with_credentials(cred).with_region(Region("tr-west-1", url)).build()
            r = c.encrypt_data(EncryptDataRequest(body=EncryptDataRequestBody(
                key_id=info["key"], plain_text="aGVsbG8=", encryption_algorithm="SYMMETRIC_DEFAULT")))
            pt = c.decrypt_data(DecryptDataRequest(body=DecryptDataRequestBody(
                cipher_text=r.cipher_text, key_id=info["key"], encryption_algorithm="SYMMETRIC_DEFAULT"))).plain_text
            print(f"huaweicloudsdkkms (project {'given' if project else 'from IAM'}): round trip {pt == 'aGVsbG8='}")
        cred = BasicCredentials("TESTAK", "WRONG", info["project"])
        c = KmsClient.new_builder().with_credentials(cred).with_region(Region("tr-west-1", url)).build()
        try:
            c.encrypt_data(EncryptDataRequest(body=EncryptDataRequestBody(key_id=info["key"], plain_text="eA==")))
            print("huaweicloudsdkkms (wrong SK): ACCEPTED (bad fake)")
            sys.exit(1)
        except ClientRequestException as e:
            print(f"huaweicloudsdkkms (wrong SK): refused {e.error_code}")
    finally:
        p.stdin.close()
        p.wait()


azure()
huawei()
