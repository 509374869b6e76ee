"""CSV and TSV files written with Python's csv module."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADER = ["Product", "Description", "Price", "Released", "SKU", "Website", "Contact", "In stock"]
ROWS = [
    ["Green apple", "Sweet, crisp and fresh", "1.50", "2024-03-01", "SKU-123", "https://example.com/apple",
     "sales@example.com", "true"],
    ["Red cherry", "Small fruit\nwith a stone", "2.25", "2024-03-02", "SKU-456", "https://example.com/cherry",
     "fruit@example.com", "false"],
    ["Yellow banana", 'The "best" snack for a long walk', "0.99", "2024-03-03", "SKU-789", "www.example.com",
     "help@example.com", "true"],
]  # fmt: skip


def build_products_csv(
    folder: Path,
    *,
    name: str = "products.csv",
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    line_ending: str = "\r\n",
    quote_all: bool = False,
    decimal_comma: bool = False,
) -> Path:
    """A product list: header Product / Description / Price / Released / SKU / Website /
    Contact / In stock, then three rows. Text: "Green apple" "Sweet, crisp and fresh"
    (a comma inside a quoted cell), "Red cherry" "Small fruit⏎with a stone" (a newline
    inside a quoted cell), "Yellow banana" 'The "best" snack for a long walk' (quotes
    inside). Data that must not change: prices 1.50 2.25 0.99 (1,50… with
    `decimal_comma`), ISO dates, SKU-123…, URLs, e-mail addresses, true/false.
    `encoding` "utf-16" writes UTF-16 LE with its BOM; `bom` adds a UTF-8 BOM.
    """
    buf = io.StringIO()
    writer = csv.writer(
        buf,
        delimiter=delimiter,
        lineterminator=line_ending,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(HEADER)
    for row in ROWS:
        writer.writerow([row[0], row[1], row[2].replace(".", ",") if decimal_comma else row[2], *row[3:]])
    data = buf.getvalue()
    path = folder / name
    if encoding == "utf-16":
        path.write_bytes(b"\xff\xfe" + data.encode("utf-16-le"))
    else:
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode(encoding))
    return path


def build_large_csv(folder: Path, rows: int, name: str = "large.csv") -> Path:
    """`rows` generated order lines: id, English comment, amount, date, status code."""
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Order", "Comment", "Amount", "Date", "Status"])
        for i in range(rows):
            comment = f"Deliver to the back door, please, before noon on day {i % 28 + 1}"
            writer.writerow(
                [f"ORD-{i:07d}", comment, f"{i * 1.25:.2f}", f"2024-02-{i % 28 + 1:02d}", "SHIPPED"]
            )
    return path


def build_cp1252_csv(folder: Path, *, name: str = "menu.csv") -> Path:
    """A semicolon-separated menu as Excel saves it on Windows: Windows-1252 (€, é, curly quotes
    and an em dash), CRLF. Header Dish / Description / Price; the last row says "Lodz"."""
    rows = [
        ["Dish", "Description", "Price"],
        ["Crème brûlée", "A rich custard with caramel \u2014 our classic", "6,50 €"],
        ["Café au lait", "Coffee with \u201chot\u201d milk", "3,20 €"],
        ["Lodz pierogi", "The office in Lodz opens on Monday", "8,00 €"],
    ]
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path = folder / name
    path.write_bytes(buf.getvalue().encode("cp1252"))
    return path
