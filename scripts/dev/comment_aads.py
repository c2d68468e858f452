"""Which AAD (key path) opens each comment token of an encrypted YAML file.

Debugging aid for comment placement (docs/format.md): SOPS encrypts a comment with the path of
the collection that holds it, so comparing this output for `sops encrypt` and `leafseal
encrypt` of the same file shows where the two attach a comment differently.

    .cache/venv/bin/python scripts/dev/comment_aads.py FILE.enc.yaml [AGE_KEY_FILE]

Prints one line per comment token: (aad, text), or None when no path of up to 4 keys seen in
the file opens it. Needs `age` and the `cryptography` package (both installed by
scripts/test.sh). Test keys only.
"""
import base64
import itertools
import re
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

text = open(sys.argv[1]).read()
key_file = sys.argv[2] if len(sys.argv) > 2 else "testdata/keys/age1.txt"
m = re.search(r"-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----", text, re.S)
armored = "\n".join(l.strip() for l in m.group(0).splitlines()) + "\n"
key = subprocess.run(["age", "-d", "-i", key_file], input=armored.encode(), capture_output=True).stdout
assert len(key) == 32, "could not open the data key with " + key_file
names = sorted(
    {k.strip('"') for k in re.findall(r"^\s*(?:- )*([^\s#:'\"-][^:]*|\"[^\"]*\"):", text, re.M)} - {"sops"}
)
candidates = [":"] + [
    "".join(c + ":" for c in combo) for n in range(1, 5) for combo in itertools.permutations(names, n)
]


def opens(data, iv, tag, aad):
    d = Cipher(algorithms.AES(key), modes.GCM(iv, tag)).decryptor()
    d.authenticate_additional_data(aad.encode())
    try:
        return (d.update(data) + d.finalize()).decode()
    except Exception:
        return None


for tok in re.findall(r"ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:comment\]", text):
    data, iv, tag = (base64.b64decode(x) for x in tok)
    print(next(((c, t) for c in candidates if (t := opens(data, iv, tag, c)) is not None), None))
