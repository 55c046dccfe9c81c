"""The SSRF guard: which addresses the crawler may connect to. A URL a user (or a crawled page, or a
redirect) names is resolved, and every address it resolves to must be a public one; a single private
answer refuses the host, since the connection could go to any of them.

Refused always: link-local addresses (169.254.0.0/16, fe80::/10: where cloud metadata services answer,
169.254.169.254), the other known metadata addresses, multicast, reserved and unspecified addresses
(0.0.0.0 reaches the machine itself). Refused unless the operator allows private networks
(``allow_private``, for an intranet): private networks, loopback and the other addresses that are not
globally routable. An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, NAT64) is judged by that
IPv4 address too.

The guard only resolves; it never connects. ``ingest.web.fetch`` calls it inside the connection itself
and connects to the very addresses it checked, so a name cannot resolve to a public address for the check
and to a private one for the connection (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from ingest.web.errors import BadURL, FetchFailed, UnsafeURL
from ingest.web.urls import without_credentials

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses to connect to, in order (socket.getaddrinfo by default; tests map names).
Resolver = Callable[[str, int], list[str]]

SCHEMES = ("http", "https")
ALLOW_HINT = "set RAG_SOURCES__ALLOW_PRIVATE=true to allow it"

# Metadata services outside link-local: AWS over IPv6 (a unique-local address, so "private") and Alibaba
# Cloud (in the carrier-grade NAT range). Never allowed, like 169.254.169.254.
_METADATA = frozenset(ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Kinds allow_private opens; the others stay refused.
_PRIVATE_KINDS = frozenset({"private", "loopback", "non-public"})


def split(url: str) -> SplitResult:
    """``url``'s parts, once it is a web address we may request: http or https, a host, no credentials."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises on a port that is not a number
    except ValueError as e:
        raise BadURL(f"{url!r} is not a valid web address: {e}") from e
    if not parts.scheme:
        raise BadURL(f"{url!r} is not a web address: give one starting with http:// or https://")
    if parts.scheme.lower() not in SCHEMES:
        raise BadURL(f"{url}: only http and https addresses are crawled, not {parts.scheme}:")
    if not parts.hostname:
        raise BadURL(f"{url}: the address names no host")
    if parts.username is not None or parts.password is not None:
        # A crawler must not send credentials it found in a link, nor store them in document names.
        shown = without_credentials(url)
        raise UnsafeURL(f"{shown}: the address carries a user name or password; give it without them")
    return parts


def check(url: str, *, allow_private: bool = False, resolve: Resolver | None = None) -> list[str]:
    """The addresses ``url``'s host resolves to, when all of them may be reached. UnsafeURL otherwise,
    BadURL for a URL that is not http(s) with a host, FetchFailed when the name does not resolve."""
    parts = split(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return check_host(parts.hostname or "", port, allow_private=allow_private, resolve=resolve, label=url)


def check_host(
    host: str, port: int, *, allow_private: bool, resolve: Resolver | None = None, label: str | None = None
) -> list[str]:
    """The addresses ``host`` resolves to, all checked; UnsafeURL naming the first one refused."""
    label = label or host
    addresses = (resolve or resolve_host)(host, port)
    if not addresses:
        raise FetchFailed(f"{label}: the name resolves to no address")
    for address in addresses:
        kind = refused_kind(ipaddress.ip_address(address), allow_private=allow_private)
        if kind is None:
            continue
        if label == address:
            said = f"{address} is a {kind} address"
        else:
            said = f"{label} {'names' if _is_literal(host) else 'resolves to'} {address}, a {kind} address"
        if kind in _PRIVATE_KINDS:
            raise UnsafeURL(f"{said}; {ALLOW_HINT}")
        raise UnsafeURL(f"{said}, which is never crawled (not even when private networks are allowed)")
    return addresses


def refused_kind(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``ip`` may not be reached ("private", "link-local", ...), or None when it may."""
    embedded = _embedded_v4(ip)
    if embedded is None:
        kinds = [_kind(ip)]
    elif isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        # ::ffff:a.b.c.d is the IPv4 address itself: judged as one (Python calls ::ffff:0:0/96 reserved).
        kinds = [_kind(embedded)]
    else:
        kinds = [_kind(embedded), _kind(ip)]  # 6to4, NAT64: the IPv4 address reached, and their own
    for kind in kinds:
        if kind is not None and not (allow_private and kind in _PRIVATE_KINDS):
            return kind
    return None


def _kind(ip: IPAddress) -> str | None:
    # Most specific first: 169.254.169.254 is both link-local and private, :: both unspecified and reserved.
    if ip in _METADATA:
        return "cloud metadata"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if ip.is_link_local:
        return "link-local"
    if ip.is_loopback:
        return "loopback"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:  # the carrier-grade NAT range 100.64.0.0/10, neither private nor public
        return "non-public"
    return None


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one reaches through: IPv4-mapped (::ffff:a.b.c.d), 6to4, NAT64."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to for a TCP connection, without repeats, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchFailed(f"{host}: the name cannot be resolved ({e})") from e
    out: list[str] = []
    for *_, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # without an IPv6 scope (fe80::1%eth0)
        if address not in out:
            out.append(address)
    return out


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
