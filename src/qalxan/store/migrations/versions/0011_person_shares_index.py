"""record_shares: the index of shares to a person holds those shares only

Every share written by routing is to an agency; each still cost an entry in the index of
shares to a person, which lookups by person never read (a tenth of the server's work per
bulk-imported report on PostgreSQL).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["record_type", "user_id", "record_id"]


def upgrade() -> None:
    op.drop_index("ix_record_shares_user", table_name="record_shares")
    op.create_index(
        "ix_record_shares_user",
        "record_shares",
        COLUMNS,
        postgresql_where=sa.text("user_id IS NOT NULL"),
        sqlite_where=sa.text("user_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_record_shares_user", table_name="record_shares")
    op.create_index("ix_record_shares_user", "record_shares", COLUMNS)
