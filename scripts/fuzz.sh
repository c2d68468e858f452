#!/usr/bin/env bash
# Short fuzz run of every leafseal fuzz target (issue 9), seeded from testdata/.
#
#   bash scripts/fuzz.sh [seconds-per-target] [target ...]      default: 60 s, every target
#
# Uses `cargo fuzz` (libFuzzer) when it is installed and works on this toolchain (nightly, or
# stable with RUSTC_BOOTSTRAP=1); otherwise, or with LEAFSEAL_FUZZ_DRIVER=plain, the stable
# mutation driver in fuzz/src/bin/driver.rs, which calls the same target functions. Either way
# each target's executions per second are printed and a crash stops that target with its input
# under fuzz/artifacts/<target>/. Copy a real crasher into testdata/bad/ (see its README) so the
# corpus test keeps it as a regression case. Never touches the network beyond the first build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"

secs=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(yaml json dotenv ini binary token metadata config path shamir)
fi

use_libfuzzer=0
if [ "${LEAFSEAL_FUZZ_DRIVER:-}" != plain ] && cargo fuzz --help >/dev/null 2>&1; then
  # Probe once: build one target with the sanitizer; stable needs RUSTC_BOOTSTRAP for -Z flags.
  if RUSTC_BOOTSTRAP=1 cargo fuzz build --features libfuzzer token >/tmp/leafseal-fuzz-probe.log 2>&1; then
    use_libfuzzer=1
  else
    echo "fuzz.sh: cargo fuzz does not work here (see /tmp/leafseal-fuzz-probe.log); using the plain driver" >&2
  fi
fi

status=0
summary=()
if [ $use_libfuzzer = 1 ]; then
  for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log=$(mktemp)
    seeds=()
    case $t in
      yaml|metadata|config) seeds=(../testdata/sops ../testdata/bad ../testdata/demo) ;;
      *) seeds=(../testdata/sops ../testdata/bad) ;;
    esac
    if RUSTC_BOOTSTRAP=1 cargo fuzz run --features libfuzzer "$t" "corpus/$t" "${seeds[@]}" -- \
        -max_total_time="$secs" -max_len=65536 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1; then
      r=ok
    else
      r=CRASH; status=1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    summary+=("$t: libFuzzer $r, $runs execs in ${secs}s = $((runs / secs)) execs/s")
    [ $r = ok ] || tail -40 "$log"
    rm -f "$log"
  done
else
  cargo build --release --bin driver
  for t in "${targets[@]}"; do
    if line=$(cargo run -q --release --bin driver -- "$t" "$secs"); then
      summary+=("$line")
    else
      summary+=("$line"); status=1
    fi
  done
fi
printf '%s\n' "${summary[@]}"
exit $status
