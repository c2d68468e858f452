//! libFuzzer entry point for the `dotenv` target (see `leafseal_fuzz::targets`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    leafseal_fuzz::run("dotenv", data);
});
