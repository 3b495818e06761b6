//! Media bodies over HTTP: narrations, lesson PDFs and certificates are answered with
//! `Accept-Ranges`, a strong `ETag`, conditional requests and one byte range. A body in
//! memory is sliced; a file is read from the range's start, only as far as its end.

use std::io::SeekFrom;
use std::ops::Range;

use actix_web::body::SizedStream;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt};

use crate::routes::range::{self, RangeAnswer};

/// Answer a GET for a media body held in memory (see [`head`]).
pub fn respond(
    req: &HttpRequest,
    body: Vec<u8>,
    etag: &str,
    content_type: &str,
    disposition: &str,
) -> HttpResponse {
    let (mut response, bytes) = head(req, body.len() as u64, etag, content_type, disposition);
    let Some(bytes) = bytes else {
        return response.finish();
    };
    let mut body = body;
    body.truncate(bytes.end as usize);
    body.drain(..bytes.start as usize);
    response.body(body)
}

/// Answer a GET for a media body of `len` bytes in `file` (see [`head`]): seek to the
/// range's start and stream only the bytes asked for, a chunk at a time.
pub async fn respond_file<F>(
    req: &HttpRequest,
    mut file: F,
    len: u64,
    etag: &str,
    content_type: &str,
    disposition: &str,
) -> std::io::Result<HttpResponse>
where
    F: AsyncRead + AsyncSeek + Unpin + 'static,
{
    let (mut response, bytes) = head(req, len, etag, content_type, disposition);
    let Some(bytes) = bytes else {
        return Ok(response.finish());
    };
    file.seek(SeekFrom::Start(bytes.start)).await?;
    let count = bytes.end - bytes.start;
    Ok(response.body(SizedStream::new(count, chunks(file, count))))
}

/// The most read from a file at once.
const CHUNK: u64 = 64 * 1024;

/// The next `count` bytes of `file`, in chunks; an error if the file ends sooner.
fn chunks<F: AsyncRead + Unpin>(
    file: F,
    count: u64,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> {
    futures_util::stream::try_unfold((file, count), |(mut file, left)| async move {
        if left == 0 {
            return Ok(None);
        }
        let mut chunk = vec![0; left.min(CHUNK) as usize];
        file.read_exact(&mut chunk).await?;
        let left = left - chunk.len() as u64;
        Ok(Some((Bytes::from(chunk), (file, left))))
    })
}

/// The one place for the rules: `Accept-Ranges`, a strong `ETag`, `If-None-Match` (304),
/// `If-Range`, one `Range` (206) or an unsatisfiable one (416 with `bytes */LEN`), for a body
/// of `len` bytes. Gives the answer's status and headers, and the bytes it carries (`None`
/// for a 304 or a 416, which carry none).
fn head(
    req: &HttpRequest,
    len: u64,
    etag: &str,
    content_type: &str,
    disposition: &str,
) -> (HttpResponseBuilder, Option<Range<u64>>) {
    let etag = format!("\"{etag}\"");
    let header_str = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let matches = |value: &str| {
        value
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag)
    };
    let not_modified = header_str(header::IF_NONE_MATCH).is_some_and(matches);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if not_modified {
        return (response, None);
    }
    // `If-Range` with another validator: the file changed, send it whole.
    let range = match header_str(header::IF_RANGE) {
        Some(validator) if validator.trim() != etag => None,
        _ => header_str(header::RANGE),
    };
    response
        .insert_header(ContentEncoding::Identity)
        .insert_header((header::CONTENT_DISPOSITION, disposition.to_owned()))
        .content_type(content_type.to_owned());
    let bytes = match range::answer(range, len) {
        RangeAnswer::Full => Some(0..len),
        RangeAnswer::Partial { start, end } => {
            response
                .status(StatusCode::PARTIAL_CONTENT)
                .insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
            Some(start..end + 1)
        }
        RangeAnswer::Unsatisfiable => {
            response
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .insert_header((header::CONTENT_RANGE, format!("bytes */{len}")));
            None
        }
    };
    (response, bytes)
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use actix_web::body::{to_bytes, MessageBody as _};
    use actix_web::test::TestRequest;
    use tokio::io::ReadBuf;

    use super::*;

    const LEN: u64 = 2_000_000;

    /// A file of `LEN` bytes, each different from its neighbours.
    fn file_bytes() -> Vec<u8> {
        (0..LEN).map(|i| (i % 251) as u8).collect()
    }

    /// A reader that counts the bytes read through it.
    struct Counting<F> {
        inner: F,
        read: Arc<AtomicU64>,
    }

    impl<F: AsyncRead + Unpin> AsyncRead for Counting<F> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let before = buf.filled().len();
            let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
            let read = (buf.filled().len() - before) as u64;
            self.read.fetch_add(read, Ordering::SeqCst);
            polled
        }
    }

    impl<F: AsyncSeek + Unpin> AsyncSeek for Counting<F> {
        fn start_seek(mut self: Pin<&mut Self>, position: SeekFrom) -> std::io::Result<()> {
            Pin::new(&mut self.inner).start_seek(position)
        }

        fn poll_complete(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<std::io::Result<u64>> {
            Pin::new(&mut self.inner).poll_complete(cx)
        }
    }

    /// Answer `headers` from a real file of `LEN` bytes: the status, a header (if asked),
    /// the body, and how many bytes were read from the file.
    async fn from_file(
        headers: &[(&str, &str)],
        header: &str,
    ) -> (StatusCode, Option<String>, Vec<u8>, u64) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("narration.mp3");
        std::fs::write(&path, file_bytes()).unwrap();
        let read = Arc::new(AtomicU64::new(0));
        let file = Counting {
            inner: tokio::fs::File::open(&path).await.unwrap(),
            read: Arc::clone(&read),
        };
        let req = headers
            .iter()
            .fold(TestRequest::get(), |req, h| req.insert_header(*h))
            .to_http_request();
        let response = respond_file(&req, file, LEN, "tag", "audio/mpeg", "inline")
            .await
            .unwrap();
        let status = response.status();
        let value = response
            .headers()
            .get(header)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = to_bytes(response.into_body()).await.unwrap().to_vec();
        (status, value, body, read.load(Ordering::SeqCst))
    }

    #[actix_web::test]
    async fn one_byte_far_into_a_file_is_all_that_is_read() {
        let (status, range, body, read) =
            from_file(&[("range", "bytes=1000000-1000000")], "content-range").await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(range.unwrap(), "bytes 1000000-1000000/2000000");
        assert_eq!(body, [file_bytes()[1_000_000]]);
        assert_eq!(read, 1, "the file is read from the range's start, one byte");
    }

    #[actix_web::test]
    async fn a_suffix_range_reads_the_tail_of_a_file() {
        // More than one chunk.
        let (status, range, body, read) =
            from_file(&[("range", "bytes=-100000")], "content-range").await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(range.unwrap(), "bytes 1900000-1999999/2000000");
        assert_eq!(body, file_bytes()[1_900_000..]);
        assert_eq!(read, 100_000);
    }

    #[actix_web::test]
    async fn an_unsatisfiable_range_of_a_file_is_416_and_reads_nothing() {
        let (status, range, body, read) =
            from_file(&[("range", "bytes=2000000-")], "content-range").await;
        assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(range.unwrap(), "bytes */2000000");
        assert!(body.is_empty());
        assert_eq!(read, 0);
    }

    #[actix_web::test]
    async fn a_whole_file_is_streamed() {
        let (status, _, body, read) = from_file(&[], "content-range").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, file_bytes());
        assert_eq!(read, LEN);
        let (status, _, body, read) = from_file(&[("if-none-match", "\"tag\"")], "etag").await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        assert_eq!(read, 0);
    }

    /// A body in memory and the same body in a file are answered alike: status, headers,
    /// length and bytes.
    #[actix_web::test]
    async fn memory_and_file_answers_agree() {
        let body: Vec<u8> = (0..1_000u32).map(|i| (i % 251) as u8).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("body");
        std::fs::write(&path, &body).unwrap();
        let cases: &[&[(&str, &str)]] = &[
            &[],
            &[("range", "bytes=0-9")],
            &[("range", "bytes=990-")],
            &[("range", "bytes=-10")],
            &[("range", "bytes=0-99999")],
            &[("range", "bytes=1000-")],
            &[("range", "bytes=0-1,5-6")],
            &[("range", "items=0-1")],
            &[("if-none-match", "W/\"tag\"")],
            &[("if-none-match", "\"other\""), ("range", "bytes=3-4")],
            &[("if-range", "\"tag\""), ("range", "bytes=3-4")],
            &[("if-range", "\"old\""), ("range", "bytes=3-4")],
        ];
        for headers in cases {
            let req = headers
                .iter()
                .fold(TestRequest::get(), |req, h| req.insert_header(*h))
                .to_http_request();
            let memory = respond(&req, body.clone(), "tag", "audio/mpeg", "inline");
            let file = tokio::fs::File::open(&path).await.unwrap();
            let file = respond_file(&req, file, body.len() as u64, "tag", "audio/mpeg", "inline")
                .await
                .unwrap();
            assert_eq!(memory.status(), file.status(), "{headers:?}");
            let mut names: Vec<_> = memory.headers().keys().collect();
            names.sort_by_key(|n| n.as_str());
            for name in names {
                assert_eq!(
                    memory.headers().get_all(name).collect::<Vec<_>>(),
                    file.headers().get_all(name).collect::<Vec<_>>(),
                    "{name} for {headers:?}"
                );
            }
            assert_eq!(memory.headers().len(), file.headers().len(), "{headers:?}");
            assert_eq!(memory.body().size(), file.body().size(), "{headers:?}");
            let memory = to_bytes(memory.into_body()).await.unwrap();
            let file = to_bytes(file.into_body()).await.unwrap();
            assert_eq!(memory, file, "{headers:?}");
        }
    }
}
