"""Which AAD (key path) opens each comment token of an encrypted YAML file.

Debugging aid for comment placement (docs/format.md): SOPS encrypts a comment with the path of
the collection that holds it, so comparing this output for `sops encrypt` and `leafseal
encrypt` of the same file shows where the two attach a comment differently.

    .cache/venv/bin/python scripts/dev/comment_aads.py FILE.enc.yaml [AGE_KEY_FILE]

Prints one line per comment token: (aad, text), or None when no path opens it (any chain of
keys the indentation implies, or any two keys of the file). Needs `age` and the
`cryptography` package (both installed by scripts/test.sh). Test keys only.
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
    "".join(c + ":" for c in combo) for n in range(1, 3) for combo in itertools.permutations(names, n)
]
# Every chain of keys the file's block indentation implies, at any depth (keys of list items
# included: SOPS's path skips list indices).
stack = []
for line in text.splitlines():
    m = re.match(r"^(\s*)((?:- +)*)([^\s#:'\"-][^:]*|\"[^\"]*\"):(\s|$)", line)
    if not m:
        continue
    col = len(m.group(1)) + len(m.group(2))
    while stack and stack[-1][0] >= col:
        stack.pop()
    stack.append((col, m.group(3).strip('"')))
    if stack[0][1] != "sops":
        path = "".join(k + ":" for _, k in stack)
        if path not in candidates:
            candidates.append(path)


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
