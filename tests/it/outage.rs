//! PostgreSQL going away and coming back: requests that need the database answer 503
//! `unavailable` (with `Retry-After`) within seconds instead of hanging, `/healthz` says
//! 503, anonymous pages keep serving from memory, and the instance recovers by itself.
//!
//! The shared PostgreSQL server stays up: the app reaches it through a TCP proxy in this
//! test, which is cut (every connection dropped, new ones closed at once, as when the
//! server stops) or blackholed (connections held open, nothing passed, as when the network
//! loses packets), then restored.

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use common::{Backend, TestApp};

/// An upper bound for a 503 to arrive: far above the pool's acquire timeout, far below
/// "hanging".
const ANSWER_WITHIN: Duration = Duration::from_secs(10);
/// How long the instance may take to notice the database is back.
const RECOVER_WITHIN: Duration = Duration::from_secs(30);

/// The state of the proxy's link to the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Up,
    /// Every connection dropped; new ones accepted and closed at once.
    Cut,
    /// Connections held open; nothing passes until the link is up again.
    Blackhole,
}

/// A TCP proxy between the app and PostgreSQL whose link the test controls.
struct Proxy {
    address: SocketAddr,
    link: watch::Sender<Link>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (link, watcher) = watch::channel(Link::Up);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, upstream, watcher.clone()));
            }
        });
        Proxy { address, link }
    }

    fn set(&self, link: Link) {
        self.link.send_replace(link);
    }
}

/// Wait until the link is up (true) or cut (false).
async fn link_up(link: &mut watch::Receiver<Link>) -> bool {
    loop {
        match *link.borrow_and_update() {
            Link::Up => return true,
            Link::Cut => return false,
            Link::Blackhole => {}
        }
        if link.changed().await.is_err() {
            return false;
        }
    }
}

async fn relay(client: TcpStream, upstream: SocketAddr, mut link: watch::Receiver<Link>) {
    if !link_up(&mut link).await {
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    // Either direction ending (or the link being cut) closes both connections.
    tokio::select! {
        () = pump(client_read, server_write, link.clone()) => {}
        () = pump(server_read, client_write, link) => {}
    }
}

async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut link: watch::Receiver<Link>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            changed = link.changed() => {
                if changed.is_err() || *link.borrow() == Link::Cut {
                    return;
                }
                continue;
            }
        };
        let n = match read {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if !link_up(&mut link).await || to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

/// The app on a fresh PostgreSQL database reached through a proxy.
async fn app_behind_proxy() -> (TestApp, Proxy) {
    let (mut settings, data) =
        common::test_settings(Backend::Postgres, &common::bundled_content()).await;
    let url = settings.database_url.clone().expect("a PostgreSQL URL");
    let (head, rest) = url.split_once('@').expect("postgres://user@host:port/db");
    let (host_port, database) = rest.split_once('/').expect("a database name");
    let upstream = tokio::net::lookup_host(host_port)
        .await
        .unwrap()
        .next()
        .expect("the PostgreSQL address");
    let proxy = Proxy::start(upstream).await;
    settings.database_url = Some(format!("{head}@{}/{database}", proxy.address));
    (common::spawn_settings(settings, data).await, proxy)
}

/// Send, and fail the test if no answer comes within `ANSWER_WITHIN`.
async fn answered(request: reqwest::RequestBuilder) -> (reqwest::Response, Duration) {
    let started = Instant::now();
    let response = tokio::time::timeout(ANSWER_WITHIN, request.send())
        .await
        .unwrap_or_else(|_| panic!("no answer within {ANSWER_WITHIN:?}"))
        .expect("the request reaches the app");
    (response, started.elapsed())
}

async fn assert_unavailable_json(request: reqwest::RequestBuilder) -> Duration {
    let (response, took) = answered(request).await;
    assert_eq!(response.status(), 503);
    let retry_after = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse::<u64>()
        .expect("Retry-After in seconds");
    assert!(retry_after > 0);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    took
}

async fn database_goes_away_and_comes_back(outage: Link) {
    let (app, proxy) = app_behind_proxy().await;
    let (token, _) = app.sign_up("outage@example.com").await;
    let progress = |percent: u32| {
        app.client
            .put(app.url("/api/v1/lessons/transformer-revolution/progress"))
            .bearer_auth(&token)
            .json(&json!({ "percent": percent }))
    };
    assert_eq!(progress(10).send().await.unwrap().status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);
    let anonymous = reqwest::Client::new();
    let catalog_page = anonymous.get(app.url("/")).send().await.unwrap();
    assert_eq!(catalog_page.status(), 200);

    proxy.set(outage);

    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&token);
    let (first_503, _, _, _) = tokio::join!(
        assert_unavailable_json(me),
        assert_unavailable_json(progress(20)),
        async {
            let (health, _) = answered(app.client.get(app.url("/healthz"))).await;
            assert_eq!(health.status(), 503, "/healthz says the database is away");
        },
        async {
            // A signed-in reader's page (session cookie from the sign-up): a friendly 503.
            let (page, _) = answered(app.client.get(app.url("/account"))).await;
            assert_eq!(page.status(), 503);
            assert!(page.headers().contains_key("retry-after"));
            let html = page.text().await.unwrap();
            assert!(html.contains("<h1>Back in a moment</h1>"), "{html}");
        },
    );
    let (cached, _) = answered(anonymous.get(app.url("/"))).await;
    assert_eq!(cached.status(), 200, "anonymous pages keep serving");

    proxy.set(Link::Up);
    let restored = Instant::now();
    loop {
        let response = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            break;
        }
        assert_eq!(response.status(), 503, "only 503 while recovering");
        assert!(
            restored.elapsed() < RECOVER_WITHIN,
            "no recovery within {RECOVER_WITHIN:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = restored.elapsed();
    let saved: Value = progress(30).send().await.unwrap().json().await.unwrap();
    assert_eq!(saved["percent"], 30, "writes work again: {saved}");
    assert_eq!(app.get("/healthz").await.status(), 200);
    println!(
        "{outage:?}: first 503 after {} ms; recovered {} ms after the link came back",
        first_503.as_millis(),
        recovered.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn a_cut_database_answers_503_fast_and_recovers() {
    database_goes_away_and_comes_back(Link::Cut).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn a_blackholed_database_answers_503_fast_and_recovers() {
    database_goes_away_and_comes_back(Link::Blackhole).await;
}
