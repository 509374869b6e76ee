"""Word documents built with python-docx.

python-docx has no API for footnotes, endnotes, text boxes, fields, tracked changes or
SmartArt, so those are written as the WordprocessingML Word itself saves and put into the
package with python-docx's own part and relationship machinery.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

_NS = nsdecls("w", "r", "wp", "a")
_WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_DGM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
_DSP = "http://schemas.microsoft.com/office/drawing/2008/diagram"
DIAGRAM_DRAWING_REL = "http://schemas.microsoft.com/office/2007/relationships/diagramDrawing"
DIAGRAM_DATA_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml"
DIAGRAM_DRAWING_TYPE = "application/vnd.ms-office.drawingml.diagramDrawing+xml"


def png_pixel() -> bytes:
    """A valid 1×1 red PNG, made without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def build_docx(folder: Path, name: str = "report.docx") -> Path:
    """A one-section report with every kind of text Word users write.

    - core properties: title "Annual sales report", subject "Regional sales figures"
    - header "Company confidential header"; footer "Page {PAGE field, result 1} of the annual report"
    - heading "Annual sales report" with a bookmark around the whole heading
    - "The red car is fast." with "red" bold and a comment "Please check the colour" on it
    - "We sell blue and green bicycles." with "blue" italic and "green" underlined and coloured
    - "Visit our online shop today." where "our online shop" is a hyperlink to https://example.com/shop
    - "Name" tab "Value" line break "Second line here" (a w:tab and a w:br)
    - "Look at this " inline PNG image " picture please."
    - "Apples grow on trees" footnote reference "."; footnote " Source: the annual customer survey."
    - "Oranges are sweet" endnote reference "."; endnote " Final remark at the end."
    - "This report has {NUMPAGES field, result 3} pages in total."
    - "See the {HYPERLINK field, result "price list"} for details." (a complex field whose result shows)
    - "The meeting is on " deleted "Monday" inserted "Tuesday" " morning." (tracked changes)
    - "Chapter one begins here." with a bookmark around "begins"
    - "The quick brwn fox jumps" split by Word into runs with rsids, proofErr and lang noise
    - a floating text box "Important notice inside the box" ("notice" bold), with its VML fallback copy
    - a 2×2 table "Product"/"Price"/"Green apple"/"Two dollars" with a nested table "Nested cell text"
    - "Version 2.5 costs 30 euros" (numbers), "https://example.com/help" and "2024 – 2025" (nothing to
      translate)
    """
    doc = docx.Document()
    doc.core_properties.title = "Annual sales report"
    doc.core_properties.subject = "Regional sales figures"
    section = doc.sections[0]
    section.header.paragraphs[0].text = "Company confidential header"
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _field(footer, " PAGE ", "1")
    footer.add_run(" of the annual report")

    heading = doc.add_heading("Annual sales report", level=1)
    heading._p.insert(1, _xml('<w:bookmarkStart w:id="1" w:name="_Toc1"/>'))
    heading._p.append(_xml('<w:bookmarkEnd w:id="1"/>'))

    p = doc.add_paragraph("The ")
    red = p.add_run("red")
    red.bold = True
    p.add_run(" car is fast.")
    doc.add_comment(red, text="Please check the colour", author="Ann", initials="A")

    p = doc.add_paragraph("We sell ")
    p.add_run("blue").italic = True
    p.add_run(" and ")
    green = p.add_run("green")
    green.underline = True
    green.font.color.rgb = RGBColor(0x00, 0x80, 0x00)
    p.add_run(" bicycles.")

    p = doc.add_paragraph("Visit ")
    rid = doc.part.relate_to("https://example.com/shop", RT.HYPERLINK, is_external=True)
    p._p.append(
        _xml(
            f'<w:hyperlink r:id="{rid}"><w:r><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/>'
            "</w:rPr><w:t>our online shop</w:t></w:r></w:hyperlink>"
        )
    )
    p.add_run(" today.")

    p = doc.add_paragraph()
    run = p.add_run("Name")
    run.add_tab()
    run.add_text("Value")
    run.add_break(WD_BREAK.LINE)
    run.add_text("Second line here")

    p = doc.add_paragraph("Look at this ")
    p.add_run().add_picture(io.BytesIO(png_pixel()), width=Inches(0.3))
    p.add_run(" picture please.")

    _add_notes(doc)
    p = doc.add_paragraph("Apples grow on trees")
    p._p.append(_note_reference("footnoteReference", 1))
    p.add_run(".")
    p = doc.add_paragraph("Oranges are sweet")
    p._p.append(_note_reference("endnoteReference", 1))
    p.add_run(".")

    p = doc.add_paragraph("This report has ")
    _field(p, " NUMPAGES ", "3")
    p.add_run(" pages in total.")
    p = doc.add_paragraph("See the ")
    _field(p, ' HYPERLINK "https://example.com/prices" ', "price list")
    p.add_run(" for details.")

    p = doc.add_paragraph("The meeting is on ")
    stamp = 'w:author="Ann" w:date="2024-01-01T00:00:00Z"'
    p._p.append(_xml(f'<w:del w:id="101" {stamp}><w:r><w:delText>Monday</w:delText></w:r></w:del>'))
    p._p.append(_xml(f'<w:ins w:id="102" {stamp}><w:r><w:t>Tuesday</w:t></w:r></w:ins>'))
    p.add_run(" morning.")

    p = doc.add_paragraph("Chapter one ")
    p._p.append(_xml('<w:bookmarkStart w:id="2" w:name="begin"/>'))
    p.add_run("begins")
    p._p.append(_xml('<w:bookmarkEnd w:id="2"/>'))
    p.add_run(" here.")

    p = doc.add_paragraph()
    for fragment in (
        '<w:r w:rsidR="00A10001"><w:t xml:space="preserve">The quick </w:t></w:r>',
        '<w:proofErr w:type="spellStart"/>',
        '<w:r w:rsidR="00B20002"><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t>brwn</w:t></w:r>',
        '<w:proofErr w:type="spellEnd"/>',
        '<w:r w:rsidRPr="00C30003"><w:rPr><w:noProof/></w:rPr><w:lastRenderedPageBreak/>'
        '<w:t xml:space="preserve"> fox jumps</w:t></w:r>',
    ):
        p._p.append(_xml(fragment))

    p = doc.add_paragraph()
    p._p.append(_text_box("Important ", "notice", " inside the box"))

    table = doc.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Product", (0, 1): "Price", (1, 0): "Green apple"}.items():
        table.cell(row, col).text = text
    table.cell(1, 1).text = "Two dollars"
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "Nested cell text"

    doc.add_paragraph("Version 2.5 costs 30 euros")
    doc.add_paragraph("https://example.com/help")
    doc.add_paragraph("2024 – 2025")
    path = folder / name
    doc.save(str(path))
    return path


def build_long_docx(folder: Path, paragraphs: int, name: str = "long.docx") -> Path:
    """`paragraphs` paragraphs "Paragraph number N tells a short story about the sea." (55 characters)."""
    doc = docx.Document()
    for n in range(paragraphs):
        doc.add_paragraph(f"Paragraph number {n:03d} tells a short story about the sea.")
    path = folder / name
    doc.save(str(path))
    return path


def build_smartart_docx(folder: Path, name: str = "smartart.docx") -> Path:
    """A document "Our process has three steps." with a SmartArt graphic's text parts.

    The SmartArt is the one of `smartart_parts`. Only its data and drawing parts are included
    (no layout/colour parts), related to the document as Word relates them.
    """
    doc = docx.Document()
    doc.add_paragraph("Our process has three steps.")
    data, drawing = smartart_parts()
    package = doc.part.package
    data_part = Part(
        PackURI("/word/diagrams/data1.xml"),
        DIAGRAM_DATA_TYPE,
        data,
        package,
    )
    drawing_part = Part(PackURI("/word/diagrams/drawing1.xml"), DIAGRAM_DRAWING_TYPE, drawing, package)
    doc.part.relate_to(data_part, RT.DIAGRAM_DATA)
    doc.part.relate_to(drawing_part, DIAGRAM_DRAWING_REL)
    path = folder / name
    doc.save(str(path))
    return path


def smartart_parts() -> tuple[bytes, bytes]:
    """The data and drawing parts of a three-step SmartArt process, as Office writes them.

    Steps: "Plan the work", "Build the product" ("product" bold), "Ship it to customers";
    the drawing part (the rendering Office shows) repeats them shape by shape.
    """
    steps = [("Plan the work", "", ""), ("Build the ", "product", ""), ("Ship it to customers", "", "")]
    points = "".join(
        f'<dgm:pt modelId="{{0000000{i}-0000-0000-0000-000000000000}}"><dgm:prSet/><dgm:spPr/>'
        f"<dgm:t><a:bodyPr/><a:lstStyle/>{_dml_paragraph(*step)}</dgm:t></dgm:pt>"
        for i, step in enumerate(steps, 1)
    )
    data = (
        f'<dgm:dataModel xmlns:dgm="{_DGM}" {nsdecls("a", "r")}><dgm:ptLst>'
        f'<dgm:pt modelId="{{00000000-0000-0000-0000-000000000000}}" type="doc"><dgm:prSet/><dgm:spPr/>'
        f'<dgm:t><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="en-US"/></a:p></dgm:t></dgm:pt>'
        f"{points}</dgm:ptLst><dgm:cxnLst/><dgm:bg/><dgm:whole/></dgm:dataModel>"
    )
    shapes = "".join(
        f'<dsp:sp modelId="{{0000000{i}-0000-0000-0000-000000000000}}">'
        '<dsp:nvSpPr><dsp:cNvPr id="0" name=""/><dsp:cNvSpPr/></dsp:nvSpPr><dsp:spPr/>'
        f"<dsp:txBody><a:bodyPr/><a:lstStyle/>{_dml_paragraph(*step)}</dsp:txBody></dsp:sp>"
        for i, step in enumerate(steps, 1)
    )
    drawing = (
        f'<dsp:drawing xmlns:dsp="{_DSP}" xmlns:dgm="{_DGM}" {nsdecls("a")}><dsp:spTree><dsp:nvGrpSpPr>'
        f'<dsp:cNvPr id="0" name=""/><dsp:cNvGrpSpPr/></dsp:nvGrpSpPr><dsp:grpSpPr/>{shapes}</dsp:spTree>'
        "</dsp:drawing>"
    )
    return data.encode(), drawing.encode()


def _dml_paragraph(before: str, bold: str, after: str) -> str:
    runs = f'<a:r><a:rPr lang="en-US" dirty="0"/><a:t>{before}</a:t></a:r>'
    if bold:
        runs += f'<a:r><a:rPr lang="en-US" b="1" dirty="0"/><a:t>{bold}</a:t></a:r>'
    if after:
        runs += f'<a:r><a:rPr lang="en-US" dirty="0"/><a:t>{after}</a:t></a:r>'
    return f'<a:p>{runs}<a:endParaRPr lang="en-US" dirty="0"/></a:p>'


def _xml(fragment: str):  # noqa: ANN202 - python-docx's element classes are generated
    """Parse a fragment, declaring the usual prefixes on its first element."""
    return parse_xml(re.sub(r"^<([\w:]+)", lambda m: f"<{m.group(1)} {_NS}", fragment, count=1))


def _field(paragraph: Paragraph, instr: str, result: str) -> None:
    """A complex field (fldChar begin/separate/end) the way Word writes it."""
    for fragment in (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r><w:instrText xml:space="preserve">{instr}</w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r><w:t>{result}</w:t></w:r>",
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(_xml(fragment))


def _note_reference(kind: str, note_id: int):  # noqa: ANN202
    return _xml(f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:{kind} w:id="{note_id}"/></w:r>')


def _add_notes(doc: docx.document.Document) -> None:
    for kind, text, content_type, rel_type in (
        ("footnote", " Source: the annual customer survey.", CT.WML_FOOTNOTES, RT.FOOTNOTES),
        ("endnote", " Final remark at the end.", CT.WML_ENDNOTES, RT.ENDNOTES),
    ):
        ref = "footnoteRef" if kind == "footnote" else "endnoteRef"
        xml = (
            f"<w:{kind}s {_NS}>"
            f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
            f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
            f"</w:p></w:{kind}>"
            f'<w:{kind} w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:{ref}/></w:r>'
            f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:{kind}>'
            f"</w:{kind}s>"
        )
        part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml.encode(), doc.part.package)
        doc.part.relate_to(part, rel_type)


def _text_box(before: str, bold: str, after: str):  # noqa: ANN202
    """A run holding a DrawingML text box and, for older readers, its VML copy."""
    content = (
        f'<w:txbxContent><w:p><w:r><w:t xml:space="preserve">{before}</w:t></w:r>'
        f'<w:r><w:rPr><w:b/></w:rPr><w:t>{bold}</w:t></w:r><w:r><w:t xml:space="preserve">{after}</w:t></w:r>'
        "</w:p></w:txbxContent>"
    )
    return _xml(
        f'<w:r xmlns:mc="{_MC}" xmlns:wps="{_WPS}" xmlns:v="urn:schemas-microsoft-com:vml">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" '
        'relativeHeight="251659264" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="2286000" cy="457200"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        '<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="10" name="Text Box 10"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{_WPS}"><wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr>'
        '<a:xfrm><a:off x="0" y="0"/><a:ext cx="2286000" cy="457200"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f"<wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>"
        "</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict>"
        '<v:shape id="Text Box 10" type="#_x0000_t202" style="position:absolute;width:180pt;height:36pt">'
        f"<v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def build_controls_docx(folder: Path, name: str = "controls.docx") -> Path:
    """Content controls, smart tags and a table of contents, the structures Word wraps runs in.

    - "Contents" heading, then a TOC field whose result spans two paragraphs:
      "Introduction" tab {PAGEREF result 1} and "Summary" tab {PAGEREF result 2}
    - "Your name: " then an inline content control holding "Fill in your name" ("name" bold)
    - "We met in " then a smart tag around "Paris" then " last spring."
    """
    doc = docx.Document()
    doc.add_paragraph("Contents")
    first, second = doc.add_paragraph(), doc.add_paragraph()
    for fragment in (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
    ):
        first._p.append(_xml(fragment))
    for paragraph, title, page in ((first, "Introduction", "1"), (second, "Summary", "2")):
        paragraph.add_run(title).add_tab()
        _field(paragraph, f" PAGEREF _Toc{page} \\h ", page)
    second._p.append(_xml('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
    p = doc.add_paragraph("Your name: ")
    p._p.append(
        _xml(
            '<w:sdt><w:sdtPr><w:alias w:val="Name"/><w:id w:val="7"/></w:sdtPr><w:sdtContent>'
            '<w:r><w:t xml:space="preserve">Fill in your </w:t></w:r>'
            "<w:r><w:rPr><w:b/></w:rPr><w:t>name</w:t></w:r></w:sdtContent></w:sdt>"
        )
    )
    p = doc.add_paragraph("We met in ")
    p._p.append(
        _xml(
            '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="City">'
            "<w:r><w:t>Paris</w:t></w:r></w:smartTag>"
        )
    )
    p.add_run(" last spring.")
    path = folder / name
    doc.save(str(path))
    return path


# a terminal session as a manual shows it: words a translation would change ("Link", "class")
CODE_LINES = (
    "# ifconfig -a",
    "wlan0     Link encap:Ethernet  HWaddr 00:11:22:33:44:55",
    "          inet6 addr: fe80::211:22ff:fe33:4455/64 Scope:Link",
    "          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1",
    "# ls /sys/class/ieee80211/",
)


def build_code_docx(folder: Path, name: str = "code.docx") -> Path:
    """A manual with code in every shape Word documents carry it.

    - "Configure the wireless card as follows." (prose)
    - CODE_LINES as five adjacent paragraphs in the paragraph style "Source Code" (no font of its own)
    - "Then look at the list of devices." (prose)
    - "show the wireless link state" alone in "Terminal Output", a style based on "Source Code"
    - "make the default target and install it" in "HTML Preformatted" (Word's own name)
    - "print the name of the working directory" with no code style, its runs in Courier New
    - "Run " + "sudo make install" (character style "Verbatim Char") + " to install the driver."
    - "Lines in Consolas " + "and in Courier New" (direct fonts, two runs): still one code paragraph
    """
    doc = docx.Document()
    source_code = doc.styles.add_style("Source Code", WD_STYLE_TYPE.PARAGRAPH)
    source_code.base_style = doc.styles["Normal"]
    doc.styles.add_style("Terminal Output", WD_STYLE_TYPE.PARAGRAPH).base_style = source_code
    doc.styles.add_style("HTML Preformatted", WD_STYLE_TYPE.PARAGRAPH)
    verbatim = doc.styles.add_style("Verbatim Char", WD_STYLE_TYPE.CHARACTER)
    verbatim.font.name = "Consolas"

    doc.add_paragraph("Configure the wireless card as follows.")
    for line in CODE_LINES:
        doc.add_paragraph(line, style="Source Code")
    doc.add_paragraph("Then look at the list of devices.")
    doc.add_paragraph("show the wireless link state", style="Terminal Output")
    doc.add_paragraph("make the default target and install it", style="HTML Preformatted")
    doc.add_paragraph().add_run("print the name of the working directory").font.name = "Courier New"
    p = doc.add_paragraph("Run ")
    p.add_run("sudo make install", style="Verbatim Char")
    p.add_run(" to install the driver.")
    p = doc.add_paragraph()
    p.add_run("Lines in Consolas ").font.name = "Consolas"
    p.add_run("and in Courier New").font.name = "Courier New"
    path = folder / name
    doc.save(str(path))
    return path


def build_courier_docx(folder: Path, name: str = "screenplay.docx") -> Path:
    """A screenplay: the body font (Normal) is Courier New, so its prose is not code.

    - "The door opens slowly." and "She walks into the empty room." in Normal
    """
    doc = docx.Document()
    doc.styles["Normal"].font.name = "Courier New"
    doc.add_paragraph("The door opens slowly.")
    doc.add_paragraph("She walks into the empty room.")
    path = folder / name
    doc.save(str(path))
    return path


TRACKED_BY = 'w:author="Ann Editor" w:date="2024-03-01T10:00:00Z"'


def build_tracked_docx(folder: Path, name: str = "tracked.docx") -> Path:
    """A document under review: every kind of tracked change Word records (author TRACKED_BY).

    - "Read the " + hyperlink "user manual" + inserted " " (w:ins id 11) + "before you start."
    - "See the " + hyperlink "release notes" + inserted " " (id 12) at the end of the paragraph
    - "The meeting is on " + deleted "Monday" (w:del id 13) + inserted "Tuesday morning" (id 14) + "."
    - "Bring " + moved away "the blue folder" (w:moveFrom id 16 in a range id 15) + " to the office."
    - "Please bring " + moved here "the blue folder" (w:moveTo id 18 in a range id 17) + " tomorrow."
    - "This word is " + "important" (bold, w:rPrChange id 19: it was not bold) + " for us."
    - "This paragraph was centred later." (w:pPrChange id 20) with an inserted paragraph mark (id 21)
    - "A whole new sentence was added here." entirely inside one w:ins (id 22)
    """
    doc = docx.Document()

    def link(text: str) -> str:
        rid = doc.part.relate_to("https://example.com/manual", RT.HYPERLINK, is_external=True)
        return f'<w:hyperlink r:id="{rid}"><w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t>{text}</w:t></w:r></w:hyperlink>'

    def ins(n: int, text: str) -> str:
        return f'<w:ins w:id="{n}" {TRACKED_BY}><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:ins>'

    def paragraph(*fragments: str) -> Paragraph:
        p = doc.add_paragraph()
        for fragment in fragments:
            p._p.append(_xml(fragment))
        return p

    def run(text: str) -> str:
        return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'

    paragraph(run("Read the "), link("user manual"), ins(11, " "), run("before you start."))
    paragraph(run("See the "), link("release notes"), ins(12, " "))
    paragraph(
        run("The meeting is on "),
        f'<w:del w:id="13" {TRACKED_BY}><w:r><w:delText>Monday</w:delText></w:r></w:del>',
        ins(14, "Tuesday morning"),
        run("."),
    )
    paragraph(
        run("Bring "),
        f'<w:moveFromRangeStart w:id="15" {TRACKED_BY} w:name="move1"/>',
        f'<w:moveFrom w:id="16" {TRACKED_BY}><w:r><w:t>the blue folder</w:t></w:r></w:moveFrom>',
        '<w:moveFromRangeEnd w:id="15"/>',
        run(" to the office."),
    )
    paragraph(
        run("Please bring "),
        f'<w:moveToRangeStart w:id="17" {TRACKED_BY} w:name="move1"/>',
        f'<w:moveTo w:id="18" {TRACKED_BY}><w:r><w:t>the blue folder</w:t></w:r></w:moveTo>',
        '<w:moveToRangeEnd w:id="17"/>',
        run(" tomorrow."),
    )
    paragraph(
        run("This word is "),
        f'<w:r><w:rPr><w:b/><w:rPrChange w:id="19" {TRACKED_BY}><w:rPr/></w:rPrChange></w:rPr>'
        "<w:t>important</w:t></w:r>",
        run(" for us."),
    )
    p = paragraph(run("This paragraph was centred later."))
    p._p.insert(
        0,
        _xml(
            f'<w:pPr><w:jc w:val="center"/><w:rPr><w:ins w:id="21" {TRACKED_BY}/></w:rPr>'
            f'<w:pPrChange w:id="20" {TRACKED_BY}><w:pPr/></w:pPrChange></w:pPr>'
        ),
    )
    paragraph(ins(22, "A whole new sentence was added here."))
    path = folder / name
    doc.save(str(path))
    return path


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REVISION_TAGS = tuple(
    f"{_W}{tag}"
    for tag in (
        "ins",
        "del",
        "moveFrom",
        "moveTo",
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "rPrChange",
        "pPrChange",
    )
)


def revision_marks(document_xml: bytes) -> list[tuple[str, dict[str, str]]]:
    """Every tracked-change element of a part in document order: (local name, attributes)."""
    root = etree.fromstring(document_xml)
    return [(etree.QName(el).localname, dict(el.attrib)) for el in root.iter(*REVISION_TAGS)]


def paragraph_xml(document_xml: bytes) -> list[bytes]:
    """Each body paragraph serialised, to compare paragraphs that must not change byte for byte."""
    return [etree.tostring(p) for p in etree.fromstring(document_xml).iter(f"{_W}p")]


def add_hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    """python-docx has no hyperlink API: a `w:hyperlink` around a blue underlined run."""
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    for tag, value in (("w:color", "0563C1"), ("w:u", "single")):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        props.append(element)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)
