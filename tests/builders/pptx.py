"""PowerPoint presentations built with python-pptx.

A slide-number field has no python-pptx API; it is written as the DrawingML PowerPoint saves.
"""

from __future__ import annotations

from pathlib import Path

import pptx
from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.util import Inches, Pt

from tests.builders.docx import (
    CODE_LINES,
    DIAGRAM_DATA_TYPE,
    DIAGRAM_DRAWING_REL,
    DIAGRAM_DRAWING_TYPE,
    smartart_parts,
)

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def build_pptx(folder: Path, name: str = "deck.pptx") -> Path:
    """A four-slide deck with speaker notes, built on python-pptx's default template.

    Title "Quarterly business review", subject "Results of the third quarter".

    1. title slide: title "Quarterly business review", subtitle "Prepared by the sales team";
       notes "Welcome everyone to the meeting"
    2. title "Main results"; body bullets "Revenue grew in every region" ("every" bold),
       "Costs stayed flat this year" ("flat" a hyperlink to https://example.com/costs),
       "First line" line break "Second line", "Slide {slide-number field} of the deck";
       notes "Remember to thank the team"; the notes page's slide-number placeholder reads
       "Page {slide-number field}" (a placeholder that must stay as it is)
    3. title "Regional details"; a group "Inside the group" holding a nested group
       "Deeper inside the group" ("Deeper" italic); a 2×2 table "Region"/"Sales"/"North"/"42"
    4. title "Sales chart"; a clustered column chart titled "Sales by region", value axis title
       "Million euros", series "Revenue", categories "North", "South", "2024"
    """
    prs = pptx.Presentation()
    prs.core_properties.title = "Quarterly business review"
    prs.core_properties.subject = "Results of the third quarter"
    title_layout, content_layout, title_only = (prs.slide_layouts[i] for i in (0, 1, 5))

    slide = prs.slides.add_slide(title_layout)
    slide.shapes.title.text = "Quarterly business review"
    slide.placeholders[1].text = "Prepared by the sales team"
    slide.notes_slide.notes_text_frame.text = "Welcome everyone to the meeting"

    slide = prs.slides.add_slide(content_layout)
    slide.shapes.title.text = "Main results"
    body = slide.placeholders[1].text_frame
    para = body.paragraphs[0]
    para.add_run().text = "Revenue grew in "
    run = para.add_run()
    run.text = "every"
    run.font.bold = True
    para.add_run().text = " region"
    para = body.add_paragraph()
    para.add_run().text = "Costs stayed "
    run = para.add_run()
    run.text = "flat"
    run.hyperlink.address = "https://example.com/costs"
    para.add_run().text = " this year"
    para = body.add_paragraph()
    para.add_run().text = "First line"
    para.add_line_break()
    para.add_run().text = "Second line"
    para = body.add_paragraph()
    para.add_run().text = "Slide "
    para._p.append(_slide_number_field(2))
    para.add_run().text = " of the deck"
    notes = slide.notes_slide
    notes.notes_text_frame.text = "Remember to thank the team"
    number = next(s for s in notes.placeholders if s.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER)
    number.text_frame.paragraphs[0].add_run().text = "Page "
    number.text_frame.paragraphs[0]._p.append(_slide_number_field(2))

    slide = prs.slides.add_slide(title_only)
    slide.shapes.title.text = "Regional details"
    group = slide.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(2), Inches(3), Inches(1)).text_frame.text = "Inside the group"
    inner = group.shapes.add_group_shape()
    frame = inner.shapes.add_textbox(Inches(1), Inches(3), Inches(3), Inches(1)).text_frame
    run = frame.paragraphs[0].add_run()
    run.text = "Deeper"
    run.font.italic = True
    frame.paragraphs[0].add_run().text = " inside the group"
    table = slide.shapes.add_table(2, 2, Inches(5), Inches(2), Inches(4), Inches(1)).table
    for (row, col), text in {(0, 0): "Region", (0, 1): "Sales", (1, 0): "North", (1, 1): "42"}.items():
        table.cell(row, col).text = text

    slide = prs.slides.add_slide(title_only)
    slide.shapes.title.text = "Sales chart"
    data = CategoryChartData()
    data.categories = ["North", "South", "2024"]
    data.add_series("Revenue", (4.5, 3.2, 5.0))
    chart = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(1.5), Inches(7), Inches(5), data
    ).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "Sales by region"
    chart.value_axis.has_title = True
    chart.value_axis.axis_title.text_frame.text = "Million euros"
    chart.value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(12)

    path = folder / name
    prs.save(str(path))
    return path


def _slide_number_field(number: int) -> etree._Element:
    return etree.fromstring(
        f'<a:fld xmlns:a="{_A}" id="{{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}}" type="slidenum">'
        f'<a:rPr lang="en-US"/><a:t>{number}</a:t></a:fld>'
    )


def build_pptx_slides(folder: Path, slides: int, hidden: int = 0, name: str = "many.pptx") -> Path:
    """`slides` title-only slides titled "Slide number N about the ocean".

    The last `hidden` of them are left out of the slide list (p:sldIdLst), as a tool that
    deletes slides carelessly leaves them: PowerPoint does not show them.
    """
    prs = pptx.Presentation()
    for n in range(slides):
        prs.slides.add_slide(prs.slide_layouts[5]).shapes.title.text = f"Slide number {n} about the ocean"
    listed = prs.slides._sldIdLst
    for sld_id in list(listed)[slides - hidden :]:
        listed.remove(sld_id)
    path = folder / name
    prs.save(str(path))
    return path


def build_smartart_pptx(folder: Path, name: str = "smartart.pptx") -> Path:
    """One slide titled "Our process" with the SmartArt text parts of `smartart_parts`
    (data and drawing only, related to the slide as PowerPoint relates them)."""
    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Our process"
    data, drawing = smartart_parts()
    package = prs.part.package
    data_part = Part(PackURI("/ppt/diagrams/data1.xml"), DIAGRAM_DATA_TYPE, package, data)
    drawing_part = Part(PackURI("/ppt/diagrams/drawing1.xml"), DIAGRAM_DRAWING_TYPE, package, drawing)
    slide.part.relate_to(data_part, RT.DIAGRAM_DATA)
    slide.part.relate_to(drawing_part, DIAGRAM_DRAWING_REL)
    path = folder / name
    prs.save(str(path))
    return path


def build_code_pptx(folder: Path, name: str = "code.pptx") -> Path:
    """One slide: title "Install the driver", a text box "Type these commands in a terminal.",
    and a text box of CODE_LINES, one paragraph each, in monospace typefaces (Courier New, the
    last one in "DejaVu Sans Mono" through the paragraph's default run properties)."""
    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Install the driver"
    slide.shapes.add_textbox(
        Inches(1), Inches(2), Inches(8), Inches(1)
    ).text_frame.text = "Type these commands in a terminal."
    frame = slide.shapes.add_textbox(Inches(1), Inches(3), Inches(8), Inches(3)).text_frame
    for i, line in enumerate(CODE_LINES):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = line
        if i < len(CODE_LINES) - 1:
            run.font.name = "Courier New"
        else:
            defaults = etree.SubElement(para._p.get_or_add_pPr(), f"{{{_A}}}defRPr")
            etree.SubElement(defaults, f"{{{_A}}}latin", typeface="DejaVu Sans Mono")
    path = folder / name
    prs.save(str(path))
    return path
