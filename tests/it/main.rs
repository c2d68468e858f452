//! leafseal's integration tests: one binary (STYLE.md §5), one module per area.
//!
//! Run with `cargo test --test it`, or the whole suite with `bash scripts/test.sh`. Set
//! `LEAFSEAL_UNDER_TEST=/path/to/sops` to run the shared-behaviour tests against the reference
//! binary itself (this is how every expected exit code here was checked).

// Tests may unwrap (STYLE.md §3): a panic is a test failure with a backtrace.
#![allow(clippy::unwrap_used)]

mod age_pq;
mod audit;
mod azure_kv;
mod bad_inputs;
mod cli_dropin;
mod cli_edit;
mod cli_exec;
mod cli_explain;
mod cli_generated;
mod cli_keys;
mod cli_rewrite;
mod clients;
mod config_sops;
mod corpus;
mod differential;
mod doc_examples;
mod fakes;
mod gcp_kms;
mod git_drivers;
mod hardening;
mod hardening_low;
mod hckms;
mod hygiene;
mod imds;
mod interop_flat;
mod interop_sops;
mod keys_interop;
mod keyservice;
mod keyservice_tls;
mod kms_gate;
mod kms_moto;
mod layout_token;
mod lossless;
mod lossless_guard;
mod lossless_trailing;
mod many_files;
mod moto;
mod old_sops;
mod pieces;
mod publish;
mod set_layout;
mod tamper_all;
mod toml_store;
mod util;
mod vault_transit;
mod versions;
