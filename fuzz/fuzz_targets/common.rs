//! Shared by the import targets: feed bytes to `ImportReader` and check
//! what must hold for any input.

use opsdeck::ingest::{Format, ImportKind, ImportReader};
use std::collections::HashMap;

/// Reads every row of `data` and checks that the reader ends, that line
/// numbers never go backwards, and that every message is one clean line.
/// The first byte picks the kind (or none, to exercise the guess).
pub fn read_all(format: Format, data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let kind = match pick % 4 {
        0 => None,
        1 => Some(ImportKind::Observations),
        2 => Some(ImportKind::WorkItems),
        _ => Some(ImportKind::Feedback),
    };
    let indicators: HashMap<String, i64> = [("first_response", 1), ("trial_to_paid", 2)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let input = Box::new(std::io::Cursor::new(body.to_vec()));
    let mut reader = match ImportReader::new("fuzz", input, format, kind, &indicators) {
        Ok((reader, _)) => reader,
        Err(e) => return check_message(&e.to_string()),
    };
    let mut last_line = 0;
    // Every call consumes at least one byte or ends the file, so a reader
    // that yields more results than there are bytes is stuck.
    for _ in 0..=body.len() + 2 {
        let Some(row) = reader.next_row() else {
            return;
        };
        assert!(reader.line() >= last_line, "line numbers went backwards");
        last_line = reader.line();
        if let Err(e) = row {
            assert!(e.line >= 1, "a message without a line: {e}");
            check_message(&e.to_string());
        }
    }
    panic!("the reader did not reach the end of {} bytes", body.len());
}

fn check_message(msg: &str) {
    assert!(
        !msg.chars().any(char::is_control),
        "a control character in the message: {msg:?}"
    );
}
