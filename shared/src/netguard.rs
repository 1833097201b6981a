//! Which IP addresses a job may connect to. Non-public addresses (loopback, private,
//! link-local including the cloud metadata endpoint, CGNAT, multicast, reserved, and their IPv6
//! forms, including IPv4-mapped and NAT64 embeddings) are refused unless the job allows them.
//! The HTTP adapter applies this after DNS resolution and to every redirect target.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::config::NetworkConfig;

/// The stable reason recorded on a page refused by this policy.
pub const BLOCKED_PRIVATE: &str = "blocked: private address";

#[derive(Clone, Debug, Default)]
pub struct NetPolicy {
    pub allow_private: bool,
    pub allow_cidrs: Vec<IpNet>,
}

impl NetPolicy {
    pub fn from_config(cfg: &NetworkConfig) -> Self {
        NetPolicy {
            allow_private: cfg.allow_private,
            allow_cidrs: cfg.allow_cidrs.clone(),
        }
    }

    pub fn permits(&self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip) || self.allow_cidrs.iter().any(|n| n.contains(&ip))
    }
}

/// True for addresses routable on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10 shared address space
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24 protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15 benchmarking
        || o[0] >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address that decides.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    if s[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || s[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated) ::a.b.c.d
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
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
        ] {
            assert!(!is_public(ip(s)), "{s} should not be public");
        }
        for s in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(s)), "{s} should be public");
        }
    }

    #[test]
    fn policy_allows_only_what_the_job_opens() {
        let closed = NetPolicy::default();
        assert!(!closed.permits(ip("127.0.0.1")));
        let one = NetPolicy {
            allow_private: false,
            allow_cidrs: vec!["127.0.0.1/32".parse().unwrap()],
        };
        assert!(one.permits(ip("127.0.0.1")));
        assert!(!one.permits(ip("127.0.0.2")));
        assert!(!one.permits(ip("169.254.169.254")));
        let open = NetPolicy {
            allow_private: true,
            allow_cidrs: vec![],
        };
        assert!(open.permits(ip("10.0.0.1")));
    }
}
