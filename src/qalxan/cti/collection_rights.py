"""Naming a TAXII collection on import or export, with the caller's right to use it.

A collection is named by its id or by its alias; an alias used under several API roots is
refused as ambiguous. Whether the caller may read or write it is the collections' own rule
(:func:`qalxan.cti.collections.rights`): the owning agency, or a right granted to the agency.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qalxan.access.principal import Principal
from qalxan.cti import collections
from qalxan.cti.tables import CtiCollectionRow
from qalxan.errors import Forbidden, InvalidInput

Use = Literal["read", "write"]


def resolve(session: Session, principal: Principal, ref: str, use: Use) -> CtiCollectionRow:
    """The collection named ``ref``, if the caller may ``use`` it."""
    found = list(
        session.scalars(
            select(CtiCollectionRow).where(
                or_(CtiCollectionRow.id == ref, CtiCollectionRow.alias == ref)
            )
        )
    )
    if len(found) > 1:
        roots = ", ".join(sorted(c.api_root for c in found))
        raise InvalidInput(
            f"collection: the alias {ref!r} names a collection under several API roots "
            f"({roots}); give the collection's id",
            "collection",
        )
    rights = collections.rights(session, principal, found[0]) if found else None
    if rights is None or not (rights.can_read or rights.can_write):
        # As the TAXII server answers: a collection out of reach is not known to exist.
        raise InvalidInput(f"collection: no collection has the id or alias {ref!r}", "collection")
    if not (rights.can_read if use == "read" else rights.can_write):
        raise Forbidden(f"collection: you may not {use} the collection {ref!r}")
    return found[0]
