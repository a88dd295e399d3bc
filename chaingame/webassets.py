"""The browser files Solara's pages need, made available offline (classroom server and researcher view).

Solara's page shell loads its JavaScript, CSS and fonts from a public CDN through a proxy that
first looks in a local folder (``solara.server.settings.assets.proxy_cache_dir``, by default
``<sys.prefix>/share/solara/cdn``). With no CDN the page stays blank, so we fill that folder from
the npm registry once, at install time (``chaingame assets``, run by ``scripts/setup.sh``), with
the npm client (``npm pack`` checks each tarball against the registry's integrity hash; the
versions we know are also checked against the hashes pinned below).

Which packages: exactly the ones Solara's page template asks for, read from the installed
template, so a Solara upgrade that moves to a new version is followed without a code change. The
pages of :mod:`chaingame.ui` use nothing else from the CDN (charts are matplotlib PNGs, tables are
plain HTML): no KaTeX, Mermaid or Vega.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

# sha512 integrity of the npm tarballs we have checked (npm view NAME@VERSION dist.integrity).
KNOWN_INTEGRITY = {
    "@widgetti/solara-vuetify3-app@5.2.0":
        "sha512-9UMyjf9KASR9PucZ7848upx1gqOqlUnG5Hh5or5CTaN/Um+AxAHQGwv8x4fFJzco/OaccsWdtsqb3bmYAnBo+Q==",
    "@widgetti/solara-vuetify-app@10.1.1":
        "sha512-Cdu6G7KIBeohT2jyeQUEDr61dhEozY23St+iDwfA3+ZyPZyoIza/nS4W2g8+dbs0Xhb+WQnXlaRI92TLgeY/Jw==",
    "requirejs@2.3.6":
        "sha512-ipEzlWQe6RK3jkzikgCupiTbTvm4S0/CAU5GlgptkN5SO6F3u0UD0K18wy6ErDqiCyP4J4YYe1HuAShvsxePLg==",
    "font-awesome@4.5.0":
        "sha512-XGGY8CN/NT8e5fKOC/K7CESNQ3+2oYOfZqwZcKgEMtcmTiHtFIH+XZWRoU0HtcdwhtSkpWXLfTIUlTdJ4PhX8A==",
}

_CDN_REF = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+@[\w.+-]+)/")


class AssetError(RuntimeError):
    """The browser files could not be provisioned; the message says what to do."""


@dataclass(frozen=True)
class Package:
    """One npm package version, unpacked into ``<cache>/<name>@<version>/``."""

    spec: str  # "name@version", e.g. "@widgetti/solara-vuetify3-app@5.2.0"

    @property
    def name(self) -> str:
        """The package name, without the version."""
        return self.spec.rsplit("@", 1)[0]

    def folder(self, cache: Path) -> Path:
        """Where the package is unpacked in ``cache``."""
        return cache / self.spec

    def present(self, cache: Path) -> bool:
        """Whether the package is unpacked in ``cache`` (its ``package.json`` is there)."""
        return (self.folder(cache) / "package.json").is_file()


def cache_dir() -> Path:
    """The folder Solara's asset proxy reads (``SOLARA_ASSETS_PROXY_CACHE_DIR`` overrides it)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def _vue3() -> bool:
    return metadata.version("ipyvue").startswith("3")


def required() -> list[Package]:
    """The npm packages Solara's page template loads with the installed ipyvue (Vue 2 or 3)."""
    import solara.server

    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    specs = list(dict.fromkeys(_CDN_REF.findall(template.read_text())))
    shell = "@widgetti/solara-vuetify3-app@" if _vue3() else "@widgetti/solara-vuetify-app@"
    specs = [s for s in specs if not s.startswith("@widgetti/solara-vuetify") or s.startswith(shell)]
    from solara.server import settings

    if settings.assets.fontawesome_enabled:
        fa = settings.assets.fontawesome_path.strip("/").split("/", 1)[0]
        specs.append(fa)
    if not any(s.startswith(shell) for s in specs):
        raise AssetError(f"Solara's page template names no {shell}... package; chaingame.webassets needs updating")
    return [Package(s) for s in dict.fromkeys(specs)]


def missing(cache: Path | None = None) -> list[Package]:
    """The required packages not yet unpacked in ``cache``."""
    cache = cache or cache_dir()
    return [p for p in required() if not p.present(cache)]


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _npm_pack(spec: str, dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError("npm (Node.js) is needed once to fetch the page's browser files from the npm registry; "
                         "install it (Debian: apt-get install npm) and run `chaingame assets`")
    done = subprocess.run([npm, "pack", "--silent", "--pack-destination", str(dest), spec],
                          capture_output=True, text=True, timeout=600)
    tarballs = sorted(dest.glob("*.tgz"))
    if done.returncode != 0 or not tarballs:
        last = (done.stderr.strip().splitlines() or ["no tarball written"])[-1]
        raise AssetError(f"npm pack {spec} failed: {last}")
    return tarballs[0]


def fetch(package: Package, cache: Path) -> Path:
    """Download ``package`` with npm, check its hash, unpack it (without source maps) into ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".fetch-") as tmp:
        tmp = Path(tmp)
        tarball = _npm_pack(package.spec, tmp)
        expected = KNOWN_INTEGRITY.get(package.spec)
        if expected is not None and _integrity(tarball) != expected:
            raise AssetError(f"{package.spec}: the tarball's sha512 differs from the pinned one; refusing to use it")
        unpacked = tmp / "unpacked"
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers()
                       if m.name.startswith("package/") and not m.name.endswith(".map")]
            tar.extractall(unpacked, members=members, filter="data")
        target = package.folder(cache)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        os.replace(unpacked / "package", target)  # appears whole or not at all
    return target


def ensure(cache: Path | None = None, fetch_missing: bool = True, log=print) -> list[Package]:
    """Make every required package present in ``cache``; return the ones that were fetched.

    Raises:
        AssetError: a package is missing and ``fetch_missing`` is false, or fetching failed.
    """
    cache = cache or cache_dir()
    todo = missing(cache)
    if todo and not fetch_missing:
        raise AssetError(f"the page's browser files are missing from {cache} "
                         f"({', '.join(p.spec for p in todo)}); run `chaingame assets` once (needs npm and the "
                         "npm registry)")
    for package in todo:
        log(f"fetching {package.spec} from the npm registry into {cache}")
        fetch(package, cache)
    return todo
