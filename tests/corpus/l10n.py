"""Awkward localisation files: XLIFF 1.2 and 2.1 as CAT tools write them, a Sphinx-style PO
catalogue, i18next/FormatJS JSON and Rails YAML."""

from __future__ import annotations

import json

from tests.corpus.office import EMAIL, ORDER_ID

KEEP = (EMAIL, ORDER_ID, "https://example.com/help")

XLIFF12 = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0">
  <file original="harbour.docx" source-language="en-US" target-language="es-ES" datatype="x-sdlfilterframework2">
    <header>
      <tool tool-id="memoQ" tool-name="memoQ" tool-version="10.4"/>
      <note from="pm">Deadline is Friday; keep the tone friendly.</note>
    </header>
    <body>
      <group id="ui" resname="buttons">
        <context-group purpose="location"><context context-type="linenumber">12</context></context-group>
        <trans-unit id="1" resname="save_button" xml:space="preserve">
          <source>Click <bpt id="1">&lt;b&gt;</bpt>Save<ept id="1">&lt;/b&gt;</ept> to keep <ph id="2">{{0}}</ph> open files.</source>
          <target state="needs-translation"/>
          <note from="developer">Shown on the main toolbar.</note>
        </trans-unit>
        <trans-unit id="2" translate="no">
          <source>Harbour Master Pro</source>
        </trans-unit>
        <trans-unit id="3">
          <source>Write to {EMAIL} and quote <g id="5" ctype="x-bold">order {ORDER_ID}</g><x id="6"/> today.</source>
          <alt-trans origin="tm" match-quality="75"><source>Write to us today.</source><target>Escríbanos hoy.</target></alt-trans>
        </trans-unit>
      </group>
      <trans-unit id="4">
        <source>The ferry leaves at nine. Tickets are sold on board.</source>
        <seg-source><mrk mtype="seg" mid="1">The ferry leaves at nine.</mrk> <mrk mtype="seg" mid="2">Tickets are sold on board.</mrk></seg-source>
        <target><mrk mtype="seg" mid="1"/> <mrk mtype="seg" mid="2"/></target>
      </trans-unit>
      <trans-unit id="5"><source>12.5</source></trans-unit>
    </body>
  </file>
</xliff>
"""

XLIFF2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" xmlns:mtc="urn:oasis:names:tc:xliff:matches:2.0" version="2.1" srcLang="en-US" trgLang="es-ES">
  <file id="f1" original="app/strings.json">
    <notes><note category="instructions">Keep placeholders as they are.</note></notes>
    <unit id="welcome" name="home.welcome">
      <notes><note category="context">Greeting on the home page.</note></notes>
      <originalData><data id="d1">&lt;b&gt;</data><data id="d2">&lt;/b&gt;</data><data id="d3">{{name}}</data></originalData>
      <segment id="s1" state="initial"><source>Hello <pc id="1" dataRefStart="d1" dataRefEnd="d2">dear</pc> sailor <ph id="2" dataRef="d3"/>!</source></segment>
      <ignorable><source> </source></ignorable>
      <segment id="s2"><source>Your order <mrk id="m1" translate="no">{ORDER_ID}</mrk> is ready.</source></segment>
    </unit>
    <unit id="brand" translate="no"><segment><source>Harbour Master Pro</source></segment></unit>
    <unit id="contact">
      <mtc:matches><mtc:match ref="#s3" matchQuality="80"><source>Write to us.</source><target>Escríbanos.</target></mtc:match></mtc:matches>
      <segment id="s3"><source>Write to {EMAIL} with any question.</source></segment>
    </unit>
  </file>
</xliff>
"""

PO = f"""# Harbour guide translations.
# Copyright (C) 2024 Harbour Guides
#
msgid ""
msgstr ""
"Project-Id-Version: harbour 1.0\\n"
"Report-Msgid-Bugs-To: {EMAIL}\\n"
"POT-Creation-Date: 2024-05-01 10:00+0000\\n"
"PO-Revision-Date: 2024-05-02 10:00+0000\\n"
"Language: es\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#. Translators: shown on the front page
#: harbour/views.py:12
#, python-format
msgid "Welcome back, %(name)s!"
msgstr ""

#: harbour/views.py:20
#, python-format
msgid "One boat is in the harbour."
msgid_plural "%(count)d boats are in the harbour."
msgstr[0] ""
msgstr[1] ""

#: harbour/menu.py:5
msgctxt "menu"
msgid "Open the map"
msgstr ""

#: harbour/menu.py:9
msgctxt "button"
msgid "Open the map"
msgstr ""

#: harbour/views.py:31
#, python-brace-format
msgid "Order {{order}} leaves from pier {{pier}}."
msgstr ""

#: harbour/templates/help.html:4
msgid ""
"Read the guide at https://example.com/help before you write to us "
"with a long question about the tides."
msgstr ""

#: harbour/views.py:40
#, c-format
msgid "%d%% of the seats are taken"
msgstr ""

#~ msgid "The old ferry timetable"
#~ msgstr "El viejo horario del ferry"
"""

JSON_DATA = {
    "harbour": {
        "title": "The harbour guide",
        "welcome": "Welcome back, {name}!",
        "boats": "{count, plural, =0 {No boats in the harbour} one {One boat in the harbour} other {# boats in the harbour}}",
        "host": "{host, select, female {She invites you to sail} male {He invites you to sail} other {They invite you to sail}}",
        "rich": "Press <bold>Save</bold> to keep {count, number} changes.",
    },
    "contact": {
        "help": "Read the guide at https://example.com/help first",
        "mail": f"Write to {EMAIL} today",
    },
    "orders": {"message_one": "{{count}} order is waiting", "message_other": "{{count}} orders are waiting"},
    "code": ORDER_ID,
    "steps": ["Check the weather", {"label": "Untie the boat", "order": 2}],
    "limits": {"boats": 12, "ratio": 0.5, "open": True, "closed": None},
}

YAML = f"""\
# Harbour guide, English texts
en:
  harbour:
    title: The harbour guide
    welcome: "Welcome back, %{{name}}!"
    boats:
      zero: No boats in the harbour
      one: "%{{count}} boat in the harbour"
      other: "%{{count}} boats in the harbour"
    notice: |
      The office opens at nine.
      Boats leave at ten.
    long_line: >
      Please arrive early
      for the morning ferry.
  defaults: &defaults
    greeting: Good morning
  evening:
    <<: *defaults
    farewell: 'Good night, sailor'
  contact: "Write to {EMAIL} today"  # shown in the footer
  code: {ORDER_ID}
  sizes: [Small boat, "Large boat"]
  opens: 09:00
  limit: 12
"""


def build_xliff12() -> bytes:
    """memoQ-style XLIFF 1.2: header note, group with context, bpt/ept/ph/g/x codes, a
    translate="no" unit, alt-trans, seg-source with two mrk segments, a number-only unit."""
    return XLIFF12.encode()


def build_xliff2() -> bytes:
    """XLIFF 2.1: notes, originalData with pc/ph dataRefs, an ignorable, a translate="no" mrk and
    unit, a matches module."""
    return XLIFF2.encode()


def build_po() -> bytes:
    """A Django/Sphinx-style catalogue: python-format and python-brace-format, plural forms,
    msgctxt twins, a wrapped msgid with a URL, c-format `%%`, an obsolete entry."""
    return PO.encode()


def build_json() -> bytes:
    """FormatJS/i18next JSON: ICU plural and select, tags, {{count}} plural keys, nested arrays of
    objects, URLs/e-mails/ids and non-text values."""
    return (json.dumps(JSON_DATA, indent=2, ensure_ascii=False) + "\n").encode()


def build_yaml() -> bytes:
    """Rails YAML: interpolation, plural keys, literal and folded blocks, an anchor with a merge
    key, comments, flow sequence, and values that are not text (a time, a number, an id)."""
    return YAML.encode()
