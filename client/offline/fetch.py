"""A guarded fetch of a submitted image URL, the way a careful server would do it.

The stand-in runs on people's machines, so an image URL must never become a way to reach
their network: only public ``https`` hosts are fetched. Every hop (first request and each
redirect, followed by hand, at most three) is parsed, resolved and checked *before*
connecting, and the connection then goes to the checked address itself (with the original
name for TLS SNI, certificate check and ``Host``), so a second DNS answer cannot swap in a
private address (DNS rebinding). Size and time are capped.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable

import httpx

MAX_BYTES = 20_000_000
DEADLINE_S = 10.0
MAX_REDIRECTS = 3
_REDIRECTS = {301, 302, 303, 307, 308}
# Cloud metadata endpoints; most are already non-global, listed so the intent is explicit.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}

Resolver = Callable[[str, int], list[str]]
"""``(host, port) -> IP address strings``; injectable so tests can play DNS."""


class FetchError(Exception):
    """The image could not be fetched; ``reason`` is a short phrase safe to show to a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def system_resolve(host: str, port: int) -> list[str]:
    """Resolve with the system resolver (all addresses, IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"the host {host} could not be resolved") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    """True only for a globally routable unicast address (not private, loopback, link-local...)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or ip in _METADATA
        or not ip.is_global
    )


def _checked_target(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError("the URL is not valid") from exc
    if target.scheme != "https":
        raise FetchError("only https URLs are fetched")
    if target.userinfo:
        raise FetchError("URLs with credentials are refused")
    if not target.raw_host:
        raise FetchError("the URL has no host")
    return target


def _public_address(target: httpx.URL, resolve: Resolver) -> str:
    host = target.raw_host.decode("ascii")
    port = target.port or 443
    try:
        addresses = [str(ipaddress.ip_address(host))]  # a literal address needs no DNS
    except ValueError:
        addresses = resolve(host, port)
    if not addresses:
        raise FetchError(f"the host {host} could not be resolved")
    # Every address must be public: a mixed answer is how rebinding tricks start.
    if not all(is_public_address(a) for a in addresses):
        raise FetchError(f"the host {host} is not a public address")
    return addresses[0]


def _get(
    client: httpx.Client, target: httpx.URL, address: str, deadline: float, max_bytes: int
) -> httpx.Response | bytes:
    """One pinned GET: a redirect response (unread) or the body bytes of a 2xx answer."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpx.TimeoutException("deadline reached")
    request = client.build_request(
        "GET",
        target.copy_with(host=address),
        headers={"Host": target.netloc.decode("ascii"), "Accept": "image/jpeg, image/png, */*;q=0.5"},
        timeout=httpx.Timeout(remaining),
        extensions={"sni_hostname": target.raw_host.decode("ascii")},
    )
    response = client.send(request, stream=True)
    try:
        if response.status_code in _REDIRECTS:
            return response
        if not 200 <= response.status_code < 300:
            raise FetchError(f"the server answered HTTP {response.status_code}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"the file is larger than {max_bytes:,} bytes")
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"the file is larger than {max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise httpx.TimeoutException("deadline reached")
        return bytes(body)
    finally:
        response.close()


def fetch_image(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    deadline_s: float = DEADLINE_S,
    max_redirects: int = MAX_REDIRECTS,
    resolve: Resolver = system_resolve,
    transport: httpx.BaseTransport | None = None,
) -> bytes:
    """Download ``url`` under the guards above and return its bytes; raise :class:`FetchError`.

    Blocking: call it from a worker thread. ``resolve`` and ``transport`` exist for tests.
    """
    deadline = time.monotonic() + deadline_s
    current = url
    # trust_env=False: a proxy from the environment would connect on our behalf, unpinned.
    with httpx.Client(transport=transport, trust_env=False, follow_redirects=False) as client:
        for _hop in range(max_redirects + 1):
            target = _checked_target(current)
            address = _public_address(target, resolve)
            try:
                answer = _get(client, target, address, deadline, max_bytes)
            except httpx.TimeoutException as exc:
                raise FetchError(f"it took longer than {deadline_s:g} s") from exc
            except httpx.ConnectError as exc:
                raise FetchError(f"could not connect to {target.host}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"the download failed ({type(exc).__name__})") from exc
            if isinstance(answer, bytes):
                return answer
            location = answer.headers.get("location")
            if not location:
                raise FetchError(f"the server answered HTTP {answer.status_code} without a Location")
            current = str(target.join(location))
    raise FetchError(f"more than {max_redirects} redirects")
