//! libFuzzer entry point for the `shamir` target (see `leafseal_fuzz::targets`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    leafseal_fuzz::run("shamir", data);
});
