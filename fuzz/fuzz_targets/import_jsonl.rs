//! The JSONL import reader on arbitrary bytes: no panic, no hang, one clean
//! line per message.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::read_all(opsdeck::ingest::Format::Jsonl, data);
});
