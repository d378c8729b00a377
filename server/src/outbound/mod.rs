//! The guarded outbound HTTP client: the only way the hub calls out (webhooks now, live
//! quotes later). A partner chooses the URL, so the hub must not become its way into the
//! hub's own network:
//!
//! - https only; plain http and loopback addresses only when the configuration allows them
//!   (the tests and the demo do);
//! - every address the host resolves to is checked, at registration ([`Outbound::vet`]) and
//!   again whenever the client opens a connection (its resolver is [`GuardedResolver`], so a
//!   name that resolves elsewhere later is refused then; an IP literal is checked at every
//!   request): loopback, private, link-local (cloud metadata
//!   included), CGNAT, multicast, unspecified, broadcast, documentation and IPv4-mapped IPv6
//!   addresses are refused, whatever the spelling (`2130706433`, `0x7f.1` and `[::ffff:7f00:1]`
//!   are parsed to the address they mean before the check);
//! - no redirect is followed (a 3xx is an answer, and a failed delivery);
//! - connect and total timeouts; answers are read up to a cap.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use url::{Host, Url};

/// What the client may reach and how long it waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Plain `http://` URLs (development, tests).
    pub allow_http: bool,
    /// Loopback addresses (127.0.0.0/8, ::1): a receiver on this machine (development, tests).
    pub allow_loopback: bool,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Bytes of an answer read, at most.
    pub max_response_bytes: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_loopback: false,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            max_response_bytes: 64 * 1024,
        }
    }
}

/// Why a URL or an address is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("only https:// URLs are allowed")]
    Scheme,
    #[error("the URL has no host")]
    NoHost,
    #[error("{host} resolves to {addr}, a {class} address, which the hub does not call")]
    Address {
        host: String,
        addr: IpAddr,
        class: &'static str,
    },
    #[error("{host} does not resolve: {reason}")]
    Resolve { host: String, reason: String },
}

/// The class of an address the hub refuses to call, or `None` for a public one.
pub fn forbidden(ip: IpAddr, allow_loopback: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4, allow_loopback),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4, allow_loopback).map(|_| "IPv4-mapped private");
            }
            let seg = v6.segments();
            if v6.is_loopback() {
                (!allow_loopback).then_some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if seg[0] & 0xfe00 == 0xfc00 {
                Some("unique local (private)")
            } else if seg[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if seg[0] == 0x2001 && seg[1] == 0x0db8 {
                Some("documentation")
            } else if seg[0] == 0x0064 && seg[1] == 0xff9b {
                // NAT64 embeds an IPv4 address in the last 32 bits.
                let v4 = Ipv4Addr::new(
                    (seg[6] >> 8) as u8,
                    seg[6] as u8,
                    (seg[7] >> 8) as u8,
                    seg[7] as u8,
                );
                forbidden_v4(v4, false).map(|_| "NAT64-embedded private")
            } else if v6 == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254) {
                Some("cloud metadata")
            } else {
                None
            }
        }
    }
}

fn forbidden_v4(v4: Ipv4Addr, allow_loopback: bool) -> Option<&'static str> {
    let o = v4.octets();
    if v4.is_loopback() {
        (!allow_loopback).then_some("loopback")
    } else if v4 == Ipv4Addr::new(169, 254, 169, 254) {
        Some("cloud metadata")
    } else if v4.is_private() {
        Some("private")
    } else if v4.is_link_local() {
        Some("link-local")
    } else if o[0] == 100 && (64..128).contains(&o[1]) {
        Some("CGNAT (shared)")
    } else if v4.is_multicast() {
        Some("multicast")
    } else if v4.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if v4.is_broadcast() || o[0] >= 240 {
        Some("reserved")
    } else if v4.is_documentation() || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) {
        Some("documentation or benchmarking")
    } else {
        None
    }
}

/// Resolves a host and checks every address it names: one refused address refuses the host.
async fn resolve_checked(
    host: &str,
    port: u16,
    allow_loopback: bool,
) -> Result<Vec<SocketAddr>, Refused> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| Refused::Resolve {
            host: host.to_owned(),
            reason: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(Refused::Resolve {
            host: host.to_owned(),
            reason: "no addresses".into(),
        });
    }
    for a in &addrs {
        if let Some(class) = forbidden(a.ip(), allow_loopback) {
            return Err(Refused::Address {
                host: host.to_owned(),
                addr: a.ip(),
                class,
            });
        }
    }
    Ok(addrs)
}

/// The client's resolver: every name it connects to is resolved and checked here, at the
/// moment of the request.
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    allow_loopback: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_loopback;
        Box::pin(async move {
            let addrs = resolve_checked(name.as_str(), 0, allow)
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// What a call got back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The start of the body (up to the policy's cap), as text.
    pub body: String,
    pub elapsed: Duration,
}

/// Why a call got no answer.
#[derive(Clone, Debug, thiserror::Error)]
pub enum SendError {
    #[error("refused: {0}")]
    Refused(#[from] Refused),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("{0}")]
    Other(String),
}

/// The guarded client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Outbound {
    client: reqwest::Client,
    policy: Arc<Policy>,
}

impl Outbound {
    pub fn new(policy: Policy) -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .user_agent(concat!(
                "demand-chain-hub/",
                env!("CARGO_PKG_VERSION"),
                " (webhooks)"
            ))
            .dns_resolver(Arc::new(GuardedResolver {
                allow_loopback: policy.allow_loopback,
            }))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            client,
            policy: Arc::new(policy),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Checks a URL as the hub would call it now: scheme, host, and every address the host
    /// resolves to. Run when an endpoint is registered or changed; every request runs it again.
    pub async fn vet(&self, url: &Url) -> Result<(), Refused> {
        self.vet_scheme_and_literal(url)?;
        if let Some(Host::Domain(d)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            resolve_checked(d, port, self.policy.allow_loopback).await?;
        }
        Ok(())
    }

    /// What [`vet`](Self::vet) checks without resolving: the scheme, and an IP literal
    /// host (which the client connects to without asking its resolver). A host name is
    /// checked by [`GuardedResolver`] whenever the client opens a connection to it, so a
    /// pooled connection is one to an address that was checked when it was opened.
    fn vet_scheme_and_literal(&self, url: &Url) -> Result<(), Refused> {
        match url.scheme() {
            "https" => {}
            "http" if self.policy.allow_http => {}
            _ => return Err(Refused::Scheme),
        }
        match url.host() {
            None => Err(Refused::NoHost),
            Some(Host::Ipv4(v4)) => check_literal(IpAddr::V4(v4), url, self.policy.allow_loopback),
            Some(Host::Ipv6(v6)) => check_literal(IpAddr::V6(v6), url, self.policy.allow_loopback),
            Some(Host::Domain(_)) => Ok(()),
        }
    }

    /// POSTs `body` to `url` with `headers`: vetted first (the scheme and an IP literal
    /// here, a host name's addresses by the resolver as the connection opens), no
    /// redirects, bounded in time and in what is read back.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: String,
    ) -> Result<Answer, SendError> {
        let url = Url::parse(url).map_err(|e| SendError::Other(format!("bad URL: {e}")))?;
        self.post_to(&url, headers, body).await
    }

    /// [`post`](Self::post) to a URL parsed already (a webhook worker parses each endpoint's
    /// once per claim, not once per delivery); vetted the same way, every time.
    pub async fn post_to(
        &self,
        url: &Url,
        headers: &[(&'static str, String)],
        body: String,
    ) -> Result<Answer, SendError> {
        self.vet_scheme_and_literal(url)?;
        let started = Instant::now();
        let mut req = self.client.post(url.clone()).body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let mut res = req.send().await.map_err(|e| self.classify(e))?;
        let status = res.status().as_u16();
        let mut kept: Vec<u8> = Vec::new();
        loop {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    let room = self.policy.max_response_bytes.saturating_sub(kept.len());
                    kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    if kept.len() >= self.policy.max_response_bytes {
                        break;
                    }
                }
                Ok(None) => break,
                // The status came; a body cut short does not change it.
                Err(_) => break,
            }
        }
        Ok(Answer {
            status,
            body: String::from_utf8_lossy(&kept).into_owned(),
            elapsed: started.elapsed(),
        })
    }

    fn classify(&self, e: reqwest::Error) -> SendError {
        // A refusal from the resolver arrives wrapped in a connect error.
        let mut source: Option<&dyn std::error::Error> = Some(&e);
        while let Some(s) = source {
            if let Some(r) = s.downcast_ref::<Refused>() {
                return SendError::Refused(r.clone());
            }
            source = s.source();
        }
        if e.is_timeout() {
            SendError::Timeout(self.policy.timeout)
        } else if e.is_connect() {
            SendError::Connect(root_cause(&e))
        } else {
            SendError::Other(root_cause(&e))
        }
    }
}

fn check_literal(ip: IpAddr, url: &Url, allow_loopback: bool) -> Result<(), Refused> {
    match forbidden(ip, allow_loopback) {
        Some(class) => Err(Refused::Address {
            host: url.host_str().unwrap_or_default().to_owned(),
            addr: ip,
            class,
        }),
        None => Ok(()),
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut last = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

impl tenants::webhooks::UrlCheck for Outbound {
    fn check<'a>(
        &'a self,
        url: &'a Url,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move { self.vet(url).await.map_err(|e| e.to_string()) })
    }
}

impl tenants::orders::live::QuoteCaller for Outbound {
    fn post<'a>(
        &'a self,
        url: &'a str,
        headers: Vec<(&'static str, String)>,
        body: String,
    ) -> tenants::orders::live::Answering<'a> {
        Box::pin(async move {
            Outbound::post(self, url, &headers, body)
                .await
                .map(|a| (a.status, a.body))
                .map_err(|e| e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> Outbound {
        Outbound::new(Policy::default())
    }

    async fn refused(url: &str) -> Refused {
        let u = Url::parse(url).expect("url");
        strict().vet(&u).await.expect_err(url)
    }

    #[tokio::test]
    async fn every_private_address_class_is_refused_whatever_its_spelling() {
        for (url, class) in [
            ("https://127.0.0.1/", "loopback"),
            ("https://2130706433/", "loopback"),
            ("https://0x7f.1/", "loopback"),
            ("https://0177.0.0.1/", "loopback"),
            ("https://127.1/", "loopback"),
            ("https://[::1]/", "loopback"),
            ("https://[::ffff:127.0.0.1]/", "IPv4-mapped private"),
            ("https://[::ffff:7f00:1]/", "IPv4-mapped private"),
            ("https://10.0.0.8/", "private"),
            ("https://172.16.4.1/", "private"),
            ("https://192.168.1.1/", "private"),
            (
                "https://169.254.169.254/latest/meta-data/",
                "cloud metadata",
            ),
            ("https://169.254.10.10/", "link-local"),
            ("https://100.64.0.1/", "CGNAT (shared)"),
            ("https://224.0.0.1/", "multicast"),
            ("https://0.0.0.0/", "unspecified"),
            ("https://[::]/", "unspecified"),
            ("https://[fd00::1]/", "unique local (private)"),
            ("https://[fe80::1]/", "link-local"),
            ("https://[ff02::1]/", "multicast"),
            ("https://[fd00:ec2::254]/", "unique local (private)"),
            ("https://[64:ff9b::a00:1]/", "NAT64-embedded private"),
            ("https://localhost/", "loopback"),
        ] {
            match refused(url).await {
                Refused::Address { class: c, .. } => assert_eq!(c, class, "{url}"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn plain_http_needs_the_configuration() {
        assert_eq!(refused("http://203.0.113.9/").await, Refused::Scheme);
        assert_eq!(refused("ftp://example.com/").await, Refused::Scheme);
        let dev = Outbound::new(Policy {
            allow_http: true,
            allow_loopback: true,
            ..Policy::default()
        });
        dev.vet(&Url::parse("http://127.0.0.1:9/").expect("url"))
            .await
            .expect("loopback allowed in development");
        // Allowing loopback does not open the private ranges.
        assert!(
            dev.vet(&Url::parse("http://10.1.2.3/").expect("url"))
                .await
                .is_err()
        );
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "2a00:1450:4001:80b::200e",
            "100.128.0.1",
        ] {
            let ip: IpAddr = ip.parse().expect("ip");
            assert_eq!(forbidden(ip, false), None, "{ip}");
        }
    }
}
