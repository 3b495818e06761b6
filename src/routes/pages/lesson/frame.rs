//! A lesson page rendered once per lesson, plan and kind of reader, with holes where one
//! request's own HTML goes: the forms' CSRF token, the reader's progress, bookmark and quiz
//! record, and the parts that a request may change (scored questions, a token-box
//! submission, personal recommendations). Serving a signed-in reader is then filling
//! the holes, not rendering the page.
//!
//! `lesson.html` is rendered with a marker in place of each hole. A marker carries a
//! nonce drawn when the process starts, so no lesson text can forge one.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::ops::Range;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::{Bytes, BytesMut};

/// Opens and closes a marker: characters of Unicode's private use area, which escaping
/// leaves alone.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

static NONCE: LazyLock<String> = LazyLock::new(crate::auth::random_token);

/// A place in the frame that is filled per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hole {
    CsrfToken,
    Percent,
    LearningBar,
    Complete,
    QuizRecord,
    QuizButton,
    Questions,
    Tokens,
    Recommended,
}

impl Hole {
    const ALL: [Hole; 9] = [
        Hole::CsrfToken,
        Hole::Percent,
        Hole::LearningBar,
        Hole::Complete,
        Hole::QuizRecord,
        Hole::QuizButton,
        Hole::Questions,
        Hole::Tokens,
        Hole::Recommended,
    ];

    fn name(self) -> &'static str {
        match self {
            Hole::CsrfToken => "csrf_token",
            Hole::Percent => "percent",
            Hole::LearningBar => "learning_bar",
            Hole::Complete => "complete",
            Hole::QuizRecord => "quiz_record",
            Hole::QuizButton => "quiz_button",
            Hole::Questions => "questions",
            Hole::Tokens => "tokens",
            Hole::Recommended => "recommended",
        }
    }

    /// What the frame's template is given in place of this hole.
    pub fn marker(self) -> String {
        format!("{OPEN}{}:{}{CLOSE}", self.name(), *NONCE)
    }
}

enum Piece {
    Text(Range<usize>),
    Hole(Hole),
}

/// A rendered page with holes.
pub struct Frame {
    html: Bytes,
    pieces: Vec<Piece>,
}

impl Frame {
    /// Split a page rendered with markers into text and holes.
    pub fn parse(html: String) -> Frame {
        let markers: Vec<(String, Hole)> = Hole::ALL.iter().map(|&h| (h.marker(), h)).collect();
        let mut pieces = Vec::new();
        let mut text_start = 0;
        let mut at = 0;
        while let Some(found) = html[at..].find(OPEN) {
            let start = at + found;
            match markers.iter().find(|(m, _)| html[start..].starts_with(m)) {
                Some((marker, hole)) => {
                    if start > text_start {
                        pieces.push(Piece::Text(text_start..start));
                    }
                    pieces.push(Piece::Hole(*hole));
                    at = start + marker.len();
                    text_start = at;
                }
                None => at = start + OPEN.len_utf8(),
            }
        }
        if text_start < html.len() {
            pieces.push(Piece::Text(text_start..html.len()));
        }
        Frame {
            html: Bytes::from(html),
            pieces,
        }
    }

    /// The page with each hole filled by `fill`. The frame's text is shared, not copied:
    /// only the holes' HTML is.
    pub fn fill<'a>(&self, fill: impl Fn(Hole) -> &'a str) -> FilledPage {
        let mut own = BytesMut::new();
        let mut ends = Vec::with_capacity(self.pieces.len());
        for piece in &self.pieces {
            if let Piece::Hole(hole) = piece {
                own.extend_from_slice(fill(*hole).as_bytes());
                ends.push(own.len());
            }
        }
        let own = own.freeze();
        let mut ends = ends.into_iter();
        let mut start = 0;
        let chunks: VecDeque<Bytes> = self
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(range) => self.html.slice(range.clone()),
                Piece::Hole(_) => {
                    let end = ends.next().unwrap_or(start);
                    let filled = own.slice(start..end);
                    start = end;
                    filled
                }
            })
            .filter(|chunk| !chunk.is_empty())
            .collect();
        FilledPage {
            len: chunks.iter().map(Bytes::len).sum(),
            chunks,
        }
    }
}

/// A filled frame: a response body of known length, sent piece by piece.
pub struct FilledPage {
    chunks: VecDeque<Bytes>,
    len: usize,
}

impl FilledPage {
    /// The page in one piece.
    pub fn into_bytes(self) -> Bytes {
        let mut page = BytesMut::with_capacity(self.len);
        for chunk in self.chunks {
            page.extend_from_slice(&chunk);
        }
        page.freeze()
    }
}

impl MessageBody for FilledPage {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.len as u64)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Infallible>>> {
        let page = self.get_mut();
        let chunk = page.chunks.pop_front();
        if let Some(chunk) = &chunk {
            page.len -= chunk.len();
        }
        Poll::Ready(chunk.map(Ok))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_are_filled_and_other_text_is_kept_as_it_was() {
        let html = format!(
            "<a>{}</a>{OPEN}csrf_token:forged{CLOSE}<b>{}{}</b>{OPEN}",
            Hole::CsrfToken.marker(),
            Hole::Percent.marker(),
            Hole::CsrfToken.marker(),
        );
        let frame = Frame::parse(html);
        let page = frame.fill(|hole| match hole {
            Hole::CsrfToken => "T",
            Hole::Percent => "50",
            _ => "?",
        });
        let expected = format!("<a>T</a>{OPEN}csrf_token:forged{CLOSE}<b>50T</b>{OPEN}");
        assert_eq!(page.size(), BodySize::Sized(expected.len() as u64));
        assert_eq!(page.into_bytes(), expected);
    }

    #[actix_web::test]
    async fn a_filled_page_is_sent_as_its_pieces_in_order() {
        let html = format!(
            "<a>{}</a><b>{}</b>",
            Hole::CsrfToken.marker(),
            Hole::Percent.marker()
        );
        let frame = Frame::parse(html);
        let page = frame.fill(|hole| match hole {
            Hole::CsrfToken => "token",
            _ => "",
        });
        let sent = actix_web::body::to_bytes(page).await.unwrap();
        assert_eq!(sent, "<a>token</a><b></b>");
    }

    #[test]
    fn a_frame_without_holes_is_its_text() {
        let frame = Frame::parse("<p>plain</p>".to_owned());
        assert_eq!(frame.fill(|_| "x").into_bytes(), "<p>plain</p>");
    }
}
