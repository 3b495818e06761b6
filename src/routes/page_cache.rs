//! Rendered HTML that depends only on the catalog, kept until the catalog changes.
//!
//! An anonymous reader's page depends only on the catalog, so it is rendered once and
//! its bytes are served to every anonymous request (before routing, by `kept_pages`,
//! when the request plainly is a visitor's); the parts of a lesson page that many
//! signed-in readers share are kept the same way (`routes::pages::lesson::parts`).

use std::collections::HashMap;
use std::io::Write;
use std::sync::RwLock;

use actix_web::http::header::{self, AcceptEncoding, Encoding, Header, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

/// The content type of every page.
pub const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

/// A whole page, with its gzip form compressed once, at the best level, when it is kept;
/// otherwise the compression middleware would compress it again for every browser.
#[derive(Clone)]
pub struct Page {
    html: Bytes,
    gzip: Bytes,
}

impl Page {
    pub fn new(html: Bytes) -> Page {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let gzip = encoder
            .write_all(&html)
            .and_then(|()| encoder.finish())
            .expect("compressing into memory cannot fail");
        Page {
            html,
            gzip: gzip.into(),
        }
    }

    /// The page in the form `req` accepts: gzip when it is preferred to none at all.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let gzip = req.headers().contains_key(header::ACCEPT_ENCODING)
            && AcceptEncoding::parse(req)
                .ok()
                .and_then(|accepted| {
                    accepted.negotiate([Encoding::gzip(), Encoding::identity()].iter())
                })
                .is_some_and(|chosen| chosen == Encoding::gzip());
        let mut response = HttpResponse::Ok();
        response
            .content_type(HTML)
            .insert_header((header::VARY, HeaderValue::from_static("accept-encoding")));
        if gzip {
            response
                .insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")))
                .body(self.gzip.clone())
        } else {
            response.body(self.html.clone())
        }
    }
}

/// HTML by key, each stamped with the catalog generation it was rendered from.
pub struct PageCache<Html = Page> {
    pages: RwLock<HashMap<String, (i64, Html)>>,
}

impl<Html> Default for PageCache<Html> {
    fn default() -> Self {
        PageCache {
            pages: RwLock::default(),
        }
    }
}

impl<Html: Clone> PageCache<Html> {
    /// The HTML stored under `key`, if it was rendered for this catalog generation.
    pub fn get(&self, key: &str, generation: i64) -> Option<Html> {
        let pages = self.pages.read().unwrap_or_else(|p| p.into_inner());
        pages
            .get(key)
            .filter(|(stored, _)| *stored == generation)
            .map(|(_, page)| page.clone())
    }

    /// The HTML stored under `key` and the generation it was rendered for.
    pub fn latest(&self, key: &str) -> Option<(i64, Html)> {
        let pages = self.pages.read().unwrap_or_else(|p| p.into_inner());
        pages.get(key).cloned()
    }

    pub fn put(&self, key: &str, generation: i64, page: Html) {
        let mut pages = self.pages.write().unwrap_or_else(|p| p.into_inner());
        pages.insert(key.to_owned(), (generation, page));
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use actix_web::test::TestRequest;

    use super::*;

    #[actix_web::test]
    async fn a_kept_page_is_sent_gzipped_to_those_who_take_it() {
        let html = Bytes::from("<p>kept</p>".repeat(100));
        let page = Page::new(html.clone());
        let body = |response: HttpResponse| async move {
            actix_web::body::to_bytes(response.into_body())
                .await
                .unwrap()
        };
        for accept in [
            None,
            Some("identity"),
            Some("br"),
            Some("gzip;q=0, identity"),
        ] {
            let mut request = TestRequest::default();
            if let Some(accept) = accept {
                request = request.insert_header(("accept-encoding", accept));
            }
            let response = page.respond(&request.to_http_request());
            assert!(
                !response.headers().contains_key("content-encoding"),
                "{accept:?}"
            );
            assert_eq!(response.headers().get("vary").unwrap(), "accept-encoding");
            assert_eq!(body(response).await, html, "{accept:?}");
        }
        let request = TestRequest::default()
            .insert_header(("accept-encoding", "gzip, deflate, br"))
            .to_http_request();
        let response = page.respond(&request);
        assert_eq!(response.headers().get("content-encoding").unwrap(), "gzip");
        let compressed = body(response).await;
        assert!(compressed.len() < html.len() / 4);
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, html);
    }

    #[test]
    fn pages_expire_with_the_generation() {
        let cache = PageCache::<Bytes>::default();
        cache.put("/", 3, Bytes::from_static(b"old"));
        assert_eq!(cache.get("/", 3).as_deref(), Some(&b"old"[..]));
        assert!(cache.get("/", 4).is_none(), "a newer catalog misses");
        cache.put("/", 4, Bytes::from_static(b"new"));
        assert_eq!(cache.get("/", 4).as_deref(), Some(&b"new"[..]));
        assert_eq!(cache.latest("/"), Some((4, Bytes::from_static(b"new"))));
        assert_eq!(cache.latest("/other"), None);
    }
}
