"""OpenDocument: ODT, ODS and ODP (one handler, three media types)."""
