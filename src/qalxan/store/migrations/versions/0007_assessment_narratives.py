"""picture: the analysts' narratives of the National Threat Assessment (append-only)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qalxan.store import append_only

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "picture_narratives",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(length=200), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_agency", sa.String(length=80), nullable=False),
        sa.Column("owner_unit", sa.String(length=32), nullable=True),
        sa.Column("classification", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_picture_narratives")),
        sa.UniqueConstraint("period", "version", name="uq_picture_narratives_version"),
    )
    with op.batch_alter_table("picture_narratives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_picture_narratives_owner_agency"), ["owner_agency"], unique=False
        )
    append_only.create("picture_narratives")


def downgrade() -> None:
    append_only.drop("picture_narratives")
    op.drop_table("picture_narratives")
