//! Text encodings of export files. Excel and the CRMs write UTF-8 with or without a byte-order
//! mark, "Unicode text" (UTF-16 with a BOM, usually tab-separated), and in older Windows
//! setups Windows-1252. The encoding is decided from the first bytes: a BOM, or the pattern
//! of zero bytes that UTF-16 text without a BOM shows. UTF-16 is transcoded to UTF-8 while it
//! streams ([`Utf16Reader`]); UTF-8 and Windows-1252 are parsed as bytes and each row is
//! decoded on its own ([`RowDecoding`]), so that a file that is not valid UTF-8 falls back to
//! Windows-1252 from the first row that needs it, without reading the file twice.
//!
//! [`open_text`] is the one way a file is opened, for the importers and for the raw tables
//! of entity resolution alike: encoding and BOM, UTF-16, the delimiter, CR line ends and how
//! rows are decoded are decided here, once. So is whether the file is text at all: a
//! program, an image or a zipped workbook would otherwise be read as one long CSV whose
//! every "row" is rejected ([`binary_at`]).

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Cursor, Read};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use encoding_rs::{Decoder, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::report::{FileFormat, Notice};
use super::sniff;

/// Bytes read ahead to sniff the encoding, the format and the delimiter.
pub(crate) const PREFIX: usize = 64 * 1024;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An encoding name that is not one of those [`Encoding::from_str`] knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown encoding {0:?}: use utf-8, utf-8-bom, utf-16le, utf-16be, utf-16 or windows-1252")]
pub struct UnknownEncoding(pub String);

impl FromStr for Encoding {
    type Err = UnknownEncoding;

    /// Reads the usual names, case-insensitively: `utf-8`, `utf8`, `utf-8-sig`, `utf-16le`,
    /// `utf-16be`, `utf-16` (little-endian, as Windows writes it), `windows-1252`, `cp1252`,
    /// and `latin1` / `iso-8859-1` (which every browser reads as Windows-1252 too).
    fn from_str(name: &str) -> Result<Encoding, UnknownEncoding> {
        let key: String = name
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match key.as_str() {
            "utf8" => Ok(Encoding::Utf8),
            "utf8bom" | "utf8sig" => Ok(Encoding::Utf8Bom),
            "utf16le" | "utf16" | "ucs2" | "unicode" => Ok(Encoding::Utf16Le),
            "utf16be" => Ok(Encoding::Utf16Be),
            "windows1252" | "cp1252" | "latin1" | "iso88591" | "ansi" => Ok(Encoding::Windows1252),
            _ => Err(UnknownEncoding(name.to_string())),
        }
    }
}

/// Decides the encoding from the first bytes of a file, and how many bytes of BOM to skip.
/// Without a BOM, text whose every other byte is zero is UTF-16 (of that byte order);
/// anything else is read as UTF-8 with the per-row Windows-1252 fallback.
fn sniff_encoding(prefix: &[u8]) -> (Encoding, usize) {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (Encoding::Utf8Bom, 3);
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return (Encoding::Utf16Le, 2);
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return (Encoding::Utf16Be, 2);
    }
    let sample = &prefix[..prefix.len().min(512) & !1];
    if sample.len() >= 4 {
        let pairs = sample.len() / 2;
        let zero_odd = sample.chunks(2).filter(|p| p[1] == 0 && p[0] != 0).count();
        let zero_even = sample.chunks(2).filter(|p| p[0] == 0 && p[1] != 0).count();
        if zero_odd * 10 >= pairs * 9 {
            return (Encoding::Utf16Le, 0);
        }
        if zero_even * 10 >= pairs * 9 {
            return (Encoding::Utf16Be, 0);
        }
    }
    (Encoding::Utf8, 0)
}

/// The number of bytes a BOM of `encoding` takes at the start of `prefix`, if it is there.
fn bom_len(encoding: Encoding, prefix: &[u8]) -> usize {
    let bom: &[u8] = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => &[0xEF, 0xBB, 0xBF],
        Encoding::Utf16Le => &[0xFF, 0xFE],
        Encoding::Utf16Be => &[0xFE, 0xFF],
        Encoding::Windows1252 => &[],
    };
    if !bom.is_empty() && prefix.starts_with(bom) {
        bom.len()
    } else {
        0
    }
}

/// A file that [`open_text`] could not open as text.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenError {
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The first block is not text; the offset of the byte that shows it, counted from 0.
    #[error("not a text file: binary content at byte {0}")]
    Binary(u64),
}

/// Control characters in the first block above which a file is not text: one in twenty.
/// Exports hold none but tab, line ends and the odd form feed; random or compressed bytes
/// are one tenth control characters.
const CONTROL_SHARE: usize = 20;

/// Where the first block of a file shows that it is not text, as a byte offset in the file:
/// its first NUL (no text in UTF-8 or Windows-1252 has one; git and grep judge the same
/// way), else its first control character when more than one character in
/// [`CONTROL_SHARE`] is one. UTF-16 is judged by its code units, so its zero bytes count
/// for nothing. `bom` bytes of byte-order mark start `prefix`.
fn binary_at(prefix: &[u8], encoding: Encoding, bom: usize) -> Option<u64> {
    let body = &prefix[bom..];
    let units: Box<dyn Iterator<Item = (usize, u16)>> = match encoding {
        Encoding::Utf16Le => Box::new(
            body.chunks_exact(2)
                .enumerate()
                .map(|(i, p)| (2 * i, u16::from_le_bytes([p[0], p[1]]))),
        ),
        Encoding::Utf16Be => Box::new(
            body.chunks_exact(2)
                .enumerate()
                .map(|(i, p)| (2 * i, u16::from_be_bytes([p[0], p[1]]))),
        ),
        _ => Box::new(body.iter().enumerate().map(|(i, &b)| (i, u16::from(b)))),
    };
    let (mut characters, mut controls, mut first_control) = (0usize, 0usize, None);
    for (offset, unit) in units {
        characters += 1;
        if unit == 0 {
            return Some((bom + offset) as u64);
        }
        let control = (unit < 0x20 && !matches!(unit, 0x09..=0x0D)) || unit == 0x7F;
        if control {
            controls += 1;
            first_control.get_or_insert(bom + offset);
        }
    }
    if controls * CONTROL_SHARE > characters {
        first_control.map(|offset| offset as u64)
    } else {
        None
    }
}

/// A file opened as text: the encoding decided and its BOM dropped, UTF-16 transcoded to
/// UTF-8 as it streams, and the first [`PREFIX`] bytes of text held back to sniff the file
/// format and the delimiter from.
pub(crate) struct Text {
    pub(crate) encoding: Encoding,
    /// How the bytes of each row become text.
    pub(crate) decoding: RowDecoding,
    /// The first bytes of the text, handed out first by [`Text::into_stream`].
    prefix: Vec<u8>,
    /// `prefix` is the whole text.
    complete: bool,
    rest: Box<dyn Read + Send>,
    utf16: Utf16Watch,
}

/// Opens `input` as text in the `given` encoding, else in the one its first bytes show
/// ([`sniff_encoding`]). A given encoding reads invalid bytes as U+FFFD; a sniffed UTF-8 falls
/// back to Windows-1252 row by row. Input whose first block is not text is refused before
/// anything else is read ([`binary_at`]).
pub(crate) fn open_text<R: Read + Send + 'static>(
    mut input: R,
    given: Option<Encoding>,
) -> Result<Text, OpenError> {
    let mut prefix = read_prefix(&mut input, PREFIX)?;
    let complete = prefix.len() < PREFIX;
    let (encoding, bom) = match given {
        Some(e) => (e, bom_len(e, &prefix)),
        None => sniff_encoding(&prefix),
    };
    if let Some(offset) = binary_at(&prefix, encoding, bom) {
        return Err(OpenError::Binary(offset));
    }
    prefix.drain(..bom);
    let decoding = match (encoding, given) {
        (Encoding::Windows1252, _) => RowDecoding::Windows1252,
        (Encoding::Utf16Le | Encoding::Utf16Be, _) | (_, Some(_)) => RowDecoding::Utf8Lossy,
        (_, None) => RowDecoding::Utf8WithFallback,
    };
    let (prefix, rest, complete, utf16): (Vec<u8>, Box<dyn Read + Send>, bool, Utf16Watch) =
        match encoding {
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let seen = Arc::new(AtomicU64::new(u64::MAX));
                let mut decoded = Watched {
                    inner: Utf16Reader::new(
                        Cursor::new(prefix).chain(input),
                        encoding == Encoding::Utf16Be,
                    ),
                    seen: seen.clone(),
                };
                let text_prefix = read_prefix(&mut decoded, PREFIX)?;
                let text_complete = text_prefix.len() < PREFIX;
                let watch = Utf16Watch(Some(seen));
                (text_prefix, Box::new(decoded), text_complete, watch)
            }
            _ => (prefix, Box::new(input), complete, Utf16Watch(None)),
        };
    Ok(Text {
        encoding,
        decoding,
        prefix,
        complete,
        rest,
        utf16,
    })
}

impl Text {
    /// The first bytes of the text.
    pub(crate) fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// Whether the text holds anything but whitespace. Only the first [`PREFIX`] bytes are
    /// looked at: a longer text is taken to have content.
    pub(crate) fn has_content(&self) -> bool {
        !self.complete || self.prefix.iter().any(|b| !b.is_ascii_whitespace())
    }

    /// JSON Lines when the text starts with `{`, else CSV.
    pub(crate) fn sniff_format(&self) -> FileFormat {
        match self.prefix.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => FileFormat::JsonLines,
            _ => FileFormat::Csv,
        }
    }

    /// The `given` delimiter, else the one the first records show ([`sniff`]).
    pub(crate) fn delimiter(&self, given: Option<u8>) -> u8 {
        given.unwrap_or_else(|| sniff::sniff_delimiter(&self.prefix, self.complete))
    }

    /// What tells of invalid UTF-16, once the text has been read.
    pub(crate) fn utf16_watch(&self) -> Utf16Watch {
        self.utf16.clone()
    }

    /// The whole text as one stream. Classic Mac files end lines with CR alone; every other
    /// file has LF, so a text with CR and no LF has its CRs read as LFs.
    pub(crate) fn into_stream(self) -> Box<dyn Read + Send> {
        let cr_only = self.prefix.contains(&b'\r') && !self.prefix.contains(&b'\n');
        let stream: Box<dyn Read + Send> = Box::new(Cursor::new(self.prefix).chain(self.rest));
        if cr_only {
            Box::new(CrToLf(stream))
        } else {
            stream
        }
    }
}

/// Reads up to `limit` bytes (fewer only at the end of the input).
fn read_prefix(reader: &mut dyn Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(limit);
    reader.take(limit as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// The byte offset where the UTF-16 decoder first met invalid input, shared between the
/// stream and whoever reports on it; empty for text that is not UTF-16.
#[derive(Clone)]
pub(crate) struct Utf16Watch(Option<Arc<AtomicU64>>);

impl Utf16Watch {
    /// The notice of invalid UTF-16, if the decoder replaced any.
    pub(crate) fn notice(&self) -> Option<Notice> {
        let offset = self.0.as_ref()?.load(Ordering::Relaxed);
        (offset != u64::MAX).then(|| Notice {
            row: None,
            line: None,
            message: format!("invalid UTF-16 near byte {offset}: replaced with U+FFFD"),
        })
    }
}

/// Shares the UTF-16 decoder's first replacement offset with the [`Utf16Watch`].
struct Watched<R> {
    inner: Utf16Reader<R>,
    seen: Arc<AtomicU64>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(offset) = self.inner.first_replacement {
            self.seen.fetch_min(offset, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// Turns the CR line endings of a classic Mac file into LF.
struct CrToLf<R>(R);

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

/// Transcodes UTF-16 to UTF-8 while reading, in fixed-size chunks: memory does not grow with
/// the file. Unpaired surrogates become U+FFFD; the byte offset of the first one is kept for
/// the import's warnings.
struct Utf16Reader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    input_start: usize,
    input_end: usize,
    output: Vec<u8>,
    output_start: usize,
    output_end: usize,
    eof: bool,
    /// The decoder has been given its last input and flushed; reads return 0 from now on.
    finished: bool,
    consumed: u64,
    first_replacement: Option<u64>,
}

const CHUNK: usize = 64 * 1024;

impl<R: Read> Utf16Reader<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        let encoding = if big_endian { UTF_16BE } else { UTF_16LE };
        Utf16Reader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; CHUNK],
            input_start: 0,
            input_end: 0,
            // UTF-16 code units become at most 3 bytes of UTF-8 each.
            output: vec![0; CHUNK * 3 / 2 + 16],
            output_start: 0,
            output_end: 0,
            eof: false,
            finished: false,
            consumed: 0,
            first_replacement: None,
        }
    }

    fn fill_output(&mut self) -> io::Result<()> {
        while self.output_start == self.output_end && !self.finished {
            if self.input_start == self.input_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.input_start = 0;
                self.input_end = n;
                self.eof = n == 0;
            }
            let last = self.eof;
            let (result, read, written, replaced) = self.decoder.decode_to_utf8(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                last,
            );
            if replaced && self.first_replacement.is_none() {
                self.first_replacement = Some(self.consumed);
            }
            self.input_start += read;
            self.consumed += read as u64;
            self.output_start = 0;
            self.output_end = written;
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fill_output()?;
        let n = (self.output_end - self.output_start).min(buf.len());
        buf[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
        self.output_start += n;
        Ok(n)
    }
}

/// How the bytes of one row become text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowDecoding {
    /// UTF-8; a row that is not valid UTF-8 is read as Windows-1252 instead.
    Utf8WithFallback,
    /// Always UTF-8; bytes that are not valid UTF-8 become U+FFFD.
    Utf8Lossy,
    /// Always Windows-1252.
    Windows1252,
}

/// What decoding one field found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded {
    Clean,
    /// The first byte that is not UTF-8, and its position in the field.
    NotUtf8 {
        byte: u8,
    },
}

/// Decodes one field's bytes. Windows-1252 decoding cannot fail: every byte maps to a
/// character.
pub(crate) fn decode_field(bytes: &[u8], how: RowDecoding) -> (Cow<'_, str>, Decoded) {
    match how {
        RowDecoding::Windows1252 => (
            WINDOWS_1252.decode_without_bom_handling(bytes).0,
            Decoded::Clean,
        ),
        RowDecoding::Utf8WithFallback | RowDecoding::Utf8Lossy => {
            match std::str::from_utf8(bytes) {
                Ok(text) => (Cow::Borrowed(text), Decoded::Clean),
                Err(e) => {
                    let byte = bytes[e.valid_up_to()];
                    let text = if how == RowDecoding::Utf8Lossy {
                        String::from_utf8_lossy(bytes)
                    } else {
                        WINDOWS_1252.decode_without_bom_handling(bytes).0
                    };
                    (text, Decoded::NotUtf8 { byte })
                }
            }
        }
    }
}

/// The notice of the first row that was not valid UTF-8: read as Windows-1252 from then on
/// (when the encoding was sniffed), or with U+FFFD for the bad bytes (when it was given).
pub(crate) fn fallback_notice(decoding: RowDecoding, row: u64, line: u64, byte: u8) -> Notice {
    let message = match decoding {
        RowDecoding::Utf8WithFallback => format!(
            "byte 0x{byte:02X} is not UTF-8: this row and every other row that is not valid \
             UTF-8 were read as Windows-1252"
        ),
        _ => format!("byte 0x{byte:02X} is not UTF-8: replaced with U+FFFD"),
    };
    Notice {
        row: Some(row),
        line: Some(line),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn boms_decide_the_encoding() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFa,b"), (Encoding::Utf8Bom, 3));
        assert_eq!(sniff_encoding(b"\xFF\xFEa\0"), (Encoding::Utf16Le, 2));
        assert_eq!(sniff_encoding(b"\xFE\xFF\0a"), (Encoding::Utf16Be, 2));
        assert_eq!(sniff_encoding(b"a,b\n"), (Encoding::Utf8, 0));
        assert_eq!(sniff_encoding(b"M\xFCller,b\n"), (Encoding::Utf8, 0));
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        assert_eq!(
            sniff_encoding(&utf16("Email\tName\n", false)),
            (Encoding::Utf16Le, 0)
        );
        assert_eq!(
            sniff_encoding(&utf16("Email\tName\n", true)),
            (Encoding::Utf16Be, 0)
        );
    }

    #[test]
    fn utf16_streams_across_chunk_boundaries() {
        let text: String = (0..40_000).map(|i| format!("Zoë {i}\n")).collect();
        for big_endian in [false, true] {
            let mut out = String::new();
            Utf16Reader::new(&utf16(&text, big_endian)[..], big_endian)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
        }
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let (text, found) = decode_field(b"M\xFCller", RowDecoding::Utf8WithFallback);
        assert_eq!(text, "Müller");
        assert_eq!(found, Decoded::NotUtf8 { byte: 0xFC });
        let (text, found) = decode_field("Müller".as_bytes(), RowDecoding::Utf8WithFallback);
        assert_eq!((text.as_ref(), found), ("Müller", Decoded::Clean));
        let (text, _) = decode_field(b"\x80 5", RowDecoding::Windows1252);
        assert_eq!(text, "€ 5");
    }

    #[test]
    fn a_nul_byte_or_many_control_characters_are_not_text() {
        // A program: its header has zero bytes from the fifth byte on.
        assert_eq!(
            binary_at(b"\x7FELF\x02\x01\x01\0\0", Encoding::Utf8, 0),
            Some(7)
        );
        // Without a NUL, one control character in ten is too many; one in a hundred is a
        // stray one in an export.
        let noisy: Vec<u8> = b"abcdefghi\x01".repeat(20);
        assert_eq!(binary_at(&noisy, Encoding::Utf8, 0), Some(9));
        let mut stray = b"email,name\n".repeat(10);
        stray[50] = 0x1B;
        assert_eq!(binary_at(&stray, Encoding::Utf8, 0), None);
        assert_eq!(binary_at(b"a\tb\r\nc\x0Cd\n", Encoding::Utf8, 0), None);
    }

    #[test]
    fn utf16_is_text_by_its_code_units() {
        // Arrange: UTF-16 is half zero bytes.
        let text = [&[0xFF, 0xFE][..], &utf16("Email\tName\nZo\u{eb}\n", false)].concat();

        // Act / Assert: a UTF-16 NUL is at its byte offset in the file, BOM included.
        assert_eq!(binary_at(&text, Encoding::Utf16Le, 2), None);
        assert_eq!(
            binary_at(&utf16("Email\tName\n", true), Encoding::Utf16Be, 0),
            None
        );
        let with_nul = [&text[..], &[0, 0]].concat();
        assert_eq!(
            binary_at(&with_nul, Encoding::Utf16Le, 2),
            Some(text.len() as u64)
        );
        assert!(matches!(
            open_text(Cursor::new(with_nul), None),
            Err(OpenError::Binary(_))
        ));
    }

    #[test]
    fn encoding_names() {
        assert_eq!("UTF-8".parse(), Ok(Encoding::Utf8));
        assert_eq!("cp1252".parse(), Ok(Encoding::Windows1252));
        assert_eq!("UTF-16".parse(), Ok(Encoding::Utf16Le));
        assert!("ebcdic".parse::<Encoding>().is_err());
    }
}
