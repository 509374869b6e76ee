"""The web family: HTML, Markdown (through its HTML-like inline model) and EPUB (XHTML in a zip)."""
