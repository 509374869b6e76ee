"""run_segments (a run's segments with their translation, origin and quality flags), the run's
flag summary and review counts, and the memory's source text and origin (for TMX and fuzzy matches)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from polydoc.db.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_segments",
        sa.Column("run_id", sa.Uuid(), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("index", sa.Integer(), primary_key=True),
        sa.Column("segment_key", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("context", sa.String(64), nullable=False, server_default=""),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("flag_names", sa.String(400), nullable=False, server_default=""),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("match", sa.Float(), nullable=True),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("segments_flagged", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("flag_counts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("segments_edited", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("edited_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("segment_cache", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("origin", sa.String(8), nullable=False, server_default="engine"))


def downgrade() -> None:
    with op.batch_alter_table("segment_cache", schema=None) as batch_op:
        batch_op.drop_column("origin")
        batch_op.drop_column("source_text")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("edited_at")
        batch_op.drop_column("segments_edited")
        batch_op.drop_column("flag_counts")
        batch_op.drop_column("segments_flagged")
    op.drop_table("run_segments")
