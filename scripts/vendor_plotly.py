"""Vendor plotly.js's partial "geo" bundle into assets/vendor/, pinned and checksummed.

Dash serves every .js file under assets/ as a plain <script> tag before the app starts, and
dcc.Graph uses `window.Plotly` when it is already defined; so with this bundle in assets/
Dash never fetches its full plotly.js (about 4.8 MB). The app draws only `scatter` and
`choropleth` traces, which the geo bundle (choropleth, scatter, scattergeo) covers in 1.4 MB.

The fetch is reproducible: one pinned npm tarball, checked against npm's sha512 integrity,
then the bundle inside it checked against a pinned sha256, written byte for byte.

    .venv/bin/python scripts/vendor_plotly.py          # fetch, verify, write (`make vendor`)
    .venv/bin/python scripts/vendor_plotly.py --check  # verify the committed file, no network

The registry is https://registry.npmjs.org/ unless npm's own environment variable
(npm_config_registry / NPM_CONFIG_REGISTRY) names another; HTTPS_PROXY / NO_PROXY are
honoured by urllib; npm_config_cafile / NPM_CONFIG_CAFILE, when set, is the CA bundle.

To upgrade: set VERSION to the plotly.js version the installed dash serves, put in the new
tarball's integrity (`npm view plotly.js-geo-dist-min@<version> dist.integrity`), set
BUNDLE_SHA256 to "" and run once to read the new sha256 off the error, pin it, run again.
Only stdlib.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import re
import ssl
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PACKAGE = "plotly.js-geo-dist-min"
VERSION = "4.1.1"
INTEGRITY = "sha512-XPBno+FN2WGUTqtim/0UKmKqZ3kZ5ooAWqITWWGooqVWRd+cIZDh1Pv10N3848uQdgrrqyGratT00bREBPux3Q=="
BUNDLE_MEMBER = "package/plotly-geo.min.js"
LICENSE_MEMBER = "package/LICENSE"
BUNDLE_SHA256 = "3da0a26e92ce47dad2b18c6e7cf5018335a003f50f5fe41710f52508af579b7c"

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
REGISTRY_ENV = ("npm_config_registry", "NPM_CONFIG_REGISTRY")
CAFILE_ENV = ("npm_config_cafile", "NPM_CONFIG_CAFILE")
TIMEOUT_SECONDS = 60
MAX_TARBALL_BYTES = 50 * 1024 * 1024

ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = ROOT / "assets" / "vendor"
BUNDLE_NAME = f"plotly-geo-{VERSION}.min.js"
BUNDLE_GLOB = "plotly-geo-*.min.js"  # any other version here would load too: removed
LICENSE_NAME = "LICENSE-plotly.js.txt"
BANNER = re.compile(rb"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)")


class VendorError(Exception):
    """A failure reported as one line, without a traceback."""


def first_env(names: tuple[str, ...]) -> str | None:
    """The first of these environment variables that is set and not empty."""
    return next((os.environ[name] for name in names if os.environ.get(name)), None)


def tarball_url(registry: str) -> str:
    """The pinned tarball's URL on the registry (npm's layout: <name>/-/<name>-<version>.tgz)."""
    return f"{registry.rstrip('/')}/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"


def ssl_context() -> ssl.SSLContext:
    """The system's CA store, or npm's cafile when its environment variable names one."""
    cafile = first_env(CAFILE_ENV)
    return ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()


def proxy_note(url: str) -> str:
    """', via proxy <proxy>' when the environment routes url through one, else ''."""
    scheme = url.split(":", 1)[0]
    proxy = urllib.request.getproxies().get(scheme)
    host = urllib.parse.urlsplit(url).hostname or ""
    return f", via proxy {proxy}" if proxy and not urllib.request.proxy_bypass(host) else ""


def download(url: str) -> bytes:
    """The body at url (proxies from the environment, as urllib reads them)."""
    request = urllib.request.Request(url, headers={"User-Agent": "vendor_plotly.py (urllib)"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS, context=ssl_context()) as response:
            body: bytes = response.read(MAX_TARBALL_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise VendorError(f"download failed: HTTP {error.code} {error.reason} for {url}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise VendorError(f"download failed: {reason} ({url}{proxy_note(url)})") from None
    if len(body) > MAX_TARBALL_BYTES:
        raise VendorError(f"download failed: {url} is larger than {MAX_TARBALL_BYTES} bytes")
    return body


def npm_integrity(data: bytes, algorithm: str = "sha512") -> str:
    """npm's Subresource-Integrity string for data, e.g. 'sha512-<base64 digest>'."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode('ascii')}"


def verify_integrity(data: bytes, expected: str) -> None:
    algorithm = expected.split("-", 1)[0]
    actual = npm_integrity(data, algorithm)
    if actual != expected:
        raise VendorError(f"checksum mismatch: tarball integrity is {actual}, pinned {expected}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_bundle(data: bytes, what: str) -> None:
    """The bundle matches the pinned sha256, and its banner names the pinned version."""
    actual = sha256_hex(data)
    if actual != BUNDLE_SHA256:
        raise VendorError(f"checksum mismatch: {what} has sha256 {actual}, pinned {BUNDLE_SHA256 or '(none)'}")
    version = banner_version(data)
    if version != VERSION:
        raise VendorError(f"version mismatch: {what} says plotly.js v{version}, pinned {VERSION}")


def banner_version(data: bytes) -> str | None:
    """The version in the bundle's header comment ('plotly.js (geo - minified) v4.1.1')."""
    match = BANNER.search(data[:1024])
    return match.group(1).decode("ascii") if match else None


def read_member(tarball: bytes, name: str) -> bytes:
    """One file's bytes from the gzipped tarball, read in memory (nothing is extracted to disk)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            member = archive.getmember(name)
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is None:
                raise VendorError(f"{name} in the tarball is not a regular file")
            return handle.read()
    except KeyError:
        raise VendorError(f"{name} not found in the {PACKAGE} {VERSION} tarball") from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise VendorError(f"cannot read the tarball: {error}") from None


def write_atomically(path: Path, data: bytes) -> bool:
    """Write data to path via a temporary file and a rename; False when already identical."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(data)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)
    return True


def stale_bundles(vendor_dir: Path) -> list[Path]:
    """Bundles of other versions in vendor_dir: Dash would load those as well."""
    return sorted(p for p in vendor_dir.glob(BUNDLE_GLOB) if p.name != BUNDLE_NAME)


def fetch(vendor_dir: Path) -> None:
    registry = first_env(REGISTRY_ENV) or DEFAULT_REGISTRY
    tarball = download(tarball_url(registry))
    verify_integrity(tarball, INTEGRITY)
    bundle = read_member(tarball, BUNDLE_MEMBER)
    verify_bundle(bundle, f"{BUNDLE_MEMBER} from the tarball")
    licence = read_member(tarball, LICENSE_MEMBER)
    for path, data in ((vendor_dir / BUNDLE_NAME, bundle), (vendor_dir / LICENSE_NAME, licence)):
        state = "written" if write_atomically(path, data) else "unchanged"
        print(f"{path.relative_to(ROOT)}: {state} ({len(data)} bytes)")
    for path in stale_bundles(vendor_dir):
        path.unlink()
        print(f"{path.relative_to(ROOT)}: removed (another version)")
    print(f"{PACKAGE} {VERSION} vendored, sha256 {BUNDLE_SHA256}")


def check(vendor_dir: Path) -> None:
    """Verify the committed files without the network."""
    bundle_path = vendor_dir / BUNDLE_NAME
    if not bundle_path.is_file():
        raise VendorError(f"{bundle_path.relative_to(ROOT)} missing: run `make vendor`")
    verify_bundle(bundle_path.read_bytes(), str(bundle_path.relative_to(ROOT)))
    if not (vendor_dir / LICENSE_NAME).is_file():
        raise VendorError(f"{(vendor_dir / LICENSE_NAME).relative_to(ROOT)} missing: run `make vendor`")
    stale = stale_bundles(vendor_dir)
    if stale:
        raise VendorError(f"other plotly bundles would load too: {', '.join(p.name for p in stale)}")
    print(f"{bundle_path.relative_to(ROOT)}: OK (plotly.js {VERSION}, sha256 {BUNDLE_SHA256})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed bundle against the pinned sha256 (no network)")
    args = parser.parse_args(argv)
    try:
        (check if args.check else fetch)(VENDOR_DIR)
    except VendorError as error:
        print(f"vendor_plotly: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
