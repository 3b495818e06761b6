//! Delivering one event to one endpoint: a signed `POST`, no redirects, 10 seconds, and only
//! to addresses a webhook may reach (see `address`).

use std::time::Duration;

use reqwest::redirect::Policy;

use super::address::{self, PublicOnly};
use super::signature;
use crate::db::outbox::Claimed;
use crate::db::{self, Db};
use crate::outbox::{self, Attempt};

/// Longest a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Courier {
    client: reqwest::Client,
    allow_private: bool,
}

impl Courier {
    pub fn new(allow_private: bool) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .dns_resolver(PublicOnly { allow_private }.shared())
            .user_agent(concat!("Lectern-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Courier {
            client,
            allow_private,
        })
    }

    /// Send a queued event to its endpoint.
    async fn deliver(&self, db: &Db, message: &Claimed) -> Attempt {
        let endpoint = match message.endpoint_id.as_deref() {
            Some(id) => db::webhooks::by_id(db, id).await,
            None => Ok(None),
        };
        let endpoint = match endpoint {
            Ok(Some(endpoint)) => endpoint,
            Ok(None) => {
                return Attempt::Undeliverable {
                    error: "the endpoint no longer exists".into(),
                }
            }
            Err(e) => {
                return Attempt::Failed {
                    status_code: None,
                    error: format!("could not read the endpoint: {e}"),
                }
            }
        };
        if let Err(error) = check_url(&endpoint.url, self.allow_private) {
            return Attempt::Failed {
                status_code: None,
                error,
            };
        }
        let timestamp = chrono::Utc::now().timestamp();
        let Some(signed) = signature::sign(
            &endpoint.secret,
            &message.message_id,
            timestamp,
            &message.payload,
        ) else {
            return Attempt::Undeliverable {
                error: "the endpoint's secret is not a whsec_ secret".into(),
            };
        };
        let sent = self
            .client
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("webhook-id", &message.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signed)
            .body(message.payload.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Attempt::Delivered {
                status_code: Some(i64::from(response.status().as_u16())),
            },
            Ok(response) => Attempt::Failed {
                status_code: Some(i64::from(response.status().as_u16())),
                error: format!("the receiver answered {}", response.status()),
            },
            Err(e) => Attempt::Failed {
                status_code: None,
                error: describe(&e),
            },
        }
    }
}

impl outbox::Courier for Courier {
    fn send(
        &self,
        db: &Db,
        message: &Claimed,
    ) -> impl std::future::Future<Output = Attempt> + Send {
        self.deliver(db, message)
    }
}

/// Whether `url` may be an endpoint: http or https, a host, and, when the host is an IP
/// address, a public one (names are checked as they resolve, by `PublicOnly`).
pub fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("the URL must start with http:// or https://".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("the URL may not carry a user name or password".into());
    }
    let host = parsed.host_str().ok_or("the URL has no host")?;
    // The URL parser writes any IP address in its usual form (`http://2130706433/` is
    // 127.0.0.1), and IPv6 in brackets.
    let ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .ok();
    if let Some(ip) = ip {
        if !allow_private && !address::is_public(ip) {
            return Err("the URL points at a loopback or private address".into());
        }
    }
    Ok(parsed)
}

/// A failed request in a line for the delivery log: the innermost cause says most.
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "the receiver did not answer within 10 seconds".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    let mut last = None;
    while let Some(cause) = source {
        last = Some(cause.to_string());
        source = cause.source();
    }
    if let Some(last) = last {
        text.push_str(": ");
        text.push_str(&last);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_to_public_hosts_are_endpoints() {
        assert!(check_url("https://hooks.example.com/lectern", false).is_ok());
        assert!(check_url("http://93.184.216.34:8080/x", false).is_ok());
        for (bad, why) in [
            ("ftp://hooks.example.com/", "http"),
            ("not a url", "not a URL"),
            ("http://127.0.0.1:9/x", "loopback or private"),
            ("http://[::1]/x", "loopback or private"),
            ("http://10.0.0.8/x", "loopback or private"),
            (
                "http://169.254.169.254/latest/meta-data",
                "loopback or private",
            ),
            ("http://user:pw@hooks.example.com/", "user name"),
        ] {
            let error = check_url(bad, false).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
        assert!(check_url("http://127.0.0.1:9/x", true).is_ok());
    }
}
