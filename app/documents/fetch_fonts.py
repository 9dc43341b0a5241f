"""Fetch the notices' font: Noto Serif SC (regular and bold) from its pinned npm package.

``make fonts`` runs this with the system Python before the virtualenv exists, so it uses the
standard library only and is run as a file (``python app/documents/fetch_fonts.py [DIR]``), not
imported through the ``app`` package.

The tarball of ``@expo-google-fonts/noto-serif-sc`` (SIL Open Font License 1.1) is downloaded from
the npm registry (``NPM_REGISTRY`` or npm's ``npm_config_registry`` to use a mirror), checked
against the pinned SHA-256 and reduced to the two TTF files and the licence, written atomically into
DIR (default ``app/documents/fonts``, or ``NOTICE_FONT_DIR``). Nothing happens when the files are
already there with the expected sizes: the command is cheap to run on every ``make install``.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

PACKAGE = "@expo-google-fonts/noto-serif-sc"
VERSION = "0.4.3"
TARBALL = "noto-serif-sc-0.4.3.tgz"
SHA256 = "ff6bcf5ba68d92dfecc05544bb150f9e724741a932354a0dd97e7289c40a3f5e"
#: member of the tarball → file written, and its size (checked on every run)
FILES = {
    "package/400Regular/NotoSerifSC_400Regular.ttf": ("NotoSerifSC-Regular.ttf", 14807636),
    "package/700Bold/NotoSerifSC_700Bold.ttf": ("NotoSerifSC-Bold.ttf", 14806580),
    "package/LICENSE_FONT": ("NotoSerifSC-OFL.txt", 4350),
}
DEFAULT_DIR = Path(__file__).resolve().parent / "fonts"


def registry() -> str:
    url = os.environ.get("NPM_REGISTRY") or os.environ.get("npm_config_registry") or "https://registry.npmjs.org/"
    return url.rstrip("/") + "/"


def tarball_url() -> str:
    return f"{registry()}{PACKAGE}/-/{TARBALL}"


def present(directory: Path) -> bool:
    return all((directory / name).is_file() and (directory / name).stat().st_size == size
               for name, size in FILES.values())


def download(url: str, into: Path) -> None:
    digest = hashlib.sha256()
    request = urllib.request.Request(url, headers={"User-Agent": "kytb-fetch-fonts"})
    with urllib.request.urlopen(request, timeout=60) as response, open(into, "wb") as out:  # noqa: S310
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != SHA256:
        raise SystemExit(f"fetch_fonts: {url} has SHA-256 {digest.hexdigest()}, expected {SHA256}; not installed")


def extract(archive: Path, directory: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        for member, (name, size) in FILES.items():
            info = tar.getmember(member)
            if not info.isfile() or info.size != size:
                raise SystemExit(f"fetch_fonts: {member} in {archive.name} is not the expected {size}-byte file")
            source = tar.extractfile(info)
            assert source is not None
            with tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}.", delete=False) as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
            os.chmod(out.name, 0o644)
            os.replace(out.name, directory / name)


def system_fallback() -> Path | None:
    """A Chinese TrueType font from Debian the notices can use instead (see app/documents/fonts.py)."""
    for root in ("/usr/share/fonts", "/usr/local/share/fonts"):
        for name in ("wqy-microhei.ttc", "uming.ttc"):
            found = next(Path(root).rglob(name), None) if Path(root).is_dir() else None
            if found is not None:
                return found
    return None


def main(argv: list[str]) -> int:
    directory = Path(argv[1] if len(argv) > 1 else os.environ.get("NOTICE_FONT_DIR") or DEFAULT_DIR)
    if present(directory):
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    url = tarball_url()
    print(f"fetch_fonts: downloading {PACKAGE}@{VERSION} (Noto Serif SC, OFL) from {url}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="kytb-fonts-") as tmp:
        archive = Path(tmp) / TARBALL
        try:
            download(url, archive)
        except OSError as error:
            fallback = system_fallback()
            if fallback is not None:
                print(f"fetch_fonts: cannot download {url} ({error}); the notices will use {fallback} instead "
                      "(Noto Serif SC looks better: run `make fonts` again when the registry can be reached)",
                      file=sys.stderr)
                return 0
            raise SystemExit(f"fetch_fonts: cannot download {url}: {error}. Set NPM_REGISTRY to a reachable npm "
                             "registry, or install fonts-wqy-microhei (the notices fall back to it).") from None
        extract(archive, directory)
    print(f"fetch_fonts: Noto Serif SC installed in {directory}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
