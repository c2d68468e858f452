#!/usr/bin/env bash
# How long `leafseal decrypt` of a KMS-only file takes to fail on a machine with no AWS
# credentials and no metadata service (issue acceptance: under 3 s, naming the sources tried).
#
#   bash scripts/bench-kms-nocreds.sh [path/to/leafseal]
#
# Default binary: target/release/leafseal if built, else target/debug/leafseal. Prints the
# median of 5 runs for two metadata-service situations, both on loopback only (nothing else is
# contacted; KMS itself is never reached without credentials):
#   refused: the IMDS endpoint is a closed port (a laptop: connection refused / no route);
#   silent:  a listener that accepts and never answers (a black-holed endpoint), which is
#            bounded by LEAFSEAL_IMDS_TIMEOUT.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=${1:-}
if [ -z "$bin" ]; then
  if [ -x target/release/leafseal ]; then bin=target/release/leafseal; else
    [ -x target/debug/leafseal ] || cargo build -q -p leafseal-cli
    bin=target/debug/leafseal
  fi
fi
bin=$(realpath "$bin")

work=$(mktemp -d)
silent_pid=
cleanup() {
  [ -n "$silent_pid" ] && kill "$silent_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/home"

# A KMS-only file; the values are never reached, so dummy ciphertext is enough.
cat > "$work/s.enc.yaml" <<'YAML'
password: ENC[AES256_GCM,data:AAAA,iv:AAAAAAAAAAAAAAAAAAAAAA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]
sops:
    kms:
        - arn: arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555
          aws_profile: ""
          created_at: "2026-01-01T00:00:00Z"
          enc: AQICAHhFAKEFAKEFAKE=
    lastmodified: "2026-01-01T00:00:00Z"
    mac: ENC[AES256_GCM,data:AAAA,iv:AAAAAAAAAAAAAAAAAAAAAA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]
    version: 3.11.0
YAML

closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Accepts connections (the kernel completes them from the backlog) and never answers.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
time.sleep(300)
' > "$work/silent.port" &
silent_pid=$!
for _ in $(seq 100); do [ -s "$work/silent.port" ] && break; sleep 0.05; done
silent_port=$(cat "$work/silent.port")

run_once() { # endpoint -> prints seconds; checks the failure
  local start end code
  start=$(date +%s.%N)
  set +e
  env -i PATH="$PATH" HOME="$work/home" \
    AWS_CONFIG_FILE="$work/home/none" AWS_SHARED_CREDENTIALS_FILE="$work/home/none" \
    AWS_EC2_METADATA_SERVICE_ENDPOINT="$1" \
    "$bin" decrypt "$work/s.enc.yaml" >/dev/null 2>"$work/err"
  code=$?
  set -e
  end=$(date +%s.%N)
  if [ "$code" -ne 128 ] || ! grep -q 'no AWS credentials' "$work/err"; then
    echo "unexpected result (exit $code):" >&2; cat "$work/err" >&2; exit 1
  fi
  echo "$end - $start" | bc -l
}

median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }

for case in refused silent; do
  if [ "$case" = refused ]; then ep="http://127.0.0.1:$closed_port"; else ep="http://127.0.0.1:$silent_port"; fi
  times=$(for _ in 1 2 3 4 5; do run_once "$ep"; done)
  printf '%-8s median %ss of 5 runs (%s)\n' "$case" "$(median <<<"$times")" "$(tr '\n' ' ' <<<"$times" | sed 's/ $//')"
done
echo "message: $(head -c 600 "$work/err")"
