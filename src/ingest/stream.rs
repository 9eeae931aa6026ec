//! Byte-level helpers under the readers: a UTF-8 byte order mark is dropped,
//! and newlines are counted as they stream past so that a CSV record's byte
//! offset can be turned into the line number a person sees in an editor.

use std::collections::VecDeque;
use std::io::Read;

/// Strips a UTF-8 byte order mark from the start of a stream.
pub(super) struct SkipBom<R> {
    inner: R,
    checked: bool,
    pending: Vec<u8>,
}

impl<R> SkipBom<R> {
    /// Wraps `inner`; the mark, if any, is dropped on the first read.
    pub(super) fn new(inner: R) -> SkipBom<R> {
        SkipBom {
            inner,
            checked: false,
            pending: Vec::new(),
        }
    }
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.checked {
            self.checked = true;
            let mut head = [0u8; 3];
            let mut n = 0;
            while n < 3 {
                let k = self.inner.read(&mut head[n..])?;
                if k == 0 {
                    break;
                }
                n += k;
            }
            if !(n == 3 && head == [0xEF, 0xBB, 0xBF]) {
                self.pending.extend_from_slice(&head[..n]);
            }
        }
        if !self.pending.is_empty() {
            let n = self.pending.len().min(buf.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// Remembers where the `\n` bytes of a stream are, so that [`line_of`]
/// can say on which line a byte offset lies. The csv crate's own record
/// positions count a record from the end of the one before it, which puts
/// a record after blank lines, or in a CRLF file, on the wrong line.
///
/// Only the newlines that were read but not yet asked about are kept (at
/// most one read-ahead buffer's worth), because offsets are asked in order.
///
/// [`line_of`]: LineCounter::line_of
///
/// It also bounds a record: more than `limit` bytes read past the start of
/// the current record ([`LineCounter::start_record`]) is a read error, so a
/// record without an end (a 300 MB line, `/dev/zero`, a quote left open)
/// is refused while it is read, in bounded memory. And it counts the `"`
/// bytes, so that a record that ends inside a quoted field (only possible at
/// the end of the input) can be told from one that does not.
pub(super) struct LineCounter<R> {
    inner: R,
    /// Bytes read so far.
    read: u64,
    /// Offsets of newlines read but not yet passed by [`LineCounter::line_of`].
    ahead: VecDeque<u64>,
    /// Newlines before the last offset asked about.
    passed: u64,
    /// Offsets of `"` read but not yet passed by [`LineCounter::quotes_odd`].
    quotes_ahead: VecDeque<u64>,
    /// Parity of the `"` before the last offset asked about.
    quotes_odd: bool,
    /// Where the current record starts.
    record_start: u64,
    /// Longest record, in bytes.
    limit: u64,
}

/// The message of the read error for a record over the limit.
pub(super) const TOO_LONG: &str = "record too long";

impl<R> LineCounter<R> {
    /// Wraps `inner`, counting from line 1.
    pub(super) fn new(inner: R, limit: u64) -> LineCounter<R> {
        LineCounter {
            inner,
            read: 0,
            ahead: VecDeque::new(),
            passed: 0,
            quotes_ahead: VecDeque::new(),
            quotes_odd: false,
            record_start: 0,
            limit,
        }
    }

    /// Says that a new record starts at `offset` (the end of the last one).
    pub(super) fn start_record(&mut self, offset: u64) {
        self.record_start = offset;
    }

    /// Where the current record starts.
    pub(super) fn record_start(&self) -> u64 {
        self.record_start
    }

    /// True when an odd number of `"` come before `offset`: a CSV parser
    /// that stopped there is inside a quoted field. Offsets must not go
    /// backwards from one call to the next.
    pub(super) fn quotes_odd(&mut self, offset: u64) -> bool {
        while self.quotes_ahead.front().is_some_and(|&q| q < offset) {
            self.quotes_ahead.pop_front();
            self.quotes_odd = !self.quotes_odd;
        }
        self.quotes_odd
    }

    /// The 1-based line of the byte at `offset`. Offsets must not go
    /// backwards from one call to the next.
    pub(super) fn line_of(&mut self, offset: u64) -> u64 {
        while self.ahead.front().is_some_and(|&nl| nl < offset) {
            self.ahead.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read.saturating_sub(self.record_start) > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TOO_LONG,
            ));
        }
        let n = self.inner.read(buf)?;
        let start = self.read;
        for (i, b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' => self.ahead.push_back(start + i as u64),
                b'"' => self.quotes_ahead.push_back(start + i as u64),
                _ => {}
            }
        }
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped_once() {
        let mut out = String::new();
        SkipBom::new(&b"\xEF\xBB\xBFa,b\n"[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a,b\n");
        let mut out = Vec::new();
        SkipBom::new(&b"ab"[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"ab");
    }

    #[test]
    fn offsets_map_to_lines() {
        let mut c = LineCounter::new(&b"ab\n\ncd\r\nef"[..], 1 << 20);
        let mut sink = Vec::new();
        c.read_to_end(&mut sink).unwrap();
        assert_eq!(c.line_of(0), 1);
        assert_eq!(c.line_of(2), 1, "a newline is on the line it ends");
        assert_eq!(c.line_of(3), 2);
        assert_eq!(c.line_of(4), 3);
        assert_eq!(c.line_of(8), 4);
    }

    #[test]
    fn a_record_over_the_limit_is_a_read_error_and_quotes_are_counted() {
        let mut c = LineCounter::new(std::io::repeat(b'x'), 10);
        let mut buf = [0u8; 8];
        assert!(c.read(&mut buf).is_ok());
        assert!(c.read(&mut buf).is_ok());
        let e = c.read(&mut buf).unwrap_err();
        assert_eq!(e.to_string(), TOO_LONG);
        let mut q = LineCounter::new(&b"a,\"b\"\"c\",\"d"[..], 100);
        let mut sink = Vec::new();
        q.read_to_end(&mut sink).unwrap();
        assert!(!q.quotes_odd(2));
        assert!(q.quotes_odd(3));
        assert!(!q.quotes_odd(9));
        assert!(q.quotes_odd(12));
    }
}
