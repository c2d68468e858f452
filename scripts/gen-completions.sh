#!/usr/bin/env bash
# Regenerate completions/ and docs/man/leafseal.1 from the clap definitions.
# tests/it/cli_generated.rs fails when the checked-in files drift from the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/leafseal
"$bin" completion bash > completions/leafseal.bash
"$bin" completion zsh > completions/_leafseal
"$bin" completion fish > completions/leafseal.fish
"$bin" completion powershell > completions/_leafseal.ps1
"$bin" completion elvish > completions/leafseal.elv
"$bin" manpage > docs/man/leafseal.1
