//! Formulas in lesson bodies (API.md section 13): `$…$` inline and `$$…$$` display LaTeX,
//! rendered on the server as MathML, so a reader needs no JavaScript and no web font.
//!
//! The converter is `pulldown-latex`, chosen over `latex2mathml` because it reports the
//! formulas it cannot parse, so a broken formula is an import error with its line instead
//! of red text on a published page. Its MathML goes through the page's one sanitising pass
//! like the rest of the body (`markdown::SANITIZER`).

use std::fmt;

use pulldown_cmark::{CowStr, Event, Parser};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser as LatexParser, RenderConfig, Storage};

/// The MathML elements a formula may use (what `pulldown-latex` writes), and no others.
pub(crate) const MATHML_TAGS: [&str; 26] = [
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "munder",
    "mover",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "semantics",
    "annotation",
];

/// The presentation attributes MathML elements may carry: none names a URL or a script.
pub(crate) const MATHML_ATTRIBUTES: [&str; 22] = [
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "accent",
    "accentunder",
    "columnalign",
    "rowspacing",
    "columnspacing",
    "displaystyle",
    "scriptlevel",
    "width",
    "height",
    "depth",
    "linethickness",
    "encoding",
    "movablelimits",
    "symmetric",
    "notation",
];

/// Whether a formula stands in a line of text or on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Inline,
    Display,
}

/// A formula that does not parse, with its place in the Markdown it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormulaError {
    /// Byte offset of the formula in the Markdown.
    pub offset: usize,
    pub formula: String,
    pub reason: String,
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the formula {:?} does not parse: {}",
            self.formula, self.reason
        )
    }
}

impl std::error::Error for FormulaError {}

/// Render one formula as a `<math>` element (`display="block"` for display formulas), or
/// say why it does not parse.
pub fn to_mathml(latex: &str, placement: Placement) -> Result<String, String> {
    let storage = Storage::new();
    let events = LatexParser::new(latex, &storage)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| first_line(&e.to_string()))?;
    let config = RenderConfig {
        display_mode: match placement {
            Placement::Inline => DisplayMode::Inline,
            Placement::Display => DisplayMode::Block,
        },
        ..RenderConfig::default()
    };
    let mut html = String::with_capacity(latex.len() * 8);
    pulldown_latex::push_mathml(
        &mut html,
        events.into_iter().map(Ok::<_, std::convert::Infallible>),
        config,
    )
    .map_err(|e| e.to_string())?;
    Ok(html)
}

/// Check every formula of a Markdown body, as it is parsed for the page: the first that
/// does not parse is the error.
pub fn check(markdown: &str) -> Result<(), FormulaError> {
    let parser = Parser::new_ext(markdown, super::markdown::options());
    for (event, range) in parser.into_offset_iter() {
        let (latex, placement) = match &event {
            Event::InlineMath(latex) => (latex, Placement::Inline),
            Event::DisplayMath(latex) => (latex, Placement::Display),
            _ => continue,
        };
        to_mathml(latex, placement).map_err(|reason| FormulaError {
            offset: range.start,
            formula: latex.to_string(),
            reason,
        })?;
    }
    Ok(())
}

/// Turn `$…$` and `$$…$$` formulas into MathML. A formula that does not parse shows its
/// source as code (lesson sources are checked at import, so only other Markdown gets here).
pub(crate) fn formulas(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    events
        .into_iter()
        .map(|event| {
            let (latex, placement) = match &event {
                Event::InlineMath(latex) => (latex, Placement::Inline),
                Event::DisplayMath(latex) => (latex, Placement::Display),
                _ => return event,
            };
            let html = to_mathml(latex, placement).unwrap_or_else(|_| {
                format!(
                    "<code class=\"math-source\">{}</code>",
                    super::markdown::escape(latex)
                )
            });
            Event::InlineHtml(CowStr::from(html))
        })
        .collect()
}

/// The parser's messages run over several lines with a picture of the input; the first
/// says what is wrong.
fn first_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("invalid LaTeX")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::markdown::render;

    #[test]
    fn display_formulas_are_block_math() {
        let html = to_mathml(r"\frac{a}{b}", Placement::Display).unwrap();
        assert!(html.starts_with("<math display=\"block\""), "{html}");
        assert!(html.contains("<mfrac>"), "{html}");
        let html = to_mathml(r"x^2", Placement::Inline).unwrap();
        assert!(
            html.starts_with("<math") && !html.contains("block"),
            "{html}"
        );
        assert!(html.contains("<msup>"), "{html}");
    }

    #[test]
    fn broken_formulas_say_why() {
        for broken in [r"\frac{a}{", r"\notacommand x", r"x^"] {
            let reason = to_mathml(broken, Placement::Inline).unwrap_err();
            assert!(!reason.is_empty() && !reason.contains('\n'), "{reason}");
        }
    }

    #[test]
    fn check_finds_the_broken_formula_and_its_offset() {
        let body = "Fine $x$ here.\n\nBroken: $\\frac{a}$ there.\n";
        let err = check(body).unwrap_err();
        assert_eq!(&body[err.offset..err.offset + 1], "$", "{err:?}");
        assert_eq!(err.formula, "\\frac{a}");
        assert!(check("Cheap: $3 and $5 a month.\n\n```\n$\\frac{$\n```\n").is_ok());
    }

    #[test]
    fn formulas_render_as_mathml_that_survives_sanitising() {
        let html = render("Inline $\\alpha^2$ and\n\n$$\\sum_{i=1}^n \\frac{1}{i}$$\n");
        assert!(html.contains("<math"), "{html}");
        assert!(html.contains("<math display=\"block\""), "{html}");
        assert!(
            html.contains("<msup>") && html.contains("<mfrac>"),
            "{html}"
        );
        assert!(html.contains("α") && html.contains("∑"), "{html}");
    }

    /// Raw MathML in a body keeps only its narrow list of harmless attributes.
    #[test]
    fn mathml_carries_no_links_handlers_or_scripts() {
        for vector in [
            "<math href=\"javascript:alert(1)\"><mi>x</mi></math>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<math onclick=\"alert(1)\" display=\"block\"><mi onmouseover=\"alert(1)\">x</mi></math>",
            "<math><mtext><script>alert(1)</script></mtext></math>",
            "<math><mi><style>*{color:red}</style>x</mi></math>",
            "<math><maction actiontype=\"statusline\" href=\"javascript:alert(1)\"><mi>x</mi></maction></math>",
            "<math><semantics><annotation-xml encoding=\"text/html\"><img src=x onerror=alert(1)></annotation-xml></semantics></math>",
            "<math><mi style=\"background:url(javascript:alert(1))\">x</mi></math>",
        ] {
            let html = render(vector).to_ascii_lowercase();
            for bad in [
                "href", "xlink", "onclick", "onmouseover", "onerror", "<script", "<style",
                "style=", "javascript:", "maction", "<img",
            ] {
                assert!(!html.contains(bad), "{vector:?} left {bad:?} in {html:?}");
            }
        }
        let kept = render("<math display=\"block\"><mi mathvariant=\"bold\">x</mi></math>");
        assert!(
            kept.contains("<math display=\"block\"><mi mathvariant=\"bold\">x</mi></math>"),
            "{kept}"
        );
    }
}
