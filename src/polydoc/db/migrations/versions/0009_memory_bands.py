"""segment_cache_bands: the translation memory's fuzzy index (LSH keys of each entry's source text)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segment_cache_bands",
        sa.Column("band", sa.BigInteger(), primary_key=True),
        sa.Column(
            "cache_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("segment_cache.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_segment_cache_bands_cache_id", "segment_cache_bands", ["cache_id"])
    # entries stored before this revision: indexed now, in batches (their source text came with 0007)
    from polydoc.engines.memory import index_existing

    index_existing(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_segment_cache_bands_cache_id", table_name="segment_cache_bands")
    op.drop_table("segment_cache_bands")
