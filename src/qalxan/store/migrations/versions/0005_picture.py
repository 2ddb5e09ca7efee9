"""picture: incidents rolled up per day and event type, per day, per month and per week

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 16:12:41.512337
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An installation that already holds incidents fills these with `qalxan picture rebuild`.


def _measures() -> list[sa.Column[int]]:
    return [
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("severity_sum", sa.Integer(), nullable=False),
        sa.Column("killed", sa.Integer(), nullable=False),
        sa.Column("injured", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "picture_day_type",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("threat", sa.String(length=80), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("classification", sa.Integer(), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint(
            "day",
            "threat",
            "event_type",
            "region",
            "classification",
            name=op.f("pk_picture_day_type"),
        ),
    )
    op.create_table(
        "picture_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("threat", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("classification", sa.Integer(), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint(
            "day", "threat", "region", "classification", name=op.f("pk_picture_day")
        ),
    )
    op.create_table(
        "picture_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("threat", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("classification", sa.Integer(), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint(
            "month", "threat", "region", "classification", name=op.f("pk_picture_month")
        ),
    )

    op.create_table(
        "picture_week",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("threat", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("classification", sa.Integer(), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint(
            "week", "threat", "region", "classification", name=op.f("pk_picture_week")
        ),
    )

    op.create_table(
        "picture_national_week",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("threat", sa.String(length=80), nullable=False),
        sa.Column("classification", sa.Integer(), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint(
            "week", "threat", "classification", name=op.f("pk_picture_national_week")
        ),
    )


def downgrade() -> None:
    op.drop_table("picture_national_week")
    op.drop_table("picture_week")
    op.drop_table("picture_month")
    op.drop_table("picture_day")
    op.drop_table("picture_day_type")
