"""alerts: CAP 1.2 alerts and their workflow steps (append-only), channels and feeds

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 19:30:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from qalxan.store import append_only

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("cap_status", sa.String(length=16), nullable=False),
        sa.Column("msg_type", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("event", sa.String(length=200), nullable=False),
        sa.Column("headline", sa.String(length=300), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("certainty", sa.String(length=16), nullable=False),
        sa.Column("area_desc", sa.Text(), nullable=True),
        sa.Column("min_lat", sa.Float(), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=True),
        sa.Column("max_lat", sa.Float(), nullable=True),
        sa.Column("max_lon", sa.Float(), nullable=True),
        sa.Column("sent", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=80), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by", sa.String(length=200), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_agency", sa.String(length=80), nullable=False),
        sa.Column("owner_unit", sa.String(length=32), nullable=True),
        sa.Column("classification", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["supersedes"], ["alerts.id"], name=op.f("fk_alerts_supersedes_alerts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("sender", "identifier", name="uq_alerts_sender_identifier"),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_expires"), ["expires"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_owner_agency"), ["owner_agency"], unique=False)
        batch_op.create_index("ix_alerts_state_expires", ["state", "expires"], unique=False)

    op.create_table(
        "alert_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_steps_alert_id_alerts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_steps")),
    )
    with op.batch_alter_table("alert_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_steps_alert_id"), ["alert_id"], unique=False)
    append_only.create("alert_steps")

    op.create_table(
        "alert_channels",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("adapter", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("languages", _json(), nullable=False),
        sa.Column("min_severity", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("owner_agency", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_alert_channels_name")),
    )

    op.create_table(
        "alert_feeds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("last_modified", sa.String(length=80), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("owner_agency", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_alert_feeds_url")),
    )


def downgrade() -> None:
    op.drop_table("alert_feeds")
    op.drop_table("alert_channels")
    append_only.drop("alert_steps")
    op.drop_table("alert_steps")
    op.drop_table("alerts")
