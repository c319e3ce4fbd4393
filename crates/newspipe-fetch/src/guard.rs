//! SSRF guard: only public addresses over http(s) are fetched.
//!
//! Two checks are needed because reqwest's resolver is skipped for IP-literal hosts (hyper-util
//! parses them before resolving): [`Guard::check_url`] runs on the first URL and on every redirect
//! hop, and [`PublicResolver`] drops non-public addresses a name resolves to (`localhost`,
//! DNS rebinding to 10.x, ...). `url` normalises odd IPv4 forms (`2130706433`, `0x7f.1`) to
//! `Host::Ipv4` first, so they cannot sneak past as names.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::FetchConfig;
use crate::error::FetchError;

/// True when `ip` is a globally routable unicast address that a crawler may connect to.
///
/// Refused: unspecified, loopback, RFC 1918, link-local (incl. 169.254.169.254, the cloud
/// metadata endpoint), CGNAT 100.64/10, benchmarking 198.18/15, 0/8, 240/4, broadcast, multicast,
/// IETF and documentation ranges; for IPv6 everything outside global unicast 2000::/3 (so ULA
/// fc00::/7, fe80::/10, multicast, loopback, IPv4-mapped and IPv4-compatible addresses), plus
/// documentation 2001:db8::/32, Teredo 2001::/32, and 6to4 / NAT64 addresses whose embedded IPv4
/// address is not public.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let blocked = a == 0                                  // 0/8 "this network"
        || a == 10                                        // RFC 1918
        || a == 127                                       // loopback
        || (a == 100 && (64..=127).contains(&b))          // CGNAT 100.64/10
        || (a == 169 && b == 254)                         // link-local, cloud metadata
        || (a == 172 && (16..=31).contains(&b))           // RFC 1918
        || (a == 192 && b == 0 && c == 0)                 // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)                 // TEST-NET-1
        || (a == 192 && b == 88 && c == 99)               // 6to4 relay anycast
        || (a == 192 && b == 168)                         // RFC 1918
        || (a == 198 && (b == 18 || b == 19))             // benchmarking 198.18/15
        || (a == 198 && b == 51 && c == 100)              // TEST-NET-2
        || (a == 203 && b == 0 && c == 113)               // TEST-NET-3
        || a >= 224; // multicast 224/4, reserved 240/4, broadcast
    !blocked
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let seg = ip.segments();
    // NAT64 well-known prefix 64:ff9b::/96: on an IPv6-only network DNS64 answers with these for
    // IPv4-only sites, so they are allowed when the embedded address is public.
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded_v4(seg[6], seg[7]));
    }
    // Only global unicast; this alone refuses ::, ::1, ::ffff:0:0/96, ::/96, fc00::/7,
    // fe80::/10, fec0::/10 and ff00::/8.
    if seg[0] & 0xe000 != 0x2000 {
        return false;
    }
    match (seg[0], seg[1]) {
        (0x2001, 0x0db8) => false,                                // documentation
        (0x2001, 0x0000) => false, // Teredo: tunnels to an IPv4 address we cannot check
        (0x2002, _) => is_public_v4(embedded_v4(seg[1], seg[2])), // 6to4
        _ => true,
    }
}

fn embedded_v4(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// The URL-level half of the guard, shared by the fetcher and the redirect policy.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    allow_private: bool,
    allow_addrs: Arc<[SocketAddr]>,
}

impl Guard {
    pub(crate) fn new(cfg: &FetchConfig) -> Self {
        Self {
            allow_private: cfg.allow_private_networks,
            allow_addrs: cfg.allow_addrs.clone().into(),
        }
    }

    /// Scheme must be http(s); an IP-literal host must be public (or explicitly allowed).
    /// Names are left to [`PublicResolver`], which sees what they resolve to.
    pub(crate) fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(FetchError::Scheme(other.to_owned())),
        }
        let ip = match url.host() {
            None => return Err(FetchError::InvalidUrl(format!("{url}: no host"))),
            Some(Host::Domain(_)) => return Ok(()),
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        };
        if self.allow_private || is_public_ip(ip) {
            return Ok(());
        }
        let port = url.port_or_known_default().unwrap_or(0);
        if self.allow_addrs.contains(&SocketAddr::new(ip, port)) {
            return Ok(());
        }
        Err(FetchError::Blocked(format!("{ip} is not a public address")))
    }
}

/// A DNS resolver that keeps only public addresses and fails when none remain.
///
/// It uses the system resolver (`getaddrinfo` on tokio's blocking pool); at crawl rates of a few
/// hundred new hosts per second that is fine, and it avoids a second DNS stack.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port in afterwards.
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            match keep_public(&host, &all) {
                Ok(public) => Ok(Box::new(public.into_iter()) as Addrs),
                Err(err) => {
                    tracing::debug!(%host, ?all, "name resolves only to non-public addresses");
                    Err(Box::new(err) as Box<dyn std::error::Error + Send + Sync>)
                }
            }
        })
    }
}

/// The public addresses among those `host` resolved to, or the guard's refusal naming them.
fn keep_public(host: &str, all: &[SocketAddr]) -> Result<Vec<SocketAddr>, FetchError> {
    let public: Vec<SocketAddr> = all
        .iter()
        .copied()
        .filter(|a| is_public_ip(a.ip()))
        .collect();
    if !public.is_empty() {
        return Ok(public);
    }
    let mut ips: Vec<String> = all.iter().map(|a| a.ip().to_string()).collect();
    ips.dedup();
    Err(FetchError::Blocked(format!(
        "{host} resolves only to non-public addresses ({})",
        ips.join(", ")
    )))
}

/// Would the SSRF guard refuse to fetch `url`? `Some(reason)` if so, the same text a fetch
/// would fail with (it names the cause and the setting that allows it), so `enqueue` can warn
/// about a seed at once instead of the URL failing minutes later.
///
/// IP-literal hosts are checked as the fetcher checks them; a name is resolved with the system
/// resolver and refused when it resolves only to non-public addresses. A name that does not
/// resolve at all gives `None`: that is a DNS problem, not the guard, and the crawl reports it.
pub async fn guard_refuses(url: &Url, allow_private_networks: bool) -> Option<String> {
    let cfg = FetchConfig {
        allow_private_networks,
        ..FetchConfig::default()
    };
    if let Err(e) = Guard::new(&cfg).check_url(url) {
        return Some(e.to_string());
    }
    if allow_private_networks {
        return None;
    }
    let Some(Host::Domain(name)) = url.host() else {
        return None;
    };
    let port = url.port_or_known_default().unwrap_or(0);
    let all: Vec<SocketAddr> = tokio::net::lookup_host((name, port)).await.ok()?.collect();
    if all.is_empty() {
        return None;
    }
    keep_public(name, &all).err().map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn non_public_addresses_are_refused() {
        for s in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.1.2.3",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8", // IPv4-mapped is refused wholesale
            "::127.0.0.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001:0::1",
            "2002:7f00:1::1",   // 6to4 of 127.0.0.1
            "2002:a9fe:a9fe::", // 6to4 of 169.254.169.254
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::7f00:1",
        ] {
            assert!(!is_public_ip(ip(s)), "{s} must be refused");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "2002:808:808::1",
            "64:ff9b::808:808",
        ] {
            assert!(is_public_ip(ip(s)), "{s} must be allowed");
        }
    }

    #[test]
    fn url_check_normalises_odd_ipv4_forms() {
        let guard = Guard::new(&FetchConfig::default());
        for u in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:7f00:1]/",
            "http://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1:8443/",
        ] {
            let url = Url::parse(u).unwrap();
            assert!(
                matches!(guard.check_url(&url), Err(FetchError::Blocked(_))),
                "{u} must be blocked"
            );
        }
        assert!(
            guard
                .check_url(&Url::parse("http://8.8.8.8/").unwrap())
                .is_ok()
        );
        assert!(
            guard
                .check_url(&Url::parse("https://example.com/").unwrap())
                .is_ok()
        );
        assert_eq!(
            guard.check_url(&Url::parse("ftp://example.com/").unwrap()),
            Err(FetchError::Scheme("ftp".into()))
        );
        assert_eq!(
            guard.check_url(&Url::parse("file:///etc/passwd").unwrap()),
            Err(FetchError::Scheme("file".into()))
        );
    }

    #[test]
    fn allow_addrs_exempts_exact_socket_addresses_only() {
        let cfg = FetchConfig {
            allow_addrs: vec!["127.0.0.1:8080".parse().unwrap()],
            ..FetchConfig::default()
        };
        let guard = Guard::new(&cfg);
        assert!(
            guard
                .check_url(&Url::parse("http://127.0.0.1:8080/x").unwrap())
                .is_ok()
        );
        assert!(
            guard
                .check_url(&Url::parse("http://127.0.0.1:8081/").unwrap())
                .is_err()
        );
        assert!(
            guard
                .check_url(&Url::parse("http://127.0.0.1/").unwrap())
                .is_err()
        );
    }

    #[test]
    fn allow_private_networks_disables_the_ip_check_but_not_the_scheme_check() {
        let cfg = FetchConfig {
            allow_private_networks: true,
            ..FetchConfig::default()
        };
        let guard = Guard::new(&cfg);
        assert!(
            guard
                .check_url(&Url::parse("http://127.0.0.1/").unwrap())
                .is_ok()
        );
        assert!(
            guard
                .check_url(&Url::parse("gopher://127.0.0.1/").unwrap())
                .is_err()
        );
    }

    #[tokio::test]
    async fn resolver_drops_loopback_names() {
        // The premise, checked rather than assumed: `localhost` resolves here, to loopback.
        // Without it a failed lookup would look like a refusal and prove nothing.
        let system: Vec<SocketAddr> = tokio::net::lookup_host(("localhost", 0))
            .await
            .expect("`localhost` must resolve on the test machine (/etc/hosts)")
            .collect();
        assert!(!system.is_empty() && system.iter().all(|a| a.ip().is_loopback()));

        let name: Name = "localhost".parse().unwrap();
        let err = match PublicResolver.resolve(name).await {
            Ok(addrs) => panic!("localhost resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(e) => e,
        };
        // Our refusal, naming what the name resolved to: only a resolver that really looked
        // the name up can say that.
        let fe = err
            .downcast_ref::<FetchError>()
            .unwrap_or_else(|| panic!("not the guard's refusal: {err}"));
        let FetchError::Blocked(msg) = fe else {
            panic!("{fe:?}")
        };
        let first = system[0].ip().to_string();
        assert!(msg.contains(&first), "{msg} does not name {first}");
    }

    #[test]
    fn keep_public_filters_and_names_what_it_refused() {
        let a = |s: &str| -> SocketAddr { s.parse().unwrap() };
        let mixed = [a("127.0.0.1:0"), a("93.184.215.14:0"), a("10.1.2.3:0")];
        assert_eq!(
            keep_public("x", &mixed).unwrap(),
            vec![a("93.184.215.14:0")]
        );
        let err = keep_public("intra.example", &[a("10.1.2.3:0"), a("[fd00::1]:0")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "blocked by the SSRF guard: intra.example resolves only to non-public addresses \
             (10.1.2.3, fd00::1) (set crawler.allow_private_networks = true to allow)"
        );
    }

    #[tokio::test]
    async fn guard_refuses_says_why_before_any_fetch() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            guard_refuses(&u("http://127.0.0.2:8080/"), false)
                .await
                .as_deref(),
            Some(
                "blocked by the SSRF guard: 127.0.0.2 is not a public address \
                 (set crawler.allow_private_networks = true to allow)"
            )
        );
        let why = guard_refuses(&u("http://localhost:8080/a"), false)
            .await
            .expect("localhost is refused");
        assert!(
            why.contains("localhost resolves only to non-public addresses")
                && why.contains("allow_private_networks"),
            "{why}"
        );
        assert_eq!(guard_refuses(&u("http://127.0.0.2/"), true).await, None);
        assert_eq!(guard_refuses(&u("http://localhost/"), true).await, None);
        assert_eq!(guard_refuses(&u("http://8.8.8.8/"), false).await, None);
        // Not the guard's business: an unresolvable name is reported by the crawl itself.
        assert_eq!(
            guard_refuses(&u("http://no-such-host.invalid/"), false).await,
            None
        );
        assert!(
            guard_refuses(&u("ftp://example.com/"), false)
                .await
                .is_some_and(|w| w.contains("scheme"))
        );
    }
}
