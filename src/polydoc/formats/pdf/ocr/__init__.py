"""Scanned pages: read with Tesseract (`scan`), words grouped into paragraphs (`words`)."""
