//! CSV with a header line: columns `time` and `text`, optionally `kind` and `author`, named in any
//! case and order; other columns are ignored. Fields may be quoted and span lines. Rows whose
//! fields are all blank are reported as skipped; any other row that cannot be read is an error.

use super::{
    ImportError, ImportedEvent, MAX_RECORD, Out, clean_author, clean_text, decode, parse_field_time, parse_kind, short,
    too_long,
};
use crate::model::sanitize;
use crate::model::time::TimeContext;
use ::csv::{ByteRecord, ReaderBuilder};
use std::collections::VecDeque;
use std::io::Read;

const REQUIRED: [&str; 2] = ["time", "text"];

struct Columns {
    time: usize,
    text: usize,
    kind: Option<usize>,
    author: Option<usize>,
}

/// Whether a line looks like a header this reader accepts.
pub(super) fn is_header(line: &str) -> bool {
    let names: Vec<String> = line.split(',').map(column_name).collect();
    REQUIRED.iter().all(|r| names.iter().any(|n| n == r))
}

fn column_name(field: &str) -> String {
    field
        .trim()
        .trim_start_matches('\u{feff}')
        .trim_matches('"')
        .trim()
        .to_lowercase()
}

fn columns(header: &ByteRecord) -> Result<Columns, String> {
    let names: Vec<String> = header.iter().map(|f| column_name(&decode(f))).collect();
    let find = |wanted: &str| -> Result<Option<usize>, String> {
        let mut at = names.iter().enumerate().filter(|(_, n)| *n == wanted).map(|(i, _)| i);
        match (at.next(), at.next()) {
            (Some(a), Some(b)) => Err(format!(
                "column \"{wanted}\" appears twice (columns {} and {})",
                a + 1,
                b + 1
            )),
            (found, _) => Ok(found),
        }
    };
    let (time, text) = (find("time")?, find("text")?);
    let (Some(time), Some(text)) = (time, text) else {
        return Err(format!(
            "expected a header line naming the columns \"time\" and \"text\" (and optionally \"kind\", \"author\"); found {}",
            short(&names.join(","))
        ));
    };
    Ok(Columns {
        time,
        text,
        kind: find("kind")?,
        author: find("author")?,
    })
}

pub(super) fn read<R: Read>(reader: R, out: &mut Out, ctx: &TimeContext) -> Result<(), ImportError> {
    let mut rdr = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(LineCounter::new(reader));
    let mut record = ByteRecord::new();
    // The line where the current record starts, for errors that carry no position.
    let mut line = 1;
    let mut next = |record: &mut ByteRecord, out: &Out| -> Result<Option<usize>, ImportError> {
        match rdr.read_byte_record(record) {
            Ok(true) => {
                if let Some(p) = record.position() {
                    line = rdr.get_mut().line_at(p.byte());
                }
                Ok(Some(line))
            }
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map_or(line, |p| rdr.get_mut().line_at(p.byte()));
                let message = e.to_string();
                match e.into_kind() {
                    ::csv::ErrorKind::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<Refused>()) {
                        Some(refused) => Err(out.invalid(refused.line, refused.message.clone())),
                        None => Err(out.io(line, io)),
                    },
                    _ => Err(out.invalid(line, format!("cannot read the CSV: {message}"))),
                }
            }
        }
    };
    let Some(header_line) = next(&mut record, out)? else {
        return Err(out.invalid(
            1,
            "expected a header line naming the columns \"time\" and \"text\"; the file is empty",
        ));
    };
    let cols = columns(&record).map_err(|message| out.invalid(header_line, message))?;
    while let Some(line) = next(&mut record, out)? {
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            out.skip(line, "an empty row")?;
            continue;
        }
        let event = row(&record, &cols, line, out, ctx)?;
        out.emit(event)?;
    }
    Ok(())
}

/// Where the bytes read so far leave the CSV syntax, as the csv crate reads it (a quote opens a
/// quoted field only at the start of a field; `""` inside one is a quote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: it closes the field unless another quote follows.
    QuoteInQuoted,
}

/// The most lines one record may span (a quoted field with line breaks): a quote that closes
/// only far below where it opened is a missing quote, not an event.
pub(super) const MAX_RECORD_LINES: usize = 10_000;

/// Input the CSV reader refuses before the csv crate sees it: an unclosed quote, a record past
/// [`MAX_RECORD`] bytes or [`MAX_RECORD_LINES`] lines. Travels through the csv crate as the
/// payload of an I/O error.
#[derive(Debug)]
struct Refused {
    line: usize,
    message: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for Refused {}

/// Counts lines for the records the csv crate reads: its own line numbers miss skipped blank
/// lines and count CRLF oddly. A record's byte position is where the parser began looking for
/// it, which may be in the blank lines before it, so those lines are counted in.
///
/// It also follows the quoting of what passes through, so that a record stays bounded (the csv
/// crate would read a quote that never closes to the end of the file as one field).
struct LineCounter<R> {
    inner: R,
    syntax: Syntax,
    /// The physical line being read (1-based), and where the current record and the open quoted
    /// field began.
    physical: usize,
    record_line: usize,
    record_bytes: usize,
    quote_line: usize,
    /// Set once input was refused: every later read fails the same way.
    refused: Option<(usize, String)>,
    /// Bytes read so far.
    offset: u64,
    /// The last byte that was not `\r` or `\n`.
    last_content: Option<u64>,
    /// Line feeds not yet counted: their offset, and `last_content` when they were read.
    pending: VecDeque<(u64, Option<u64>)>,
    /// Line feeds before the latest record.
    counted: usize,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> Self {
        LineCounter {
            inner,
            syntax: Syntax::FieldStart,
            physical: 1,
            record_line: 1,
            record_bytes: 0,
            quote_line: 1,
            refused: None,
            offset: 0,
            last_content: None,
            pending: VecDeque::new(),
            counted: 0,
        }
    }

    /// The line of the first content at or after `byte`; calls must come in file order.
    fn line_at(&mut self, byte: u64) -> usize {
        while let Some(&(at, content)) = self.pending.front() {
            let blank_before_record = content.is_none_or(|c| c < byte);
            if at >= byte && !blank_before_record {
                break;
            }
            self.pending.pop_front();
            self.counted += 1;
        }
        self.counted + 1
    }
}

impl<R> LineCounter<R> {
    /// Follows one byte through the CSV syntax; `Err` when the record grows past its bounds.
    fn follow(&mut self, b: u8, at: u64) -> Result<(), (usize, String)> {
        const BOM: &[u8] = b"\xef\xbb\xbf";
        let terminator = b == b'\n' || b == b'\r';
        if b == b'\n' {
            self.physical += 1;
        }
        if self.syntax == Syntax::FieldStart && (at as usize) < BOM.len() && BOM[at as usize] == b {
            return Ok(());
        }
        let starts_record = self.syntax != Syntax::Quoted && self.record_bytes == 0;
        if starts_record && !terminator {
            self.record_line = self.physical;
        }
        self.syntax = match (self.syntax, b) {
            (Syntax::FieldStart, b'"') => {
                self.quote_line = self.physical;
                Syntax::Quoted
            }
            (Syntax::Quoted, b'"') => Syntax::QuoteInQuoted,
            (Syntax::Quoted, _) => Syntax::Quoted,
            (Syntax::QuoteInQuoted, b'"') => Syntax::Quoted,
            (_, b',') => Syntax::FieldStart,
            (_, _) if terminator => Syntax::FieldStart,
            _ => Syntax::Unquoted,
        };
        if terminator && self.syntax == Syntax::FieldStart {
            self.record_bytes = 0;
            return Ok(());
        }
        self.record_bytes += 1;
        let open_quote = || match self.syntax {
            Syntax::Quoted => format!(
                " (a quoted field opened on line {} is still open: a missing quote?)",
                self.quote_line
            ),
            _ => String::new(),
        };
        if self.record_bytes > MAX_RECORD {
            return Err((self.record_line, format!("{}{}", too_long("a record"), open_quote())));
        }
        if self.physical - self.record_line >= MAX_RECORD_LINES {
            return Err((
                self.record_line,
                format!("a record spanning more than {MAX_RECORD_LINES} lines{}", open_quote()),
            ));
        }
        Ok(())
    }

    /// At the end of the input: a quoted field still open is an error naming where it opened.
    fn finish(&self) -> Result<(), (usize, String)> {
        match self.syntax {
            Syntax::Quoted => Err((
                self.quote_line,
                "a quoted field opened on this line is never closed (a missing quote?)".to_string(),
            )),
            _ => Ok(()),
        }
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let refuse = |(line, message): (usize, String)| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, Refused { line, message })
        };
        if let Some(refused) = &self.refused {
            return Err(refuse(refused.clone()));
        }
        let n = self.inner.read(buf)?;
        let checked = if n == 0 {
            self.finish()
        } else {
            buf[..n]
                .iter()
                .enumerate()
                .try_for_each(|(i, &b)| self.follow(b, self.offset + i as u64))
        };
        if let Err(refused) = checked {
            self.refused = Some(refused.clone());
            return Err(refuse(refused));
        }
        for (i, &b) in buf[..n].iter().enumerate() {
            let at = self.offset + i as u64;
            match b {
                b'\n' => self.pending.push_back((at, self.last_content)),
                b'\r' => {}
                _ => self.last_content = Some(at),
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

fn row(
    record: &ByteRecord,
    cols: &Columns,
    line: usize,
    out: &Out,
    ctx: &TimeContext,
) -> Result<ImportedEvent, ImportError> {
    let field = |i: usize| decode(record.get(i).unwrap_or_default());
    let time = sanitize::clean_line(&field(cols.time));
    if time.is_empty() {
        return Err(out.invalid(line, "expected a time in column \"time\", found nothing"));
    }
    let at = parse_field_time(&time, ctx).map_err(|e| out.time_error(line, Some("column \"time\""), e))?;
    let text = clean_text(&field(cols.text));
    if text.is_empty() {
        return Err(out.invalid(line, "expected text in column \"text\", found nothing"));
    }
    let kind = match cols.kind {
        Some(i) => parse_kind(&field(i)).map_err(|e| out.invalid(line, format!("{e} in column \"kind\"")))?,
        None => None,
    };
    Ok(ImportedEvent {
        at,
        text,
        kind,
        author: cols.author.and_then(|i| clean_author(&field(i))),
        line,
        level: None,
        origin: None,
        legacy_text: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, utc};
    use super::super::{Format, Skipped, detect};
    use crate::model::EventKind;

    #[test]
    fn good_rows_in_any_column_order_with_local_times() {
        let input = "Author,TIME,extra,Text,kind\n\
                     Ana,2026-11-26 14:02,x,deployed v2.14,deploy\n\
                     ,14:14:30,,\"pool exhausted\non all pods\",Alert\n\
                     Bo,2026-11-26T13:20:00Z,,rolled back,\n\
                     Cy,2026-11-26 14:32:01.250+01:00,,\"said \"\"hi\"\"\",communication\n";
        let (events, summary) = collect("incident.csv", input.as_bytes(), Format::Csv).unwrap();
        assert_eq!(summary.events, 4);
        assert_eq!(summary.first, Some(utc("2026-11-26T13:02:00Z")));
        assert_eq!(summary.last, Some(utc("2026-11-26T13:32:01.250Z")));
        let got: Vec<_> = events
            .iter()
            .map(|e| (e.at, e.text.as_str(), e.kind, e.author.as_deref(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    utc("2026-11-26T13:02:00Z"),
                    "deployed v2.14",
                    Some(EventKind::Deploy),
                    Some("Ana"),
                    2
                ),
                (
                    utc("2026-11-26T13:14:30Z"),
                    "pool exhausted\non all pods",
                    Some(EventKind::Alert),
                    None,
                    3
                ),
                (utc("2026-11-26T13:20:00Z"), "rolled back", None, Some("Bo"), 5),
                (
                    utc("2026-11-26T13:32:01.250Z"),
                    "said \"hi\"",
                    Some(EventKind::Communication),
                    Some("Cy"),
                    6
                ),
            ]
        );
    }

    #[test]
    fn unix_seconds_and_log_style_times_are_read_too() {
        let input = "time,text\n1795698600,a\n1795698600.5,b\n2026-11-26 14:10:00,250,c\n";
        let (events, _) = collect("t.csv", input.as_bytes(), Format::Csv).unwrap();
        assert_eq!(events[0].at, utc("2026-11-26T13:10:00Z"));
        assert_eq!(events[1].at, utc("2026-11-26T13:10:00.5Z"));
        // An unquoted comma ends the field: the time is 14:10:00 and the text "250".
        assert_eq!(
            (events[2].at, events[2].text.as_str()),
            (utc("2026-11-26T13:10:00Z"), "250")
        );
    }

    #[test]
    fn a_bad_time_names_file_line_column_and_the_accepted_forms() {
        let input = "time,text\n14:00,ok\n\"14:01\",\"two\nlines\"\n25:99,bad\n";
        let err = collect("incident.csv", input.as_bytes(), Format::Csv)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("incident.csv:5: cannot read time \"25:99\" in column \"time\" (accepted: "),
            "{err}"
        );
        assert!(err.contains("14:32:05"), "{err}");
    }

    #[test]
    fn an_unknown_kind_or_missing_text_is_an_error() {
        let err = collect("i.csv", b"time,text,kind\n14:00,x,outage\n", Format::Csv)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("i.csv:2: unknown event kind \"outage\""), "{err}");
        assert!(
            err.contains("alert, deploy") && err.ends_with("in column \"kind\""),
            "{err}"
        );
        let err = collect("i.csv", b"time,text\n14:00,   \n", Format::Csv)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "i.csv:2: expected text in column \"text\", found nothing");
        let err = collect("i.csv", b"time,text\n14:00\n", Format::Csv)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "i.csv:2: expected text in column \"text\", found nothing");
        let err = collect("i.csv", b"time,text\n,x\n", Format::Csv)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "i.csv:2: expected a time in column \"time\", found nothing");
    }

    #[test]
    fn the_header_must_name_time_and_text_once() {
        let err = collect("i.csv", b"when,what\n14:00,x\n", Format::Csv)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("i.csv:1: expected a header line naming the columns \"time\" and \"text\""),
            "{err}"
        );
        assert!(err.ends_with("found when,what"), "{err}");
        let err = collect("i.csv", b"", Format::Csv).unwrap_err().to_string();
        assert!(err.starts_with("i.csv:1: expected a header line"), "{err}");
        let err = collect("i.csv", b"time,text,Time\n", Format::Csv)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "i.csv:1: column \"time\" appears twice (columns 1 and 3)");
    }

    #[test]
    fn crlf_bom_blank_rows_and_invalid_utf8() {
        let input = b"\xef\xbb\xbftime,text\r\n14:00,\"a\r\nb\"\r\n\r\n , \r\n14:05,bad \xff byte\r\n";
        let (events, summary) = collect("i.csv", input, Format::Csv).unwrap();
        assert_eq!(events[0].text, "a\nb");
        assert_eq!(events[1].text, "bad \u{fffd} byte");
        assert_eq!(events[1].line, 6);
        assert_eq!(
            summary.skipped,
            [Skipped {
                line: 5,
                reason: "an empty row".into()
            }]
        );
    }

    #[test]
    fn line_numbers_count_blank_lines_and_quoted_line_breaks_in_both_line_endings() {
        for eol in ["\n", "\r\n"] {
            let input = [
                "",
                "time,text",
                "",
                "14:00,\"a",
                "",
                "b\"",
                "",
                "",
                "14:01,c",
                "14:02,d",
                "",
            ]
            .join(eol);
            let (events, _) = collect("i.csv", input.as_bytes(), Format::Csv).unwrap();
            let lines: Vec<_> = events.iter().map(|e| e.line).collect();
            assert_eq!(lines, [4, 9, 10], "{eol:?}");
            assert_eq!(events[0].text, "a\n\nb");
            let err = collect("i.csv", format!("{input}{eol}{eol}25:00,x").as_bytes(), Format::Csv).unwrap_err();
            assert_eq!(err.place().map(|p| p.line), Some(13), "{eol:?}");
        }
    }

    /// A quote that never closes used to swallow the rest of the file into one field
    /// ("imported 2 events", one of them 25 KB): it is an error naming the line where it opened.
    #[test]
    fn a_quote_that_never_closes_is_an_error_naming_where_it_opened() {
        for eol in ["\n", "\r\n"] {
            let mut input = format!("time,text{eol}2026-11-26 13:59,fine{eol}2026-11-26 14:00,\"he said \"\"stop{eol}");
            for i in 0..1000 {
                input.push_str(&format!("2026-11-26 14:{:02},line {i}{eol}", i % 60));
            }
            let err = collect("i.csv", input.as_bytes(), Format::Csv).unwrap_err();
            assert_eq!(err.place().map(|p| p.line), Some(3), "{eol:?}: {err}");
            assert_eq!(
                err.to_string(),
                "i.csv:3: a quoted field opened on this line is never closed (a missing quote?)"
            );
        }
        // Quotes inside an unquoted field, and doubled quotes, do not open anything.
        let (events, _) = collect(
            "i.csv",
            b"time,text\n14:00,5\" pipe\n14:01,\"a \"\"b\"\"\"\n",
            Format::Csv,
        )
        .unwrap();
        assert_eq!(events[0].text, "5\" pipe");
        assert_eq!(events[1].text, "a \"b\"");
        // A quote closed further down is a field with line breaks, within bounds.
        let (events, _) = collect("i.csv", b"time,text\n14:00,\"a\n\nb\"\n14:01,c\n", Format::Csv).unwrap();
        assert_eq!(events.len(), 2);
    }

    #[test]
    fn a_record_past_its_bounds_is_an_error_naming_its_line() {
        use super::super::MAX_RECORD;
        // A quoted field of more than 1 MiB (its quote closes, much later).
        let big = format!(
            "time,text\n14:00,ok\n14:01,\"{}\"\n14:02,ok\n",
            "x".repeat(2 * MAX_RECORD)
        );
        let err = collect("i.csv", big.as_bytes(), Format::Csv).unwrap_err().to_string();
        assert_eq!(
            err,
            "i.csv:3: a record longer than 1 MiB (the most one record may hold) (a quoted field opened on line 3 is still open: a missing quote?)"
        );
        // An unquoted record with no line break at all.
        let big = format!("time,text\n14:01,{}", "y".repeat(MAX_RECORD + 1));
        let err = collect("i.csv", big.as_bytes(), Format::Csv).unwrap_err().to_string();
        assert_eq!(
            err,
            "i.csv:2: a record longer than 1 MiB (the most one record may hold)"
        );
        // A quoted field spanning an absurd number of (short) lines.
        let tall = format!("time,text\n14:00,\"{}end\"\n", "\n".repeat(super::MAX_RECORD_LINES + 5));
        let err = collect("i.csv", tall.as_bytes(), Format::Csv).unwrap_err().to_string();
        assert_eq!(
            err,
            "i.csv:2: a record spanning more than 10000 lines (a quoted field opened on line 2 is still open: a missing quote?)"
        );
        // Just under both bounds is fine.
        let fits = format!(
            "time,text\n14:00,\"{}{}\"\n",
            "\n".repeat(100),
            "z".repeat(MAX_RECORD - 200)
        );
        let (events, _) = collect("i.csv", fits.as_bytes(), Format::Csv).unwrap();
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn detects_a_header_with_time_and_text() {
        assert_eq!(detect(b"time,text\n14:00,x\n"), Some(Format::Csv));
        assert_eq!(detect(b"\"Kind\",\"Text\",\"Time\"\r\n"), Some(Format::Csv));
        assert_eq!(detect(b"time,message\n"), None);
    }
}
