//! Tests for `.sops.yaml` handling.
