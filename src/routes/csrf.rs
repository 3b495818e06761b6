//! Cross-site request checks for requests a browser might send on another site's behalf.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::config::Settings;

/// Whether a state-changing request comes from this site: `Sec-Fetch-Site` says
/// same-origin (or none: typed by the user), or `Origin` is this site's origin.
/// A request with neither header is refused: every current browser sends one of them.
pub fn same_origin(req: &HttpRequest, settings: &Settings) -> bool {
    if let Some(site) = header_str(req, "sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = header_str(req, header::ORIGIN.as_str()) else {
        return false;
    };
    if let Some(public) = settings.public_url.as_deref() {
        if origin == origin_of(public) {
            return true;
        }
    }
    let scheme = if settings.is_https() { "https" } else { "http" };
    let host = req.connection_info().host().to_owned();
    origin == format!("{scheme}://{host}")
}

fn header_str<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins_drop_the_path() {
        assert_eq!(
            origin_of("https://learn.example.com/x/y"),
            "https://learn.example.com"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
