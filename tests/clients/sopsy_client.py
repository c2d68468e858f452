"""Drives sopsy (PyPI `sopsy`, a Python wrapper around the `sops` CLI) against the `sops` first
on PATH, in the current directory (a copy of tests/clients/work/).

tests/it/clients.rs runs it once with the reference sops and once with leafseal installed as
`sops`, and compares the JSON it prints. Each step is recorded on its own ({"ok": value} or
{"error": message}) so that one failure does not hide the others.
"""

import json
import os
import sys
from pathlib import Path

from sopsy import Sops, SopsyInputSource

RECIPIENT = "age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v"

results = {}


def step(name, fn):
    try:
        results[name] = {"ok": fn()}
    except Exception as exc:  # noqa: BLE001 - every failure is a result to compare
        results[name] = {"error": "%s: %s" % (type(exc).__name__, exc)}


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


# --- decrypting the fixtures (encrypted by the reference sops 3.11.0) ---
step("decrypt_dict", lambda: Sops("secrets.sops.yaml").decrypt())
step("decrypt_text", lambda: text(Sops("secrets.sops.yaml").decrypt(to_dict=False)))
step("get", lambda: Sops("secrets.sops.yaml").get("api_token"))
step("get_default", lambda: Sops("secrets.sops.yaml").get("absent", default="fallback"))
step(
    "extract",
    lambda: text(Sops("secrets.sops.yaml", extract='["db"]["password"]').decrypt(to_dict=False)),
)
# The same binary named explicitly instead of found on PATH.
step(
    "binary_path",
    lambda: text(
        Sops(
            "secrets.sops.yaml",
            binary_path=os.environ["CLIENT_SOPS_BINARY"],
            extract='["api_token"]',
        ).decrypt(to_dict=False)
    ),
)
step(
    "output_json",
    lambda: text(Sops("secrets.sops.yaml", output_type="json").decrypt(to_dict=False)),
)

step("dotenv_text", lambda: text(Sops("app.sops.env").decrypt(to_dict=False)))
step("ini_as_json", lambda: Sops("app.sops.ini", output_type="json").decrypt())


# --- encrypting in place through the .sops.yaml creation rules ---
def encrypt_in_place():
    Path("new.sops.yaml").write_text("service: web\npassword: pw-sopsy\ntoken: t-1\n")
    returned = Sops("new.sops.yaml", in_place=True).encrypt()
    return {"returned": returned, "decrypted": Sops("new.sops.yaml").decrypt()}


step("encrypt_in_place", encrypt_in_place)


# --- encrypting to another file (--output), JSON rule ---
def encrypt_to_output():
    Path("data.sops.json").write_text('{"token": "tok-sopsy", "n": 7}\n')
    returned = Sops("data.sops.json", output="out/data.enc.json").encrypt()
    return {"returned": returned, "decrypted": Sops("out/data.enc.json").decrypt()}


step("encrypt_to_output", encrypt_to_output)


# --- stdin source, with a rule added through config_dict ---
def stdin_round_trip():
    rule = {"creation_rules": [{"path_regex": r"(^|/)dummy\.yaml$", "age": RECIPIENT}]}
    encrypted = Sops(
        b"k: v-stdin\nn: 3\n",
        input_source=SopsyInputSource.STDIN,
        input_type="yaml",
        config_dict=rule,
    ).encrypt(to_dict=False)
    decrypted = Sops(
        encrypted, input_source=SopsyInputSource.STDIN, input_type="yaml"
    ).decrypt()
    return {"encrypted_has_sops": b"\nsops:\n" in encrypted, "decrypted": decrypted}


step("stdin_round_trip", stdin_round_trip)


# --- rotating the data key in place ---
def rotate():
    before = Path("new.sops.yaml").read_text()
    returned = Sops("new.sops.yaml", in_place=True).rotate()
    after = Path("new.sops.yaml").read_text()
    return {
        "returned": returned,
        "file_changed": before != after,
        "decrypted": Sops("new.sops.yaml").decrypt(),
    }


step("rotate", rotate)

json.dump(results, sys.stdout, indent=2, sort_keys=True)
sys.stdout.write("\n")
