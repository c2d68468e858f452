#!/usr/bin/env bash
# Regenerate completions/ and docs/man/leafseal.1 from the clap definitions.
# tests/it/cli_generated.rs fails when the checked-in files drift from the binary.
#
#   bash scripts/gen-completions.sh [BINARY]    (default: build and use target/debug/leafseal)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  bin=$1
else
  cargo build --quiet -p leafseal-cli
  bin=target/debug/leafseal
fi
for shell in bash zsh fish powershell elvish; do
  case $shell in
    bash) out=leafseal.bash ;;
    zsh) out=_leafseal ;;
    fish) out=leafseal.fish ;;
    powershell) out=_leafseal.ps1 ;;
    elvish) out=leafseal.elv ;;
  esac
  "$bin" completion "$shell" > "completions/$out"
done
# For leafseal installed under the name `sops`.
"$bin" completion bash --name sops > completions/sops.bash
"$bin" completion zsh --name sops > completions/_sops
"$bin" completion fish --name sops > completions/sops.fish
"$bin" manpage > docs/man/leafseal.1
