//! CSV with a header line: columns `time` and `text`, optionally `kind` and `author`, named in any
//! case and order; other columns are ignored. Fields may be quoted and span lines. Rows whose
//! fields are all blank are reported as skipped; any other row that cannot be read is an error.

use super::{ImportError, ImportedEvent, Out, clean_author, clean_text, decode, parse_field_time, parse_kind, short};
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
                    ::csv::ErrorKind::Io(io) => Err(out.io(line, io)),
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
            out.skip(line, "an empty row");
            continue;
        }
        let event = row(&record, &cols, line, out, ctx)?;
        out.emit(event)?;
    }
    Ok(())
}

/// Counts lines for the records the csv crate reads: its own line numbers miss skipped blank
/// lines and count CRLF oddly. A record's byte position is where the parser began looking for
/// it, which may be in the blank lines before it, so those lines are counted in.
struct LineCounter<R> {
    inner: R,
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

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
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

    #[test]
    fn detects_a_header_with_time_and_text() {
        assert_eq!(detect(b"time,text\n14:00,x\n"), Some(Format::Csv));
        assert_eq!(detect(b"\"Kind\",\"Text\",\"Time\"\r\n"), Some(Format::Csv));
        assert_eq!(detect(b"time,message\n"), None);
    }
}
