"""Executing a translation: one run of the service (`run`), the local CLI (`local`), and the overlap of
extraction, translation and rebuild they share (`overlap`)."""
