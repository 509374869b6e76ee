"""Localisation files: XLIFF, gettext PO, i18n JSON and YAML, with placeholders and ICU messages."""
