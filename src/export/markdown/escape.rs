//! Escaping of people's text for Markdown (CommonMark with GitHub's tables and strikethrough), so
//! that whatever a title, note or action says, it stays literal text and cannot add headings,
//! tables, links, HTML or code to the report.

/// Characters that start inline markup anywhere in a line. `<`, `>` and `&` become entities so
/// that no HTML tag or entity reaches a renderer.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
            out.push('\\');
            out.push(c);
        }
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        _ => out.push(c),
    }
}

/// One line of text inside a paragraph, a list item, a heading or a table cell. Line breaks
/// become spaces; a leading `#` and a trailing run of `#` are escaped so that a heading neither
/// starts with what looks like a second marker nor loses its end.
pub fn escape_inline(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let text = text.trim();
    let trailing_hashes = text.len() - text.trim_end_matches('#').len();
    let body_end = text.len() - trailing_hashes;
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text[..body_end].char_indices() {
        if i == 0 && c == '#' {
            out.push('\\');
        }
        push_escaped(&mut out, c);
    }
    for _ in 0..trailing_hashes {
        out.push_str("\\#");
    }
    out
}

/// Text for a table cell: each line escaped, lines joined with `<br>`, blank lines dropped.
pub fn escape_cell(text: &str) -> String {
    text.lines()
        .map(escape_inline)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Multi-line text as a block: every line escaped and kept as its own line (a hard break), a
/// blank line between paragraphs kept as one, and whatever would start a block at the beginning
/// of a line (`#`, `>`, `-`, `+`, `=`, `1.`, an indent) made literal. Lines after the first are
/// prefixed with `indent`, so the block can continue a list item.
pub fn escape_block(text: &str, indent: &str) -> String {
    let mut paragraphs: Vec<Vec<String>> = vec![Vec::new()];
    for line in text.lines() {
        let escaped = escape_line_start(&escape_inline(line));
        if escaped.is_empty() {
            if paragraphs.last().is_some_and(|p| !p.is_empty()) {
                paragraphs.push(Vec::new());
            }
        } else if let Some(p) = paragraphs.last_mut() {
            p.push(escaped);
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    let hard_break = format!("\\\n{indent}");
    let paragraph_break = format!("\n{}\n{indent}", indent.trim_end());
    paragraphs
        .iter()
        .map(|p| p.join(&hard_break))
        .collect::<Vec<_>>()
        .join(&paragraph_break)
}

/// Escapes a block marker at the start of an (already inline-escaped, trimmed) line.
fn escape_line_start(line: &str) -> String {
    let first = line.chars().next();
    match first {
        Some('#' | '-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            match line[digits..].chars().next() {
                Some('.' | ')') => format!("{}\\{}", &line[..digits], &line[digits..]),
                _ => line.to_string(),
            }
        }
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_stays_literal() {
        assert_eq!(
            escape_inline("# Title | with `pipe` <script>alert(1)</script>"),
            "\\# Title \\| with \\`pipe\\` &lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape_inline("*bold* _em_ [link](x) ~~gone~~ a\\b &amp;"),
            "\\*bold\\* \\_em\\_ \\[link\\](x) \\~\\~gone\\~\\~ a\\\\b &amp;amp;"
        );
        assert_eq!(escape_inline("two\nlines "), "two lines");
        assert_eq!(escape_inline("case #88213"), "case #88213");
    }

    #[test]
    fn a_trailing_hash_run_survives_in_a_heading() {
        assert_eq!(escape_inline("Sev1 ##"), "Sev1 \\#\\#");
        assert_eq!(escape_inline("C#"), "C\\#");
    }

    #[test]
    fn cells_keep_lines_apart_with_br() {
        assert_eq!(escape_cell("a | b\nc\n\n d "), "a \\| b<br>c<br>d");
        assert_eq!(escape_cell(""), "");
    }

    #[test]
    fn block_markers_at_line_start_are_escaped() {
        let text = "# not a heading\n> not a quote\n- not a list\n+ nor this\n\
                    12. nor a numbered one\n3) nor this\n    not code\n===\n2026 is fine";
        assert_eq!(
            escape_block(text, ""),
            "\\# not a heading\\\n&gt; not a quote\\\n\\- not a list\\\n\\+ nor this\\\n\
             12\\. nor a numbered one\\\n3\\) nor this\\\nnot code\\\n\\===\\\n2026 is fine"
        );
    }

    #[test]
    fn block_paragraphs_and_indent() {
        assert_eq!(escape_block("one\ntwo\n\n\n\nthree\n", "  "), "one\\\n  two\n\n  three");
        assert_eq!(escape_block("\n\n", "  "), "");
        assert_eq!(escape_block("ends with \\", ""), "ends with \\\\");
    }
}
