"""Optional sign-in (issue 14; docs/security.md, "Sign-in (optional)"), off unless configured.

Two ways, chosen by Settings (the environment), never both:
- basic auth: DASHBOARD_USERS_FILE names a file of `username:hash` lines, each hash made by
  werkzeug's generate_password_hash; a browser asks for a name and password and sends them with
  every request, checked by werkzeug's check_password_hash (constant time);
- a trusted reverse proxy: DASHBOARD_TRUSTED_USER_HEADER names the header in which an
  authenticating proxy (oauth2-proxy, for example) puts the signed-in user; a request without a
  value in it is refused, and so is one from an address not in DASHBOARD_TRUSTED_PROXY_ADDRESSES
  when that is set.

Every request is checked, whatever its path: the page, Dash's /_dash-* routes, /assets/, /geo/,
the board pack's routes and unknown paths (refused before they are found missing). Requests the
app makes to itself through its test client (prime_worker, warm_static) pass when their environ
carries `internal_request_environ()`: a WSGI server puts what a client sends only under HTTP_*
keys (its headers) and its own CGI keys, so no request from the network can carry that key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.security import check_password_hash

from dashboard.core.errors import InputError
from dashboard.core.settings import PRODUCT_NAME, Settings

log = logging.getLogger(__name__)

INTERNAL_KEY = "cancer_variation_explorer.internal"  # in a request's WSGI environ: made by the app itself
CHALLENGE = f'Basic realm="{PRODUCT_NAME}", charset="UTF-8"'
LOGGED_CHARS = 64  # of a user name, in the log
VERIFIED_KEPT = 1024  # name and password pairs remembered as checked, per worker
HASH_HELP = (
    "each line is `username:hash`, the hash made by "
    "python -c \"from werkzeug.security import generate_password_hash; print(generate_password_hash('…'))\""
)
HEADER_NAME = re.compile(r"[A-Za-z0-9-]+")
HEX = re.compile(r"[0-9a-f]+")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Hook = Callable[[], Response | None]


def internal_request_environ() -> dict[str, Any]:
    """What a request the app makes to itself adds to its environ to pass sign-in, e.g.
    `client.environ_base.update(signin.internal_request_environ())` on a Flask test client."""
    return {INTERNAL_KEY: True}


def is_internal(environ: Mapping[str, Any]) -> bool:
    return environ.get(INTERNAL_KEY) is True


def signed_in_user() -> str | None:
    """Who made the request being served (None: sign-in is off, or the app asked itself)."""
    return g.get("signed_in_user")


def require_sign_in(server: Flask, settings: Settings) -> None:
    """Refuse every request not signed in the way `settings` ask; do nothing when they ask none.
    Bad settings or a bad users file stop the app starting (InputError, naming the file and line)."""
    hook = sign_in_hook(settings)
    if hook is not None:
        server.before_request(hook)


def sign_in_hook(settings: Settings) -> Hook | None:
    if settings.users_file is not None and settings.trusted_user_header:
        raise InputError(
            "DASHBOARD_USERS_FILE and DASHBOARD_TRUSTED_USER_HEADER are both set: choose one way of signing in "
            "(docs/security.md)"
        )
    if settings.trusted_proxy_addresses and not settings.trusted_user_header:
        raise InputError("DASHBOARD_TRUSTED_PROXY_ADDRESSES is set without DASHBOARD_TRUSTED_USER_HEADER (docs/security.md)")
    if settings.users_file is not None:
        return BasicSignIn(read_users(settings.users_file))
    if settings.trusted_user_header:
        return ProxySignIn(settings.trusted_user_header, trusted_networks(settings.trusted_proxy_addresses))
    return None


def _refused(reason: str, user: str | None) -> None:
    """One line per refusal, at INFO: never a password, a user name cut to LOGGED_CHARS and quoted."""
    shown = "" if user is None else f" as {user[:LOGGED_CHARS]!r}"
    log.warning("sign-in refused%s from %s (%s %s): %s", shown, request.remote_addr, request.method, request.path[:200], reason)


# Basic auth ---------------------------------------------------------------------------------


def hash_problem(pwhash: str) -> str | None:
    """What is wrong with a stored hash (None: it is one check_password_hash can use). The
    hash itself is never quoted: a mistaken line may hold a password in plain text."""
    parts = pwhash.split("$")
    if len(parts) != 3 or not all(parts):
        return "the hash is not a werkzeug password hash (method$salt$hash)"
    method, *arguments = parts[0].split(":")
    if method == "scrypt":
        ok = not arguments or (len(arguments) == 3 and all(a.isdigit() and int(a) > 0 for a in arguments))
    elif method == "pbkdf2":
        ok = len(arguments) <= 2 and (not arguments or arguments[0] in hashlib.algorithms_available)
        ok = ok and (len(arguments) < 2 or (arguments[1].isdigit() and int(arguments[1]) > 0))
    else:
        return "the hash's method is neither scrypt nor pbkdf2"
    if not ok:
        return f"the hash's {method} parameters are not ones werkzeug made"
    if not HEX.fullmatch(parts[2]):
        return "the hash's last part is not hexadecimal"
    return None


def read_users(path: Path) -> dict[str, str]:
    """User name -> password hash, from a file of `username:hash` lines (blank lines and lines
    starting with # are skipped). Anything else stops the app starting, naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror or type(exc).__name__
        raise InputError(f"DASHBOARD_USERS_FILE: cannot read {path}: {reason}") from None
    users: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, pwhash = line.partition(":")
        where = f"DASHBOARD_USERS_FILE {path}, line {number}"
        if not colon or not name or name != name.strip() or not name.isprintable():
            raise InputError(f"{where}: not `username:hash` ({HASH_HELP})")
        if name in users:
            raise InputError(f"{where}: user {name[:LOGGED_CHARS]!r} is already on line {lines[name]}")
        problem = hash_problem(pwhash)
        if problem:
            raise InputError(f"{where}: {problem} ({HASH_HELP})")
        users[name], lines[name] = pwhash, number
    if not users:
        raise InputError(f"DASHBOARD_USERS_FILE {path}: no users in it ({HASH_HELP})")
    return users


class BasicSignIn:
    """The before-request hook of basic auth. A password check costs 0.1 s (scrypt) to 0.4 s
    (pbkdf2) of CPU, and a browser sends the password with every request: a pair once found
    right is remembered, as an HMAC under a key made at start-up (never the password), so
    later requests cost a look-up. Wrong pairs are always checked in full."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self._users = dict(users)
        self._stand_in = next(iter(self._users.values()))  # checked for an unknown name: no faster answer
        self._key = secrets.token_bytes(32)
        self._verified: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, name: str, password: str) -> bytes:
        text = f"{len(name)}:{name}:{password}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, text, hashlib.sha256).digest()

    def check(self, name: str, password: str) -> str | None:
        """Why the pair is refused, or None when it is right."""
        digest = self._digest(name, password)
        with self._lock:
            if self._verified.get(digest) == name:
                self._verified.move_to_end(digest)
                return None
        known = name in self._users
        # werkzeug's check compares in constant time; an unknown name costs as much as a known one.
        right = check_password_hash(self._users.get(name, self._stand_in), password) and known
        if not right:
            return "wrong password" if known else "unknown user"
        with self._lock:
            self._verified[digest] = name
            while len(self._verified) > VERIFIED_KEPT:
                self._verified.popitem(last=False)
        return None

    def __call__(self) -> Response | None:
        if is_internal(request.environ):
            return None
        credentials = request.authorization
        if credentials is None or credentials.type != "basic" or credentials.username is None:
            if request.headers.get("Authorization"):
                _refused("credentials not in the Basic scheme", None)
            else:  # a browser's first request, before it asks for a name: not an attempt to sign in
                log.debug("sign-in asked of %s (%s %s)", request.remote_addr, request.method, request.path[:200])
            return self.challenge()
        name, password = credentials.username, credentials.password or ""
        reason = self.check(name, password)
        if reason:
            _refused(reason, name)
            return self.challenge()
        g.signed_in_user = name
        return None

    @staticmethod
    def challenge() -> Response:
        response = Response("Sign-in required.\n", status=401, mimetype="text/plain")
        response.headers["WWW-Authenticate"] = CHALLENGE
        response.headers["Cache-Control"] = "no-store"
        return response


# A trusted reverse proxy ---------------------------------------------------------------------


def trusted_networks(addresses: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for address in addresses:
        try:
            networks.append(ipaddress.ip_network(address, strict=False))
        except ValueError:
            raise InputError(f"DASHBOARD_TRUSTED_PROXY_ADDRESSES: {address[:LOGGED_CHARS]!r} is not an IP address or network") from None
    return tuple(networks)


def _address(remote: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


class ProxySignIn:
    """The before-request hook of a trusted proxy: the signed-in user is the header's value."""

    def __init__(self, header: str, networks: tuple[Network, ...] = ()) -> None:
        if not HEADER_NAME.fullmatch(header):
            raise InputError(
                f"DASHBOARD_TRUSTED_USER_HEADER: {header[:LOGGED_CHARS]!r} is not a header name (letters, digits and '-', e.g. X-Forwarded-User)"
            )
        self.header = header
        self._key = "HTTP_" + header.upper().replace("-", "_")
        self._networks = networks

    def __call__(self) -> Response | None:
        if is_internal(request.environ):
            return None
        if self._networks:
            address = _address(request.remote_addr)
            if address is None or not any(address in network for network in self._networks):
                _refused("not from a trusted proxy address", None)
                return Response("Forbidden: open the app through its sign-in proxy.\n", status=403, mimetype="text/plain")
        user = str(request.environ.get(self._key) or "").strip()
        if "," in user:
            # The header sent twice reaches the app joined by ", " ("alice, mallory"): a proxy
            # sets it once, so two say a client's copy got past the proxy (an adversarial check).
            _refused(f"the {self.header} header given more than once", None)
            return Response("Forbidden: the sign-in header was given more than once.\n", status=403, mimetype="text/plain")
        if not user:
            _refused(f"no {self.header} header", None)
            return Response("Sign-in required: open the app through its sign-in proxy.\n", status=401, mimetype="text/plain",
                            headers={"Cache-Control": "no-store"})
        g.signed_in_user = user
        return None
