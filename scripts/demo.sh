#!/usr/bin/env bash
# Build leafseal and run the demo: encrypt testdata/demo/app.yaml to a bundled TEST-ONLY age
# key, show the ciphertext, decrypt it back and check it matches. No cloud account needed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${LEAFSEAL_DEMO_BIN:-}" ]; then
  bin=$LEAFSEAL_DEMO_BIN   # a binary already built (the test suite runs the demo this way)
else
  bin=target/release/leafseal
  if [ ! -x "$bin" ]; then
    echo "== building leafseal (release; the first build takes about 5-10 minutes on 2 cores)" >&2
  fi
  # cargo's own progress bar shows what is compiling; a later run rebuilds only what changed.
  cargo build --release -p leafseal-cli
fi

recipient=age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v   # testdata/keys/age1.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== plaintext: testdata/demo/app.yaml"
cat testdata/demo/app.yaml
echo
echo "== leafseal encrypt --age $recipient testdata/demo/app.yaml"
"$bin" encrypt --age "$recipient" testdata/demo/app.yaml > "$work/app.enc.yaml"
cat "$work/app.enc.yaml"
echo
echo "== SOPS_AGE_KEY_FILE=testdata/keys/age1.txt leafseal decrypt app.enc.yaml"
SOPS_AGE_KEY_FILE=testdata/keys/age1.txt "$bin" decrypt "$work/app.enc.yaml" > "$work/app.dec.yaml"
cat "$work/app.dec.yaml"
echo
if cmp -s testdata/demo/app.yaml "$work/app.dec.yaml"; then
  echo "OK: decrypt(encrypt(app.yaml)) is byte-identical to the original"
  echo
  echo "== your own key (what the demo used is a TEST-ONLY key, published in testdata/keys/)"
  echo "age-keygen -o ~/.config/sops/age/keys.txt     # creates it where leafseal and SOPS look"
  echo "age-keygen -y ~/.config/sops/age/keys.txt     # prints its recipient (age1...) for --age"
  echo "for the bundled test key that recipient is: $recipient"
else
  echo "decrypted output differs from the original:" >&2
  diff -u testdata/demo/app.yaml "$work/app.dec.yaml" >&2 || true
  exit 1
fi
