"""Alembic environment: the URL comes from the caller (polydoc.db.migrate) or Settings."""

from __future__ import annotations

from alembic import context

from polydoc.db.models import Base
from polydoc.db.session import get_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or None
    connectable = config.attributes.get("connection") or get_engine(url).connect()
    context.configure(
        connection=connectable,
        target_metadata=target_metadata,
        render_as_batch=connectable.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    if "connection" not in config.attributes:
        connectable.close()


run_migrations_online()
