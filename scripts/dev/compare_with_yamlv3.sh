#!/usr/bin/env bash
# Compare leafseal's comment placement with yaml.v3's, without sops: for each document in
# CASES (printf-escaped, one per line; default comment_cases.txt), the path yaml.v3 + SOPS's
# tree walk gives each comment (yamlv3_placement/main.go) against the AAD that opens
# leafseal's comment token (comment_aads.py), on both paths, plus leafseal's round trip.
# Usage: scripts/dev/compare_with_yamlv3.sh [LEAFSEAL_BINARY]
# Needs Go and a yaml.v3 source tree: YAMLV3_SRC=/path/to/go-yaml (v3.0.4, the version SOPS
# uses), or the Go module proxy.
set -u
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
leafseal=${1:-$root/target/debug/leafseal}
py=$root/.cache/venv/bin/python
export SOPS_AGE_KEY_FILE=$root/testdata/keys/age1.txt
R=age1myhcwvtcnpm6hqun3ajgh7v8pdm6uafpwjnfx27qyzu3fqem658shdnv0v
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$here/yamlv3_placement/"{main.go,go.mod} "$tmp/"
(cd "$tmp" && { [ -z "${YAMLV3_SRC:-}" ] || go mod edit -replace "gopkg.in/yaml.v3=$YAMLV3_SRC"; } &&
  GOFLAGS=-mod=mod go build -o oracle . ) || { echo "cannot build the yaml.v3 oracle" >&2; exit 2; }
norm() { sed 's/| *$//; s/ *$//' | tr -d "\"'"; }
n=0; bad=0
while IFS= read -r t; do
  [ -z "$t" ] && continue
  n=$((n + 1))
  printf -- "$t" > "$tmp/v.yaml"
  a=$("$tmp/oracle" < "$tmp/v.yaml" | norm)
  for np in 0 1; do
    if ! LEAFSEAL_NO_PIECES=$np "$leafseal" encrypt --age $R "$tmp/v.yaml" > "$tmp/l.yaml" 2> "$tmp/err"; then
      echo "REFUSED pieces=$((1 - np)) $t: $(head -1 "$tmp/err")"; bad=$((bad + 1)); continue
    fi
    b=$(cd "$root" && "$py" "$here/comment_aads.py" "$tmp/l.yaml" | tr '\n' ' ' | norm)
    note=""
    grep -q warning "$tmp/err" && note=" (canonical fallback)"
    # (A file without a final line break comes back with one: docs/format.md.)
    "$leafseal" decrypt "$tmp/l.yaml" 2> /dev/null |
      cmp -s - <(cat "$tmp/v.yaml"; [ -n "$(tail -c1 "$tmp/v.yaml")" ] && echo) ||
      note="$note (round trip differs)"
    if [ "$a" != "$b" ] || [ -n "$note" ]; then
      echo "DIFF$note pieces=$((1 - np)) $t | yaml.v3: $a | leafseal: $b"; bad=$((bad + 1))
    fi
  done
done < "${CASES:-$here/comment_cases.txt}"
echo "checked $n documents, $bad differences"
