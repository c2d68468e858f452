//! Unit tests for the YAML emitter.
