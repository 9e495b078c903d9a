//! Which addresses Bulletin may connect to.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use url::{Host, Url};

/// A refused destination.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Blocked(pub String);

/// True when `ip` is an ordinary public unicast address.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0                                   // "this network"
        || (a == 100 && (64..128).contains(&b))     // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0)           // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19))       // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let seg = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00                // unique local fc00::/7
        || (seg[0] & 0xffc0) == 0xfe80                // link-local fe80::/10
        || (seg[0] & 0xffc0) == 0xfec0                // site-local (deprecated)
        || (seg[0] == 0x2001 && seg[1] == 0x0db8)     // documentation
        || (seg[0] == 0x2001 && seg[1] == 0)          // Teredo
        || seg[0] == 0x100 && seg[1..4] == [0, 0, 0]) // discard-only
}

/// The IPv4 address inside IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let seg = ip.segments();
    let tail = Ipv4Addr::new(
        (seg[6] >> 8) as u8,
        seg[6] as u8,
        (seg[7] >> 8) as u8,
        seg[7] as u8,
    );
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if seg[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return Some(tail); // IPv4-compatible ::a.b.c.d
    }
    if seg[0] == 0x64 && seg[1] == 0xff9b {
        return Some(tail); // NAT64 64:ff9b::/96
    }
    if seg[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (seg[1] >> 8) as u8,
            seg[1] as u8,
            (seg[2] >> 8) as u8,
            seg[2] as u8,
        ));
    }
    None
}

/// Checks a URL whose host is an IP literal; names are checked at resolution.
pub fn check_url_host(url: &Url, allow_private: bool) -> Result<(), Blocked> {
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                return Err(Blocked(format!("{d} is a loopback name")));
            }
            return Ok(());
        }
        None => return Err(Blocked(format!("{url} has no host"))),
    };
    if is_public_ip(ip) {
        Ok(())
    } else {
        Err(Blocked(format!("{ip} is not a public address")))
    }
}

/// Resolves names and keeps only public addresses (unless allowed), so the
/// connection goes to an address that was checked.
pub(crate) struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| {
                    Box::new(Blocked(format!("cannot resolve {host}: {e}")))
                        as Box<dyn std::error::Error + Send + Sync>
                })?
                .collect();
            let total = addrs.len();
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| allow_private || is_public_ip(a.ip()))
                .collect();
            if allowed.is_empty() {
                let msg = if total == 0 {
                    format!("{host} has no address")
                } else {
                    format!("{host} resolves only to non-public addresses")
                };
                return Err(Box::new(Blocked(msg)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(url: &str) -> bool {
        check_url_host(&Url::parse(url).unwrap(), false).is_err()
    }

    #[test]
    fn refuses_every_non_public_form() {
        for url in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
            "http://[::]/",
            "http://localhost:8080/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
        ] {
            assert!(blocked(url), "{url} should be refused");
        }
    }

    #[test]
    fn allows_public_and_names() {
        for url in [
            "http://93.184.216.34/",
            "https://example.org/",
            "http://[2606:4700::1111]/",
        ] {
            assert!(!blocked(url), "{url} should be allowed");
        }
        assert!(check_url_host(&Url::parse("http://127.0.0.1/").unwrap(), true).is_ok());
    }
}
