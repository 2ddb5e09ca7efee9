"""cti: STIX 2.1 object versions, TAXII collections, rights, members and status, incident links
and operators' subscriptions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 19:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


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
        "cti_objects",
        sa.Column("stix_id", sa.String(length=128), nullable=False),
        sa.Column("stix_type", sa.String(length=64), nullable=False),
        sa.Column("spec_version", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("version_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        *_protected(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cti_objects")),
        sa.UniqueConstraint("stix_id", "version", name="uq_cti_objects_version"),
    )
    with op.batch_alter_table("cti_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cti_objects_stix_id"), ["stix_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cti_objects_stix_type"), ["stix_type"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cti_objects_owner_agency"), ["owner_agency"], unique=False
        )
        batch_op.create_index("ix_cti_objects_type_latest", ["stix_type", "latest"], unique=False)

    op.create_table(
        "cti_collections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("api_root", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("alias", sa.String(length=80), nullable=True),
        sa.Column("owner_agency", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cti_collections")),
        sa.UniqueConstraint("api_root", "alias", name="uq_cti_collections_alias"),
    )
    with op.batch_alter_table("cti_collections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cti_collections_api_root"), ["api_root"], unique=False)

    op.create_table(
        "cti_collection_rights",
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("grantee", sa.String(length=80), nullable=False),
        sa.Column("can_read", sa.Boolean(), nullable=False),
        sa.Column("can_write", sa.Boolean(), nullable=False),
        sa.Column("granted_by", sa.String(length=200), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["cti_collections.id"],
            name=op.f("fk_cti_collection_rights_collection_id_cti_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "grantee", name=op.f("pk_cti_collection_rights")),
    )

    op.create_table(
        "cti_collection_objects",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("object_id", sa.String(length=32), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["cti_collections.id"],
            name=op.f("fk_cti_collection_objects_collection_id_cti_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["cti_objects.id"],
            name=op.f("fk_cti_collection_objects_object_id_cti_objects"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_cti_collection_objects")),
        sa.UniqueConstraint("collection_id", "object_id", name="uq_cti_collection_objects_member"),
    )
    with op.batch_alter_table("cti_collection_objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cti_collection_objects_added", ["collection_id", "date_added"], unique=False
        )

    op.create_table(
        "cti_status",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("api_root", sa.String(length=64), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("request_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("successes", _json(), nullable=False),
        sa.Column("failures", _json(), nullable=False),
        sa.Column("pendings", _json(), nullable=False),
        sa.Column("agency_id", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cti_status")),
    )

    op.create_table(
        "cti_incident_links",
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("stix_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("observable", sa.String(length=500), nullable=True),
        sa.Column("sighting_id", sa.String(length=128), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "incident_id", "stix_id", "kind", name=op.f("pk_cti_incident_links")
        ),
    )
    with op.batch_alter_table("cti_incident_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cti_incident_links_stix_id"), ["stix_id"], unique=False
        )

    op.create_table(
        "cti_subscriptions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("sectors", _json(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("max_tlp", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("owner_agency", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cti_subscriptions")),
    )

    op.create_table(
        "cti_feeds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("api_root_url", sa.String(length=500), nullable=False),
        sa.Column("remote_collection", sa.String(length=80), nullable=False),
        sa.Column("local_collection", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("secret_env", sa.String(length=80), nullable=True),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("added_after", sa.String(length=40), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("owner_agency", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_collection"],
            ["cti_collections.id"],
            name=op.f("fk_cti_feeds_local_collection_cti_collections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cti_feeds")),
    )

    op.create_table(
        "cti_observables",
        sa.Column("object_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("stix_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["cti_objects.id"],
            name=op.f("fk_cti_observables_object_id_cti_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("object_id", "kind", "value", name=op.f("pk_cti_observables")),
    )
    with op.batch_alter_table("cti_observables", schema=None) as batch_op:
        batch_op.create_index("ix_cti_observables_lookup", ["kind", "value"], unique=False)


def downgrade() -> None:
    op.drop_table("cti_observables")
    op.drop_table("cti_feeds")
    op.drop_table("cti_subscriptions")
    op.drop_table("cti_incident_links")
    op.drop_table("cti_status")
    op.drop_table("cti_collection_objects")
    op.drop_table("cti_collection_rights")
    op.drop_table("cti_collections")
    op.drop_table("cti_objects")
