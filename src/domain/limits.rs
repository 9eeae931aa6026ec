//! The size limits of what people type and files carry: one place, used by
//! the readers, the store's writes, the CLI and the cockpit's inputs.

/// Longest free text (note, comment, reason, hypothesis), in characters.
pub const MAX_TEXT: usize = 2_000;
/// Longest identifier or name (external id, customer, segment, kind, person).
pub const MAX_NAME: usize = 200;
/// Longest key (an indicator, playbook or experiment key), in characters.
pub(crate) const MAX_KEY: usize = 64;

/// Checks that `text` has at most `max` characters; the error says how many
/// it has.
pub fn check_len(text: &str, max: usize) -> Result<(), String> {
    let n = text.chars().count();
    if n > max {
        Err(format!("too long ({n} characters; at most {max})"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_itself_is_allowed_one_more_is_not() {
        assert!(check_len(&"é".repeat(MAX_NAME), MAX_NAME).is_ok());
        assert_eq!(
            check_len(&"a".repeat(MAX_NAME + 1), MAX_NAME).unwrap_err(),
            "too long (201 characters; at most 200)"
        );
    }
}
