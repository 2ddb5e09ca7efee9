"""picture: the risk register (append-only) and early warnings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 16:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qalxan.store import append_only

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _protected() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_agency", sa.String(length=80), nullable=False),
        sa.Column("owner_unit", sa.String(length=32), nullable=True),
        sa.Column("classification", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "picture_risks",
        sa.Column("threat", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("assessed_by", sa.String(length=200), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        *_protected(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_picture_risks")),
        sa.UniqueConstraint("threat", "region", "version", name="uq_picture_risks_version"),
    )
    with op.batch_alter_table("picture_risks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_picture_risks_owner_agency"), ["owner_agency"], unique=False
        )
    append_only.create("picture_risks")
    op.create_table(
        "picture_warnings",
        sa.Column("threat", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("scale", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=80), nullable=False),
        *_protected(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_picture_warnings")),
        sa.UniqueConstraint(
            "threat",
            "region",
            "scale",
            "period_start",
            "source",
            name="uq_picture_warnings_period",
        ),
    )
    with op.batch_alter_table("picture_warnings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_picture_warnings_owner_agency"), ["owner_agency"], unique=False
        )
        batch_op.create_index("ix_picture_warnings_raised", ["raised_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("picture_warnings")
    append_only.drop("picture_risks")
    op.drop_table("picture_risks")
