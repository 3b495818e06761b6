//! Plain text of a lesson's HTML (what search indexes, and what a PDF shows of an HTML
//! block): comments and tags dropped (block ones leave a space), entities decoded. A
//! heading, table cell, term or caption ends with a " · ", so that it does not run into
//! what follows it in a snippet.

const BLOCKS: [&str; 22] = [
    "p",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "div",
    "pre",
    "td",
    "th",
    "tr",
    "blockquote",
    "figcaption",
    "dt",
    "dd",
    "aside",
    "math",
];

/// The blocks that end without punctuation of their own.
const UNPUNCTUATED: [&str; 11] = [
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "dt",
    "figcaption",
    "caption",
];

pub fn of_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        decode_into(&rest[..open], &mut out);
        if let Some(comment) = rest[open..].strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if closing && UNPUNCTUATED.contains(&name.as_str()) {
            out.push_str(" · ");
        } else if BLOCKS.contains(&name.as_str()) {
            out.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    decode_into(rest, &mut out);
    out
}

fn decode_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|end| *end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::of_html;

    #[test]
    fn tags_go_and_entities_decode() {
        assert_eq!(
            of_html("<p>A &amp; <em>b</em>&#39;s</p><p>c &lt;d&gt; &#x41;</p>"),
            " A & b's  c <d> A "
        );
        assert_eq!(of_html("x &bogus y"), "x &bogus y");
    }

    #[test]
    fn headings_and_cells_do_not_run_into_what_follows() {
        assert_eq!(
            of_html(
                "<h2>Attention</h2><p>It weighs.</p><table><tr><td>a</td><td>b</td></tr></table>"
            ),
            " Attention ·  It weighs.   a ·  b ·  "
        );
    }

    #[test]
    fn comments_go_whole() {
        assert_eq!(of_html("a<!-- <p>b</p> -->c<!-- open"), "ac");
    }
}
