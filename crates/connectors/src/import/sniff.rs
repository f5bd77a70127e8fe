//! Which of `,` `;` tab `|` separates the fields, read from the first lines. Exports use all
//! four: Excel in European locales writes `;`, "Unicode text" is tab-separated, and some
//! tools write `|`. Each candidate is tried with a real CSV parser over the first records
//! (so a delimiter inside quotes does not count), and the one that gives the header two or
//! more fields and the most records with the header's field count wins; more fields breaks
//! a tie. A file where no candidate splits the header is read as one column, with `,`.

/// The delimiters tried, in the order that breaks a complete tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records of the prefix are looked at.
const SAMPLE_RECORDS: usize = 50;

/// Picks the delimiter for a file whose first bytes (already UTF-8 or Windows-1252; BOM
/// removed) are `prefix`. `complete` says that `prefix` is the whole file; otherwise its
/// last record may be cut short and is not counted.
pub(crate) fn sniff_delimiter(prefix: &[u8], complete: bool) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for delimiter in DELIMITERS {
        let counts = field_counts(prefix, delimiter, complete);
        let Some((&header, rest)) = counts.split_first() else {
            continue;
        };
        if header < 2 {
            continue;
        }
        let matching = 1 + rest.iter().filter(|&&n| n == header).count();
        if (matching, header) > (best.1, best.2) {
            best = (delimiter, matching, header);
        }
    }
    best.0
}

/// The field count of each of the first records, blank records left out.
fn field_counts(prefix: &[u8], delimiter: u8, complete: bool) -> Vec<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(prefix);
    let mut record = csv::ByteRecord::new();
    let mut counts = Vec::with_capacity(SAMPLE_RECORDS);
    while counts.len() < SAMPLE_RECORDS {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                    continue;
                }
                counts.push(record.len());
            }
            Ok(false) | Err(_) => break,
        }
    }
    // The reader stops at the end of the prefix; when the prefix is not the whole file,
    // its last record may have been cut in the middle.
    if !complete && counts.len() > 1 && reader.is_done() {
        counts.pop();
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_delimiter_is_found() {
        for d in DELIMITERS {
            let sep = char::from(d);
            let text = format!("a{sep}b{sep}c\n1{sep}2{sep}3\n4{sep}5{sep}6\n");
            assert_eq!(sniff_delimiter(text.as_bytes(), true), d, "{sep:?}");
        }
    }

    #[test]
    fn quoted_delimiters_do_not_count() {
        let text = "name;title;city\n\"Lewis, PMP\";\"VP, Sales\";Toronto, Canada\nA;B;C\n";
        assert_eq!(sniff_delimiter(text.as_bytes(), true), b';');
        let text = "name,title\n\"a;b;c\",\"d;e\"\n\"x;y\",z\n";
        assert_eq!(sniff_delimiter(text.as_bytes(), true), b',');
    }

    #[test]
    fn values_with_commas_in_a_semicolon_file() {
        let text = "First Name;Location\nJane;Toronto, Ontario, Canada\nJo;Berlin, Germany\n";
        assert_eq!(sniff_delimiter(text.as_bytes(), true), b';');
    }

    #[test]
    fn one_column_reads_as_comma() {
        assert_eq!(sniff_delimiter(b"email\na@b.com\n", true), b',');
        assert_eq!(sniff_delimiter(b"", true), b',');
    }
}
