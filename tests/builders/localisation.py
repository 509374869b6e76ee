"""Localisation files: gettext PO/POT (built with polib), XLIFF 1.2 and 2.0, JSON and YAML
(written by hand, as tools and people write them), each with the placeholders real catalogues use."""

from __future__ import annotations

import json
from pathlib import Path

import polib

POT_METADATA = {
    "Project-Id-Version": "harbour 1.0",
    "Report-Msgid-Bugs-To": "dev@example.com",
    "POT-Creation-Date": "2024-05-01 10:00+0000",
    "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
    "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
    "Language-Team": "LANGUAGE <LL@li.org>",
    "Language": "",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=CHARSET",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=INTEGER; plural=EXPRESSION;",
}


def build_po(folder: Path, *, name: str = "messages.po", template: bool = False) -> Path:
    """A PO catalogue (or, with `template`, a POT: template header, fuzzy header, empty msgstr).

    English entries: "Hello, %(name)s!" (python-format, translator and extracted comments,
    references); a plural "You have %d new message(s)"; a fuzzy c-format "Delete file %s?" with a
    previous msgid and (PO only) a stale msgstr; "Open" twice with msgctxt "menu" and "verb"; a
    long two-line msgid; python-brace "Welcome back, {user}! You have {count} tasks."; HTML with a
    URL "Read the <a href=…>documentation</a> first."; "\\nTotal: %(total)d items\\n" (leading and
    trailing newline); "%s" alone (nothing to translate); an obsolete entry.
    """
    po = polib.POFile(wrapwidth=78)
    po.header = "Harbour museum application.\nCopyright (C) 2024 Harbour Museum"
    po.metadata = dict(POT_METADATA)
    if template:
        po.metadata_is_fuzzy = True
    else:
        po.metadata.update(
            {
                "Language": "es",
                "Content-Type": "text/plain; charset=UTF-8",
                "Plural-Forms": "nplurals=2; plural=(n != 1);",
            }
        )
    entries = [
        polib.POEntry(
            msgid="Hello, %(name)s!",
            comment="Greeting on the home page",
            tcomment="Keep it friendly",
            occurrences=[("harbour/views.py", "10")],
            flags=["python-format"],
        ),
        polib.POEntry(
            msgid="You have %d new message",
            msgid_plural="You have %d new messages",
            msgstr_plural={0: "", 1: ""},
            occurrences=[("harbour/views.py", "22")],
            flags=["python-format"],
        ),
        polib.POEntry(
            msgid="Delete file %s?",
            msgstr="" if template else "Texto viejo %s",
            previous_msgid="Remove file %s?",
            flags=["fuzzy", "c-format"],
        ),
        polib.POEntry(msgctxt="menu", msgid="Open", occurrences=[("harbour/menu.py", "3")]),
        polib.POEntry(msgctxt="verb", msgid="Open", occurrences=[("harbour/doors.py", "8")]),
        polib.POEntry(
            msgid="The harbour museum shows ships, maps and instruments from three centuries of sailing.\n"
            "Guided tours start every hour at the main entrance."
        ),
        polib.POEntry(msgid="Welcome back, {user}! You have {count} tasks.", flags=["python-brace-format"]),
        polib.POEntry(msgid='Read the <a href="https://example.com/docs">documentation</a> first.'),
        polib.POEntry(msgid="\nTotal: %(total)d items\n", flags=["python-format"]),
        polib.POEntry(msgid="%s", flags=["c-format"]),
        polib.POEntry(msgid="Obsolete thing", msgstr="Cosa obsoleta", obsolete=True),
    ]
    for entry in entries:
        po.append(entry)
    path = folder / (name if not template else name.replace(".po", ".pot"))
    po.save(str(path))
    return path


XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file source-language="en" datatype="html" original="harbour.html">
    <header><note>Exported for translation</note></header>
    <body>
      <trans-unit id="title" resname="page.title">
        <source>Welcome to the <g id="1" ctype="bold">harbour</g> museum<x id="2" ctype="lb"/>Open daily</source>
        <note>Page title</note>
      </trans-unit>
      <trans-unit id="brand" translate="no">
        <source>Harbour Museum</source>
      </trans-unit>
      <group id="buttons">
        <trans-unit id="save">
          <source>Click <ph id="1">&lt;b&gt;</ph>Save<ph id="2">&lt;/b&gt;</ph> to keep {count} changes &amp; <bx id="3"/>exit<ex id="4"/> <mrk mtype="protected">HM-2000</mrk></source>
          <target state="needs-translation">Old target text</target>
        </trans-unit>
        <trans-unit id="empty">
          <source>42</source>
        </trans-unit>
      </group>
      <group id="legal" translate="no">
        <trans-unit id="licence"><source>Licence text stays English</source></trans-unit>
      </group>
      <trans-unit id="tour">
        <source>Tours start at noon. Tickets cost %1$s each.</source>
        <seg-source><mrk mtype="seg" mid="1">Tours start at noon.</mrk> <mrk mtype="seg" mid="2">Tickets cost %1$s each.</mrk></seg-source>
      </trans-unit>
    </body>
  </file>
</xliff>
"""

XLIFF2 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en">
  <file id="f1" original="app.json">
    <unit id="welcome" name="home.welcome">
      <originalData>
        <data id="d1">&lt;br/&gt;</data>
      </originalData>
      <segment>
        <source>Hello <pc id="1" dataRefStart="b1" dataRefEnd="b2">brave</pc> sailor<ph id="2" dataRef="d1"/>, {name}!</source>
      </segment>
      <ignorable>
        <source> </source>
      </ignorable>
      <segment state="final">
        <source>The <sc id="3"/>old<ec startRef="3"/> ship is <mrk id="m1" translate="no">HMS Victory</mrk> today.</source>
        <target>Stale translation</target>
      </segment>
    </unit>
    <group id="g1" translate="no">
      <unit id="code"><segment><source>Do not translate this</source></segment></unit>
    </group>
    <unit id="plain">
      <segment><source>Tickets are sold at the gate.</source></segment>
    </unit>
  </file>
</xliff>
"""


def build_xliff12(folder: Path, *, name: str = "harbour.xlf") -> Path:
    """XLIFF 1.2, English source only. Units: "Welcome to the <g>harbour</g> museum<x/>Open daily";
    a translate="no" unit and a translate="no" group; "Click <ph>Save<ph> to keep {count} changes
    & <bx/>exit<ex/> <mrk protected>HM-2000</mrk>" with a stale target; "42" (nothing to
    translate); a unit with seg-source (two mrk segments, the second with `%1$s`)."""
    path = folder / name
    path.write_text(XLIFF12, encoding="utf-8")
    return path


def build_xliff2(folder: Path, *, name: str = "app.xlf") -> Path:
    """XLIFF 2.0, English source only. Unit "welcome": segment "Hello <pc>brave</pc> sailor<ph/>,
    {name}!", an ignorable, a final segment with `<sc/>old<ec/>` and a translate="no" mrk and a
    stale target; a translate="no" group; unit "plain" "Tickets are sold at the gate."."""
    path = folder / name
    path.write_text(XLIFF2, encoding="utf-8")
    return path


JSON_DATA = {
    "app": {
        "title": "Harbour Museum",
        "tagline": "Ships, maps and instruments",
        "cafe": "The caf\u00e9 opens at nine",
        "version": 3,
        "beta": True,
        "logo": None,
        "homepage": "https://example.com/harbour",
        "colour": "#1a2b3c",
    },
    "home": {
        "greeting": "Hello {{name}}, welcome back!",
        "visits_one": "You visited {{count}} time",
        "visits_other": "You visited {{count}} times",
        "nested": "See $t(app.title) for details",
        "rich": "Read the <0>guide</0> or <1>ask us</1>.<br/>",
        "html": "This is <b>important</b> &amp; <i>urgent</i>",
        "laravel": "Welcome, :name! Your order :order_id is ready.",
        "printf": "%1$s of %2$s tickets left (%d%%)",
    },
    "cart": {
        "items": "You have {count, plural, =0 {no tickets} one {# ticket} other {# tickets}} in your basket.",
        "owner": "{gender, select, female {She booked {n, plural, one {# tour} other {# tours}}} other {They booked a tour}}",
    },
    "tours": ["Morning tour", "Evening tour at {time}", 12, "  Night tour  "],
    "empty": "",
}


def build_json(
    folder: Path, *, name: str = "en.json", ensure_ascii: bool = False, indent: int | str = 2
) -> Path:
    """i18next/FormatJS-style JSON (json.dumps with the given indent and ensure_ascii).

    English strings with `{{name}}`, `{{count}}` plural keys, `$t(app.title)`, react-i18next
    `<0>…</0>` and `<br/>`, HTML `<b>`/`<i>` and `&amp;`, Laravel `:name`, printf `%1$s`/`%d%%`,
    ICU plural and nested select/plural messages, "The café opens at nine" (non-ASCII: written
    as `\\u00e9` with ensure_ascii), an array with a number, a padded string;
    non-text values: number, boolean, null, a URL, a colour, an empty string."""
    path = folder / name
    path.write_text(json.dumps(JSON_DATA, indent=indent, ensure_ascii=ensure_ascii) + "\n", encoding="utf-8")
    return path


YAML_TEXT = """\
# Harbour museum, English texts
en:
  # shared defaults
  defaults: &defaults
    button: Continue
    cancel: 'Cancel'
  home:
    title: Harbour Museum  # shown in the browser tab
    greeting: "Hello %{name}, welcome back!"
    intro: It's a museum of ships
      and maps, open daily.
    notice: |
      Tickets are sold at the gate.
      Children under 12 enter free.
    summary: >-
      The museum shows three centuries
      of sailing history.
    count:
      one: "%{count} ticket"
      other: "%{count} tickets"
    icu: "{count, plural, one {# visitor} other {# visitors}}"
  checkout:
    <<: *defaults
    pay: 'Pay now: %{amount}'
  menu: [Home, Tours, "Contact us"]
  settings:
    enabled: yes
    limit: 25
    ratio: 0.5
    started: 2024-05-01
    nothing: ~
    link: https://example.com/harbour
"""


def build_yaml(folder: Path, *, name: str = "en.yml") -> Path:
    """Rails-style YAML under a top-level `en:` key, with comments, an anchor and a merge key,
    plain, single- and double-quoted, multi-line plain, literal `|` and folded `>-` scalars,
    Rails `%{name}` interpolation, one/other plural keys, an ICU plural, a flow sequence, and
    non-text values (yes, 25, 0.5, a date, ~, a URL)."""
    path = folder / name
    path.write_text(YAML_TEXT, encoding="utf-8")
    return path


LATIN9_PO = r"""# Spanish catalogue of the harbour shop, kept in Latin-9 by an old toolchain.
# Copyright (C) 2024 Harbour Museum
#
msgid ""
msgstr ""
"Project-Id-Version: harbour-shop 2.1\n"
"Report-Msgid-Bugs-To: dev@example.com\n"
"POT-Creation-Date: 2024-05-01 10:00+0200\n"
"PO-Revision-Date: 2024-05-02 09:30+0200\n"
"Last-Translator: Zoë Martín <zoe@example.com>\n"
"Language-Team: Spanish <es@example.com>\n"
"Language: es\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=ISO-8859-15\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: shop/views.py:12
msgid "The ticket costs 12 € at the entrance."
msgstr ""

#: shop/views.py:20
msgid "Our café serves crème brûlée every day."
msgstr ""

#: shop/views.py:31
#, python-format
msgid "You have %d ticket in your basket."
msgid_plural "You have %d tickets in your basket."
msgstr[0] ""
msgstr[1] ""

#: shop/views.py:40
msgid "The guide explains the façade of the old museum."
msgstr ""

#: shop/views.py:52
msgid "The office in Lodz opens on Monday."
msgstr ""
"""


def build_latin9_po(folder: Path, *, name: str = "shop.po") -> Path:
    """A PO catalogue in ISO-8859-15, as its `Content-Type` header declares (valid for
    `msgfmt -c`): a price in € (0xA4, which Latin-1 lacks), café/crème brûlée/façade, a
    python-format plural, and "The office in Lodz opens on Monday." (a glossary that turns Lodz
    into Łódź needs a character Latin-9 does not have)."""
    path = folder / name
    path.write_bytes(LATIN9_PO.encode("iso-8859-15"))
    return path


LATIN1_XLIFF = """<?xml version="1.0" encoding="ISO-8859-1"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="shop.html" source-language="en" datatype="html">
    <body>
      <trans-unit id="cafe">
        <source>Our café serves crème brûlée every day.</source>
      </trans-unit>
      <trans-unit id="guide">
        <source>The guide explains the façade of the <g id="1">old</g> museum.</source>
      </trans-unit>
      <trans-unit id="office">
        <source>The office in Lodz opens on Monday.</source>
      </trans-unit>
    </body>
  </file>
</xliff>
"""


def build_xliff12_latin1(folder: Path, *, name: str = "shop.xlf") -> Path:
    """XLIFF 1.2 declared `encoding="ISO-8859-1"` and written so (é, è, û, ç as single bytes),
    as older CAT tools export; one unit has a `<g>` span, one says "Lodz" (see `build_latin9_po`)."""
    path = folder / name
    path.write_bytes(LATIN1_XLIFF.encode("iso-8859-1"))
    return path
