from polydoc.cli import app

app()
