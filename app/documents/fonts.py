"""The fonts the notices are printed with: found on disk, registered with ReportLab once per process.

A notice must show every character of a citizen's name, so the main face is a full Chinese TrueType
font (never a GB2312 subset, never ReportLab's unembedded STSong-Light), embedded and subset in each
PDF. In order of preference:

1. **Noto Serif SC** (Song style, OFL), regular and bold, fetched by ``make fonts`` into
   ``app/documents/fonts/`` (or ``NOTICE_FONT_DIR``);
2. **WenQuanYi Micro Hei** (Debian ``fonts-wqy-microhei``; sans, no bold);
3. **AR PL UMing** (Debian ``fonts-arphic-uming``; Song style).

Characters the main face lacks fall back, one by one, to DejaVu Sans (☐ ☑ and other symbols), then
HanaMinA and HanaMinB (Debian ``fonts-hanazono``: rare ideographs, those beyond the BMP such as 𠮷
included). ReportLab reads TrueType (glyf) outlines only, so CFF fonts (Debian's Noto CJK) are not
considered.

Without any main face, :func:`main_font` raises :class:`FontNotFoundError` saying how to install
one: a notice is never printed with boxes. :func:`missing_glyphs` tells the clerk, before printing,
which characters no font has.

Where to look: the directory ``make fonts`` fills (``app/documents/fonts/``), then the system's font
directories, searched recursively (``/usr/share/fonts`` and ``/usr/local/share/fonts``). The app hands
its settings ``NOTICE_FONT_DIR`` and ``NOTICE_SYSTEM_FONT_DIRS`` (config.py reads them from the
environment) to :func:`configure` when it is created; without an app (benchmarks, tests of the
documents alone) these defaults apply. :func:`reset` forgets what was found.
"""

from __future__ import annotations

import hashlib
import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

PACKAGE_FONT_DIR = Path(__file__).resolve().parent / "fonts"
DEFAULT_SYSTEM_FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

INSTALL_HINT = (
    "Run `make fonts` in the project directory (it downloads Noto Serif SC, about 69 MB, into "
    "app/documents/fonts/), or install a Chinese TrueType font with `apt-get install fonts-wqy-microhei` "
    "(or fonts-arphic-uming), or set NOTICE_FONT_DIR to a directory holding NotoSerifSC-Regular.ttf."
)


class FontNotFoundError(RuntimeError):
    """No Chinese TrueType font is available: notices cannot be printed."""


@dataclass(frozen=True)
class FontSpec:
    """A face we know by name, and the file names it comes under."""

    label: str  # the family as people know it
    regular: tuple[str, ...]  # candidate file names, first found wins
    bold: tuple[str, ...] = ()
    subfont: int = 0  # index in a .ttc collection
    in_package_dir_only: bool = False


MAIN_SPECS: tuple[FontSpec, ...] = (
    FontSpec("Noto Serif SC", ("NotoSerifSC-Regular.ttf", "NotoSerifSC_400Regular.ttf"),
             ("NotoSerifSC-Bold.ttf", "NotoSerifSC_700Bold.ttf")),
    FontSpec("WenQuanYi Micro Hei", ("wqy-microhei.ttc",)),
    FontSpec("AR PL UMing", ("uming.ttc",)),
)
FALLBACK_SPECS: tuple[FontSpec, ...] = (
    FontSpec("DejaVu Sans", ("DejaVuSans.ttf",), ("DejaVuSans-Bold.ttf",)),
    FontSpec("HanaMinA", ("HanaMinA.ttf",)),
    FontSpec("HanaMinB", ("HanaMinB.ttf",)),
)


@dataclass(frozen=True)
class Face:
    """One font file found on disk, and the name it is registered under with ReportLab."""

    label: str
    path: Path
    subfont: int = 0

    @property
    def name(self) -> str:
        # Unique per file (two checkouts, a test's own directory) and the same in every run; plain
        # letters and digits, so CSS and xhtml2pdf's font table take it as it is.
        digest = hashlib.sha1(f"{self.path}#{self.subfont}".encode()).hexdigest()[:8]
        return "kytb" + "".join(ch for ch in self.label.lower() if ch.isalnum()) + digest


@dataclass(frozen=True)
class Family:
    """A face with its bold (the regular face again when there is no bold file)."""

    label: str
    regular: Face
    bold: Face | None = None

    @property
    def name(self) -> str:
        return self.regular.name

    @property
    def faces(self) -> tuple[Face, ...]:
        return (self.regular,) + ((self.bold,) if self.bold else ())


# --- finding files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchDirs:
    """Where this process looks for fonts: the directory ``make fonts`` fills, then the system's."""

    font_dir: Path = PACKAGE_FONT_DIR
    system_dirs: tuple[Path, ...] = DEFAULT_SYSTEM_FONT_DIRS

    def all(self) -> tuple[Path, ...]:
        return (self.font_dir, *self.system_dirs)


_search = SearchDirs()


def configure(font_dir: Path | str | None = None, system_dirs: Iterable[Path | str] | None = None) -> SearchDirs:
    """Sets where to look (the app's NOTICE_FONT_DIR and NOTICE_SYSTEM_FONT_DIRS; None keeps the
    package's default of each) and returns the previous setting, for a test to put it back. Fonts are
    looked for again on next use (:func:`font_set` compares the directories)."""
    global _search
    previous = _search
    _search = SearchDirs(
        Path(font_dir).expanduser() if font_dir else PACKAGE_FONT_DIR,
        DEFAULT_SYSTEM_FONT_DIRS if system_dirs is None else tuple(Path(d).expanduser() for d in system_dirs),
    )
    return previous


def search_dirs() -> tuple[Path, ...]:
    return _search.all()


class _Index:
    """File name (lower case) → first path under the search directories, package directory first."""

    def __init__(self, dirs: Iterable[Path]) -> None:
        self.dirs = tuple(dirs)
        self.files: dict[str, Path] = {}
        for directory in self.dirs:
            if not directory.is_dir():
                continue
            for root, subdirs, names in os.walk(directory, followlinks=True):
                subdirs.sort()
                for name in sorted(names):
                    if name.lower().endswith((".ttf", ".ttc")):
                        self.files.setdefault(name.lower(), Path(root) / name)

    def find(self, names: Iterable[str]) -> Path | None:
        for name in names:
            path = self.files.get(name.lower())
            if path is not None and path.is_file():
                return path
        return None

    def family(self, spec: FontSpec) -> Family | None:
        regular = self.find(spec.regular)
        if regular is None:
            return None
        bold = self.find(spec.bold) if spec.bold else None
        return Family(spec.label, Face(spec.label, regular, spec.subfont),
                      Face(spec.label + " Bold", bold, spec.subfont) if bold else None)


# --- the font set of this process --------------------------------------------------------------


class FontSet:
    """The main family and the fallbacks found with the current settings; loads faces lazily."""

    def __init__(self, dirs: tuple[Path, ...]) -> None:
        self.dirs = dirs
        index = _Index(dirs)
        self.main: Family | None = next((f for f in map(index.family, MAIN_SPECS) if f is not None), None)
        self.fallbacks: tuple[Family, ...] = tuple(f for f in map(index.family, FALLBACK_SPECS) if f is not None)
        self._lock = threading.RLock()
        self._loaded: dict[str, object] = {}  # face name → ReportLab TTFont

    def require_main(self) -> Family:
        if self.main is None:
            searched = ", ".join(str(d) for d in self.dirs) or "(no directory)"
            raise FontNotFoundError(
                f"No Chinese TrueType font was found for printing notices (searched {searched} for "
                f"{', '.join(s.regular[0] for s in MAIN_SPECS)}). {INSTALL_HINT}"
            )
        return self.main

    def load(self, face: Face):
        """The ReportLab TTFont of ``face``, registered under ``face.name`` (once per process)."""
        with self._lock:
            font = self._loaded.get(face.name)
            if font is None:
                from reportlab.pdfbase import pdfmetrics
                from reportlab.pdfbase.ttfonts import TTFont

                try:
                    font = pdfmetrics.getFont(face.name)
                except KeyError:
                    font = TTFont(face.name, str(face.path), subfontIndex=face.subfont)
                    pdfmetrics.registerFont(font)
                self._loaded[face.name] = font
            return font

    def register(self, family: Family) -> str:
        """Registers the family (regular, bold, and the italic slots) and returns its CSS name."""
        from reportlab.lib.fonts import addMapping

        regular = self.load(family.regular).fontName
        bold = self.load(family.bold).fontName if family.bold else regular
        for is_bold, is_italic, name in ((0, 0, regular), (1, 0, bold), (0, 1, regular), (1, 1, bold)):
            addMapping(family.name, is_bold, is_italic, name)
        return family.name

    def coverage(self, family: Family) -> frozenset[int]:
        return self._coverage(family.regular)

    def _coverage(self, face: Face) -> frozenset[int]:
        key = "coverage:" + face.name
        with self._lock:
            cached = self._loaded.get(key)
            if cached is None:
                cached = frozenset(self.load(face).face.charToGlyph)
                self._loaded[key] = cached
            return cached  # type: ignore[return-value]

    def main_coverage(self) -> frozenset[int]:
        return self.coverage(self.require_main())

    def fallbacks_for(self, text: str) -> tuple[Family, ...]:
        """The fallback families ``text`` needs, in their order of preference: those that have a
        character the main face lacks. Empty for ordinary text, so HanaMin is loaded only when a
        name needs it."""
        main = self.main_coverage()
        lacking = {ord(ch) for ch in set(text) if _drawable(ch) and ord(ch) not in main}
        needed = []
        for family in self.fallbacks:
            if not lacking:
                break
            have = lacking & self.coverage(family)
            if have:
                needed.append(family)
                lacking -= have
        return tuple(needed)

    def missing(self, text: str) -> list[str]:
        main = self.main_coverage()
        seen: list[str] = []
        for ch in text:
            if ch in seen or not _drawable(ch) or ord(ch) in main:
                continue
            if not any(ord(ch) in self.coverage(f) for f in self.fallbacks):
                seen.append(ch)
        return seen


def _drawable(ch: str) -> bool:
    """Whether a character needs a glyph: not whitespace, not a control or format character (a
    private-use or unassigned code point does: legacy systems put rare name characters there)."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")


_current: FontSet | None = None
_current_lock = threading.Lock()


def font_set() -> FontSet:
    """The fonts found with the current settings (found once; :func:`reset` to look again)."""
    global _current
    dirs = search_dirs()
    with _current_lock:
        if _current is None or _current.dirs != dirs:
            _current = FontSet(dirs)
        return _current


def reset() -> None:
    global _current
    with _current_lock:
        _current = None


def main_font() -> Family:
    """The main family, or :class:`FontNotFoundError` with how to install one."""
    return font_set().require_main()


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` that no available font can draw, each once, in order of
    appearance (whitespace and control characters are never reported). Warn the clerk before
    printing when this is not empty. Raises :class:`FontNotFoundError` without a main font."""
    return font_set().missing(text)


def describe() -> dict[str, object]:
    """What was found, for diagnostics (``flask`` shell, the admin's system page)."""
    fonts = font_set()
    return {
        "main": None if fonts.main is None else {
            "family": fonts.main.label, "regular": str(fonts.main.regular.path),
            "bold": str(fonts.main.bold.path) if fonts.main.bold else None},
        "fallbacks": [{"family": f.label, "regular": str(f.regular.path)} for f in fonts.fallbacks],
        "searched": [str(d) for d in fonts.dirs],
    }


def font_roots() -> tuple[Path, ...]:
    """The directories the found font files live in (for the renderer's resource policy)."""
    fonts = font_set()
    families = ([fonts.main] if fonts.main else []) + list(fonts.fallbacks)
    roots: list[Path] = []
    for family in families:
        for face in family.faces:
            if face.path.parent not in roots:
                roots.append(face.path.parent)
    return tuple(roots)


__all__ = ["FontNotFoundError", "Family", "Face", "FontSet", "INSTALL_HINT", "SearchDirs", "configure", "describe",
           "font_roots", "font_set", "main_font", "missing_glyphs", "reset"]
