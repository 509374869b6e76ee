"""Gettext PO/POT catalogues: msgstr from msgid, written back into the original text.

polib parses the catalogue (entries, plural forms, flags, obsolete entries). The output is the
original file with only the changed lines replaced — each translated entry's msgstr lines, its
`#,` line when `fuzzy` goes, and header fields — so comments, references, flags, wrapping,
obsolete entries and line endings stay byte for byte (polib's own writer would re-wrap every
string). Should our line scan and polib ever disagree, polib writes the whole file instead.

Choices: existing msgstr are overwritten; a translated entry loses its `fuzzy` flag (its msgstr is
now a fresh translation of the current msgid; with the flag msgfmt would drop it); the header's
own flags stay. Plural entries: msgstr[0] from msgid, the other forms from msgid_plural (a
language with a single form takes msgid_plural). The Language header becomes the target
(`pt_BR` style); Plural-Forms is set from a small table only when the source has none or the POT
template one; `charset=CHARSET` becomes UTF-8, as does a charset the translation does not fit.
Ids: `e7` is the 7th entry's msgid, `e7/plural` its msgid_plural.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import polib

from polydoc.errors import MalformedDocument
from polydoc.formats._placeholders import repair_warning
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.l10n._icu import rebuild_string, string_parts

_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")
_SLAVIC = "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"
_PLURAL_FORMS = {  # gettext's usual rules; languages missing here keep what the file says
    "nplurals=1; plural=0;": "ja zh ko vi th id ms lo km my",
    "nplurals=2; plural=(n != 1);": "en de nl sv da nb nn no fi et el it es ca gl pt eu hu bg af sq eo",
    "nplurals=2; plural=(n > 1);": "fr oc br pt_br",
    f"nplurals=3; plural={_SLAVIC};": "ru uk be sr hr bs",
    "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);": "pl",
    "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;": "cs sk",
    "nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);": "ro",
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);": (
        "ar"
    ),
}
_PLURALS_BY_LANGUAGE = {code: rule for rule, codes in _PLURAL_FORMS.items() for code in codes.split()}


@dataclass(slots=True)
class _Layout:
    """Where one (non-obsolete) entry sits in the file, and its strings for cross-checking."""

    line: int  # its first keyword line
    flags: int | None  # index of its "#," line
    msgctxt: str | None = None
    msgid: str | None = None
    msgstr: str = ""  # all msgstr strings joined; only the header's is used
    msgstr_start: int = -1  # [start, end) lines of msgstr / msgstr[n] and continuations
    msgstr_end: int = 0


@dataclass(slots=True)
class _Catalogue:
    bom: bytes
    encoding: str
    lines: list[str]  # with their line endings
    layouts: list[_Layout]
    po: polib.POFile


def _unquote(text: str, i: int) -> str:
    text = text.strip()
    if not _QUOTED.fullmatch(text):  # polib lets an unterminated string pass
        raise MalformedDocument(f"The PO file is not valid: line {i + 1} has a badly quoted string")
    return polib.unescape(text[1:-1])


def _scan(lines: list[str]) -> list[_Layout]:
    """Entries of the PO text in file order, following polib's grammar."""
    entries: list[_Layout] = []
    cur: _Layout | None = None
    flags: int | None = None
    field = ""
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("#~"):
            flags, field = None, ""  # flags above an obsolete entry are its own
        elif s.startswith("#,"):
            flags = i
        elif not s or (s.startswith("#") and not s.startswith("#|")):
            field = ""
        elif s.startswith("#|"):
            field = "previous"
        elif s.startswith('"'):
            if cur is not None and field in ("msgctxt", "msgid", "msgstr"):
                setattr(cur, field, (getattr(cur, field) or "") + _unquote(s, i))
                if field == "msgstr":
                    cur.msgstr_end = i + 1
        else:
            keyword, rest = (s.split(None, 1) + [""])[:2]
            if keyword == "msgctxt" or (keyword == "msgid" and (cur is None or cur.msgid is not None)):
                cur, flags = _Layout(i, flags), None
                entries.append(cur)
            if cur is None:
                continue
            field = "msgstr" if keyword.startswith("msgstr") else keyword
            value = _unquote(rest, i)
            if field in ("msgctxt", "msgid"):
                setattr(cur, field, value)
            elif field == "msgstr":
                cur.msgstr += value
                cur.msgstr_start = i if cur.msgstr_start < 0 else cur.msgstr_start
                cur.msgstr_end = i + 1
    for entry in entries:
        if entry.msgstr_start < 0:
            raise MalformedDocument(
                f"The PO file is not valid: the entry at line {entry.line + 1} has no msgstr (is it truncated?)"
            )
    return entries


def charset(head: bytes) -> tuple[bytes, str]:
    """(BOM, codec) of a catalogue from its first 4 KiB: the charset its header declares
    (`Content-Type: text/plain; charset=ISO-8859-15`), UTF-8 when it declares none or the
    template's `CHARSET`. The one encoding rule of PO files: reading, writing and detection."""
    bom = codecs.BOM_UTF8 if head.startswith(codecs.BOM_UTF8) else b""
    m = _CHARSET.search(head[:4096])
    encoding = m.group(1).decode() if m and m.group(1) != b"CHARSET" else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise MalformedDocument(f"The PO file declares an unknown charset {encoding!r}") from exc
    return bom, encoding


def _read(src: Path) -> _Catalogue:
    data = src.read_bytes()
    bom, encoding = charset(data[:4096])
    try:
        text = data[len(bom) :].decode(encoding)
        po = polib.pofile(text)
    except UnicodeDecodeError as exc:
        raise MalformedDocument(f"The PO file is not valid {encoding} text") from exc
    except (OSError, ValueError) as exc:
        raise MalformedDocument(f"The PO file is not valid: {exc}") from exc
    lines = _LINES.findall(text)
    return _Catalogue(bom, encoding, lines, _scan(lines), po)


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def _quote(keyword: str, value: str, newline: str) -> str:
    parts = [p for p in re.split(r"(?<=\n)", value) if p]
    if len(parts) <= 1:
        return f'{keyword} "{polib.escape(value)}"{newline}'
    return f'{keyword} ""{newline}' + "".join(f'"{polib.escape(p)}"{newline}' for p in parts)


def _header(msgstr: str, updates: dict[str, str]) -> str:
    """Header text with some fields set (existing ones in place, new ones at the end)."""
    lines = msgstr.split("\n")
    for key, value in updates.items():
        for i, line in enumerate(lines):
            name, colon, _ = line.partition(":")
            if colon and name.strip().lower() == key.lower():
                lines[i] = f"{name}: {value}"
                break
        else:
            at = len(lines) - 1 if lines[-1] == "" else len(lines)
            lines.insert(at, f"{key}: {value}")
    return "\n".join(lines)


def _header_updates(metadata: dict[str, str], target: str, *, force_utf8: bool) -> dict[str, str]:
    updates = {"Language": target.replace("-", "_")}
    current = metadata.get("Plural-Forms", "")
    rule = _PLURALS_BY_LANGUAGE.get(target.replace("-", "_").lower()) or _PLURALS_BY_LANGUAGE.get(
        re.split(r"[-_]", target)[0].lower()
    )
    if rule and (not current or "INTEGER" in current or "EXPRESSION" in current):
        updates["Plural-Forms"] = rule
    content_type = metadata.get("Content-Type", "text/plain; charset=CHARSET")
    if "charset=CHARSET" in content_type or force_utf8:
        updates["Content-Type"] = re.sub(r"charset=[\w.:-]+", "charset=UTF-8", content_type)
    return {k: v for k, v in updates.items() if metadata.get(k) != v}


def _translate(e: polib.POEntry, sid: str, translations: Mapping[str, str], warnings: list[str]) -> list[str]:
    """Translated msgid (and msgid_plural); [] when the entry has no translation."""
    sources = [(sid, e.msgid)] + ([(f"{sid}/plural", e.msgid_plural)] if e.msgid_plural else [])
    if not any(key + suffix in translations for key, value in sources for suffix, _ in string_parts(value)):
        return []
    forms = []
    for key, value in sources:
        new, repaired = rebuild_string(value, lambda suffix, key=key: translations.get(key + suffix))
        warnings += [repair_warning(key + suffix, lost) for suffix, lost in repaired]
        forms.append(new)
    return forms


def _set(e: polib.POEntry, forms: list[str], nplurals: int | None) -> None:
    """Store translated forms: msgstr, or msgstr[n] ([0] singular, the rest plural)."""
    if e.msgid_plural:
        count = nplurals or max(2, len(e.msgstr_plural))
        e.msgstr_plural = {n: forms[1] if n or count == 1 else forms[0] for n in range(count)}
    else:
        e.msgstr = forms[0]
    if "fuzzy" in e.flags:
        e.flags.remove("fuzzy")


def _splice(cat: _Catalogue, changed: set[int], updates: dict[str, str]) -> str | None:
    """The original text with the changed msgstr blocks, flags and header fields replaced;
    None when the line scan does not match polib's entries."""
    lines, layouts = cat.lines, cat.layouts
    newline = next((ln[len(ln.rstrip("\r\n")) :] for ln in lines if ln.endswith("\n")), "\n")
    header = next((lay for lay in layouts if lay.msgid == "" and lay.msgctxt is None), None)
    layouts = [lay for lay in layouts if lay is not header]
    entries = _entries(cat.po)
    if len(layouts) != len(entries) or any(
        lay.msgid != e.msgid or lay.msgctxt != e.msgctxt for lay, e in zip(layouts, entries, strict=True)
    ):
        return None
    edits: list[tuple[int, int, str]] = []  # (first line, line after the replaced ones, new text)
    if updates and header is not None:
        msgstr = _quote("msgstr", _header(header.msgstr, updates), newline)
        edits.append((header.msgstr_start, header.msgstr_end, msgstr))
    elif updates:  # no header at all: add one, gettext needs the charset
        fields = {"Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit", **updates}
        body = _quote("msgstr", "".join(f"{k}: {v}\n" for k, v in fields.items()), newline)
        edits.append((0, 0, f'msgid ""{newline}{body}{newline}'))
    for lay, e in zip(layouts, entries, strict=True):
        if id(e) not in changed:
            continue
        if e.msgid_plural:
            items = sorted(e.msgstr_plural.items())
            new = "".join(_quote(f"msgstr[{n}]", v, newline) for n, v in items)
        else:
            new = _quote("msgstr", e.msgstr, newline)
        if lay.flags is not None and "fuzzy" in lines[lay.flags]:
            kept = [
                f.strip() for f in lines[lay.flags].strip()[2:].split(",") if f.strip() not in ("", "fuzzy")
            ]
            edits.append((lay.flags, lay.flags + 1, f"#, {', '.join(kept)}{newline}" if kept else ""))
        edits.append((lay.msgstr_start, lay.msgstr_end, new))
    out, pos = [], 0
    for start, end, new in sorted(edits):
        out += [*lines[pos:start], new]
        pos = end
    return "".join(out + lines[pos:])


class PoHandler(FormatHandler):
    name = "po"
    extensions = ("po", "pot")
    media_type = "text/x-gettext-translation"

    def text_encoding(self, src: Path) -> str:
        with src.open("rb") as fh:
            return charset(fh.read(4096))[1]

    def extract(self, src: Path) -> Iterator[Segment]:
        for k, entry in enumerate(_entries(_read(src).po), 1):
            sources = [(f"e{k}", entry.msgid)]
            if entry.msgid_plural:
                sources.append((f"e{k}/plural", entry.msgid_plural))
            for sid, value in sources:
                for suffix, text in string_parts(value):
                    yield Segment(sid + suffix, text, entry.msgctxt or "")

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        cat = _read(src)
        original = dict(cat.po.metadata)
        warnings: list[str] = []
        updates = _header_updates(original, target_language, force_utf8=False)
        found = _NPLURALS.search(updates.get("Plural-Forms") or original.get("Plural-Forms", ""))
        changed: set[int] = set()
        for k, entry in enumerate(_entries(cat.po), 1):
            forms = _translate(entry, f"e{k}", translations, warnings)
            if forms:
                _set(entry, forms, int(found.group(1)) if found else None)
                changed.add(id(entry))
        try:
            data = self._write(cat, changed, updates, warnings).encode(cat.encoding)
        except UnicodeEncodeError:
            warnings.append(f"The translation does not fit the {cat.encoding} charset; the file is now UTF-8")
            updates = _header_updates(original, target_language, force_utf8=True)
            data = self._write(cat, changed, updates, warnings).encode("utf-8")
        dst.write_bytes(cat.bom + data)
        return RebuildReport(warnings)

    @staticmethod
    def _write(cat: _Catalogue, changed: set[int], updates: dict[str, str], warnings: list[str]) -> str:
        out = _splice(cat, changed, updates)
        if out is not None:
            return out
        warnings.append("The PO layout could not be kept exactly; polib rewrote the whole catalogue")
        cat.po.metadata.update(updates)
        return str(cat.po)


HANDLER = PoHandler()
