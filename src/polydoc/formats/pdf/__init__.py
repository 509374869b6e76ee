"""PDF: text blocks in reading order (pdfminer), set back in the same boxes (pikepdf + reportlab)."""
