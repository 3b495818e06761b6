//! The lesson page's token box: the example it starts with, or what a reader submitted
//! through its form without JavaScript.

use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::tokenizer::{self, Encoding};

/// The example the token widget starts with.
const TOKEN_EXAMPLE: &str = "Hello, world!";
/// Longest text the page-rendered token widget accepts (the API takes up to 1 MiB).
const PAGE_TOKEN_TEXT_LIMIT: usize = 64 * 1024;
/// Segments drawn on a server-rendered page; the count stays exact past it.
const PAGE_SEGMENTS: usize = 2_000;
/// The context window the widget compares the text with.
const CONTEXT_WINDOW: f64 = 1_000_000.0;
/// The example price per million tokens the cost estimate starts from, in dollars.
const DEFAULT_PRICE_PER_MILLION: f64 = 2.50;

/// The token box's form fields, when a reader submitted it.
#[derive(Default, Deserialize)]
pub struct TokenQuery {
    text: Option<String>,
    encoding: Option<String>,
    price: Option<String>,
}

impl TokenQuery {
    /// Nothing submitted: the box shows the example.
    pub fn is_empty(&self) -> bool {
        self.text.is_none() && self.encoding.is_none() && self.price.is_none()
    }
}

/// The token widget's state: the example, or what the reader submitted without JavaScript.
pub fn token_widget(query: &TokenQuery) -> Result<serde_json::Value, AppError> {
    let text = query.text.as_deref().unwrap_or(TOKEN_EXAMPLE);
    if text.len() > PAGE_TOKEN_TEXT_LIMIT {
        return Err(AppError::invalid_field(
            "text",
            "That text is too long for this box; the API takes up to 1 MiB.",
        ));
    }
    let encoding = match query.encoding.as_deref() {
        None => Encoding::O200kBase,
        Some(id) => Encoding::parse(id)
            .ok_or_else(|| AppError::invalid_field("encoding", "Unknown encoding."))?,
    };
    let price = match query.price.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_PRICE_PER_MILLION,
        Some(price) => price
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p >= 0.0 && *p <= 1_000_000.0)
            .ok_or_else(|| AppError::invalid_field("price", "Enter a price such as 2.50."))?,
    };
    let encodings: Vec<_> = Encoding::ALL
        .iter()
        .map(|e| json!({ "id": e.id(), "description": e.description() }))
        .collect();
    let count = tokenizer::count(encoding, text);
    let (segments, elided) = tokenizer::segments_limited(encoding, text, PAGE_SEGMENTS);
    Ok(json!({
        "text": text,
        "encoding": encoding.id(),
        "encodings": encodings,
        "count": count,
        "characters": text.chars().count(),
        "segments": segments,
        "segments_elided": elided,
        "context_share": format_share(count as f64 / CONTEXT_WINDOW),
        "price": price,
        "cost": format!("${:.6}", count as f64 * price / 1_000_000.0),
    }))
}

/// A share of the context window as a readable percentage.
fn format_share(share: f64) -> String {
    let percent = share * 100.0;
    if percent == 0.0 {
        "0%".to_owned()
    } else if percent < 0.01 {
        format!("{percent:.4}%")
    } else {
        format!("{percent:.2}%")
    }
}
