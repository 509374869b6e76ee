"""A run's segments after the run: stored (`segments`), edited and rendered again (`edits`), and
exchanged with CAT tools as XLIFF 2.1 (`xliff`)."""
