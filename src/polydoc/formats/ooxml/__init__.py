"""Office Open XML: DOCX, PPTX and XLSX, sharing the package reader and the paragraph model."""
