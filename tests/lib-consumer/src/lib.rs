//! Nothing here: the crate exists for its tests (`tests/`), which use leafseal's public API only.
