"""doctrine registry

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "doctrine_versions",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("manifest_id", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doctrine_versions")),
        sa.UniqueConstraint("digest", name=op.f("uq_doctrine_versions_digest")),
        sa.UniqueConstraint("version", name=op.f("uq_doctrine_versions_version")),
    )
    op.create_table(
        "doctrine_activations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.String(length=16), nullable=False),
        sa.Column("activated_by", sa.String(length=200), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["doctrine_versions.id"],
            name=op.f("fk_doctrine_activations_version_id_doctrine_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doctrine_activations")),
    )
    op.create_table(
        "doctrine_items",
        sa.Column("version_id", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_az", sa.Text(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["doctrine_versions.id"],
            name=op.f("fk_doctrine_items_version_id_doctrine_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("version_id", "item_id", name=op.f("pk_doctrine_items")),
    )
    with op.batch_alter_table("doctrine_items", schema=None) as batch_op:
        batch_op.create_index("ix_doctrine_items_kind", ["version_id", "kind"], unique=False)

    op.create_table(
        "doctrine_relations",
        sa.Column("version_id", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=240), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=80), nullable=False),
        sa.Column("target_id", sa.String(length=80), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["doctrine_versions.id"],
            name=op.f("fk_doctrine_relations_version_id_doctrine_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("version_id", "key", name=op.f("pk_doctrine_relations")),
    )
    with op.batch_alter_table("doctrine_relations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_doctrine_relations_source", ["version_id", "source_id"], unique=False
        )
        batch_op.create_index(
            "ix_doctrine_relations_target", ["version_id", "target_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("doctrine_relations", schema=None) as batch_op:
        batch_op.drop_index("ix_doctrine_relations_target")
        batch_op.drop_index("ix_doctrine_relations_source")

    op.drop_table("doctrine_relations")
    with op.batch_alter_table("doctrine_items", schema=None) as batch_op:
        batch_op.drop_index("ix_doctrine_items_kind")

    op.drop_table("doctrine_items")
    op.drop_table("doctrine_activations")
    op.drop_table("doctrine_versions")
