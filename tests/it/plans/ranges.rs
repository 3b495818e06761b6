//! Byte ranges of a narration: 206 with the asked bytes, 416 past the end, 304 for an
//! unchanged ETag, never compressed, a stale If-Range answered whole, and the plan gate asked
//! on every range; whether the body comes from this instance's file cache or, when that
//! cannot be written, from the database.

use lectern::plans::Plan;

use super::{fetch, set_plan, spawn_demo};
use crate::common::{Backend, TestApp};

on_both_backends!(
    a_range_is_answered_206_with_its_bytes,
    a_range_past_the_end_is_416,
    an_unchanged_etag_is_304,
    media_is_never_compressed,
    a_stale_if_range_gets_the_whole_file,
    the_gate_is_asked_on_ranges_too,
    ranges_survive_a_lost_or_unwritable_cache,
);

const PATH: &str = "/api/v1/lessons/listen/audio";

/// A Plus reader on the demo course: the app, the content folder, the reader's token, and
/// the whole narration as first served (its ETag and bytes).
struct Narration {
    app: TestApp,
    _content: tempfile::TempDir,
    token: String,
    etag: String,
    body: Vec<u8>,
}

impl Narration {
    async fn fetch_whole(backend: Backend) -> Narration {
        let (app, content) = spawn_demo(backend, None).await;
        let (token, _) = app.sign_up("plus@example.com").await;
        set_plan(&app, "plus@example.com", Plan::Plus).await;
        let whole = fetch(&app, PATH, Some(&token), &[]).await;
        assert_eq!(whole.status(), 200);
        assert_eq!(whole.headers()["accept-ranges"], "bytes");
        let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
        let body = whole.bytes().await.unwrap().to_vec();
        Narration {
            app,
            _content: content,
            token,
            etag,
            body,
        }
    }

    async fn get(&self, headers: &[(&str, &str)]) -> reqwest::Response {
        fetch(&self.app, PATH, Some(&self.token), headers).await
    }
}

async fn a_range_is_answered_206_with_its_bytes(backend: Backend) {
    let n = Narration::fetch_whole(backend).await;
    let (body, len) = (&n.body, n.body.len());
    let part = n.get(&[("range", "bytes=100-199")]).await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"].to_str().unwrap(),
        format!("bytes 100-199/{len}")
    );
    assert_eq!(part.headers()["etag"].to_str().unwrap(), n.etag);
    assert_eq!(part.bytes().await.unwrap(), body[100..200]);

    let tail = n.get(&[("range", "bytes=-10")]).await;
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.bytes().await.unwrap(), body[len - 10..]);
}

async fn a_range_past_the_end_is_416(backend: Backend) {
    let n = Narration::fetch_whole(backend).await;
    let len = n.body.len();
    let beyond = format!("bytes={len}-");
    let unsatisfiable = n.get(&[("range", &beyond)]).await;
    assert_eq!(unsatisfiable.status(), 416);
    assert_eq!(
        unsatisfiable.headers()["content-range"].to_str().unwrap(),
        format!("bytes */{len}")
    );
}

async fn an_unchanged_etag_is_304(backend: Backend) {
    let n = Narration::fetch_whole(backend).await;
    let cached = n.get(&[("if-none-match", &n.etag)]).await;
    assert_eq!(cached.status(), 304);
    assert_eq!(cached.headers()["etag"].to_str().unwrap(), n.etag);
}

/// Media is never compressed, so ranges stay byte ranges of the file.
async fn media_is_never_compressed(backend: Backend) {
    let n = Narration::fetch_whole(backend).await;
    let gzip = n
        .get(&[("range", "bytes=0-9"), ("accept-encoding", "gzip")])
        .await;
    assert_eq!(gzip.status(), 206);
    assert!(gzip
        .headers()
        .get("content-encoding")
        .is_none_or(|v| v == "identity"));
    assert_eq!(gzip.bytes().await.unwrap(), n.body[0..10]);
}

/// A stale If-Range gets the whole, current file.
async fn a_stale_if_range_gets_the_whole_file(backend: Backend) {
    let n = Narration::fetch_whole(backend).await;
    let stale = n
        .get(&[("range", "bytes=0-9"), ("if-range", "\"old\"")])
        .await;
    assert_eq!(stale.status(), 200);
}

async fn the_gate_is_asked_on_ranges_too(backend: Backend) {
    let n = Narration::fetch_whole(backend).await;
    let anonymous = fetch(&n.app, PATH, None, &[("range", "bytes=0-9")]).await;
    assert_eq!(anonymous.status(), 401);
    let (free, _) = n.app.sign_up("free@example.com").await;
    let denied = fetch(&n.app, PATH, Some(&free), &[("range", "bytes=0-9")]).await;
    assert_eq!(denied.status(), 403);
    let denied = fetch(&n.app, PATH, Some(&free), &[("if-none-match", &n.etag)]).await;
    assert_eq!(denied.status(), 403);
}

/// The file cache is safe to lose: where it cannot be written (a file stands where its
/// folder should be) the database's bytes are served, ranges and all; once it can, it is
/// filled again and served from.
async fn ranges_survive_a_lost_or_unwritable_cache(backend: Backend) {
    let n = Narration::fetch_whole(backend).await;
    let len = n.body.len();
    let cache = lectern::media::audio_dir(&n.app.settings.data_dir);
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::write(&cache, b"not a folder").unwrap();

    let part = n.get(&[("range", "bytes=100-199")]).await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"].to_str().unwrap(),
        format!("bytes 100-199/{len}")
    );
    assert_eq!(part.bytes().await.unwrap(), n.body[100..200]);
    let whole = n.get(&[]).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["etag"].to_str().unwrap(), n.etag);
    assert_eq!(whole.bytes().await.unwrap(), n.body);

    std::fs::remove_file(&cache).unwrap();
    let tail = n.get(&[("range", "bytes=-10")]).await;
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.bytes().await.unwrap(), n.body[len - 10..]);
    let cached: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .collect();
    assert_eq!(cached, [len as u64], "the narration is cached again");
}
