//! The `sops` metadata block (spec §5).
