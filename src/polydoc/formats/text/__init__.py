"""Plain text families: TXT, CSV/TSV and subtitles (SRT, WebVTT)."""
