//! A minimal RFC 4180 writer: a field is quoted when it holds the delimiter, a quote, or a
//! line break, and quotes inside it are doubled. That is all the demo files need, and it
//! keeps the output independent of any CSV crate's defaults.

use std::io::{self, Write};

pub(crate) struct CsvWriter<W: Write> {
    out: W,
    delimiter: u8,
    line_end: &'static [u8],
    /// The record being built; one write per record keeps the writer's overhead low.
    line: Vec<u8>,
}

impl<W: Write> CsvWriter<W> {
    pub(crate) fn new(out: W, delimiter: u8, crlf: bool) -> Self {
        CsvWriter {
            out,
            delimiter,
            line_end: if crlf { b"\r\n" } else { b"\n" },
            line: Vec::with_capacity(1024),
        }
    }

    pub(crate) fn record<S: AsRef<str>>(&mut self, fields: &[S]) -> io::Result<()> {
        self.line.clear();
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push(self.delimiter);
            }
            push_field(&mut self.line, field.as_ref(), self.delimiter);
        }
        self.line.extend_from_slice(self.line_end);
        self.out.write_all(&self.line)
    }

    pub(crate) fn into_inner(self) -> W {
        self.out
    }
}

fn push_field(line: &mut Vec<u8>, field: &str, delimiter: u8) {
    let needs_quotes = field
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if !needs_quotes {
        line.extend_from_slice(field.as_bytes());
        return;
    }
    line.push(b'"');
    for b in field.bytes() {
        if b == b'"' {
            line.push(b'"');
        }
        line.push(b);
    }
    line.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(fields: &[&str], delimiter: u8) -> String {
        let mut w = CsvWriter::new(Vec::new(), delimiter, false);
        w.record(fields).unwrap();
        String::from_utf8(w.into_inner()).unwrap()
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(line(&["a", "b c", ""], b','), "a,b c,\n");
        assert_eq!(line(&["VP, Sales", "x"], b','), "\"VP, Sales\",x\n");
        assert_eq!(line(&["VP, Sales", "x"], b';'), "VP, Sales;x\n");
        assert_eq!(line(&["a;b"], b';'), "\"a;b\"\n");
    }

    #[test]
    fn doubles_quotes_and_keeps_newlines() {
        assert_eq!(line(&["say \"hi\""], b','), "\"say \"\"hi\"\"\"\n");
        assert_eq!(line(&["two\nlines"], b','), "\"two\nlines\"\n");
    }
}
