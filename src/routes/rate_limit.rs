//! Per-client rate limits kept in this instance's memory (sign-ups, the tokenizer API) and
//! the client address they key on. Failed log-ins are counted in the database instead
//! (`accounts::Accounts::log_in`), so that every instance counts them.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

pub struct ClientLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    trusted_proxies: Vec<IpAddr>,
}

impl ClientLimiter {
    pub fn new(quota: Quota, trusted_proxies: Vec<IpAddr>) -> ClientLimiter {
        ClientLimiter {
            limiter: RateLimiter::keyed(quota),
            trusted_proxies,
        }
    }

    /// Count one attempt from this request's client; 429 with `Retry-After` past the quota.
    pub fn check(&self, req: &HttpRequest) -> Result<(), AppError> {
        let ip = client_ip(req, &self.trusted_proxies);
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after: wait.as_secs().max(1),
            }
        })?;
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        Ok(())
    }
}

/// A limit of at least one.
pub fn nonzero(limit: u32) -> NonZeroU32 {
    NonZeroU32::new(limit).unwrap_or(NonZeroU32::MIN)
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which case the
/// right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted_proxies.contains(ip))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let req = TestRequest::default()
            .peer_addr("10.0.0.5:4000".parse().unwrap())
            .insert_header(("x-forwarded-for", "203.0.113.7, 198.51.100.2"))
            .to_http_request();
        assert_eq!(
            client_ip(&req, &[proxy]),
            "198.51.100.2".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(&req, &[]),
            proxy,
            "an untrusted peer's header is ignored"
        );
    }

    #[test]
    fn the_quota_runs_out_with_a_retry_after() {
        let limiter = ClientLimiter::new(Quota::per_minute(nonzero(2)), vec![]);
        let req = TestRequest::default()
            .peer_addr("192.0.2.1:1".parse().unwrap())
            .to_http_request();
        assert!(limiter.check(&req).is_ok());
        assert!(limiter.check(&req).is_ok());
        match limiter.check(&req) {
            Err(AppError::RateLimited { retry_after }) => assert!(retry_after >= 1),
            other => panic!("expected a rate limit, got {other:?}"),
        }
    }
}
