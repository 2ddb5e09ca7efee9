"""Which object versions of a collection a request gets, as one SQL statement.

**Rights and the record policy combine.** A collection right (:mod:`qalxan.cti.collections`)
lets the caller into the collection; every object version in it is then filtered by the
platform's record policy (:func:`qalxan.access.policy.visible`: clearance, owning agency, TLP
reach, shares, inquiry grants), where a read right on the collection counts as a share of its
objects to the caller's agency. So: the caller's clearance must reach the object's
classification; TLP:CLEAR and TLP:GREEN objects reach every reader of the collection;
TLP:AMBER and TLP:AMBER+STRICT objects reach every agency and partner the collection is
shared with (putting them in a shared collection is sharing them); TLP:RED objects and objects
without a TLP marking reach only whom the record policy lets see them (their owning agency,
users named in a share), as anywhere else on the platform.

**Versions.** ``last`` and ``first`` are the newest and oldest version *in this collection*
(a collection may hold only some versions of an object); an object whose newest version in the
collection the caller may not see is not answered with an older one under ``last``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from qalxan.access import policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.cti.tables import CtiEntryRow, CtiObjectRow
from qalxan.cti.taxii.filters import Filters
from qalxan.cti.taxii.paging import Cursor

Entry = CtiEntryRow
Obj = CtiObjectRow


@lru_cache(maxsize=1024)
def readable(principal: Principal) -> ColumnElement[bool]:
    """The record policy for a reader of the collection (see the module's rule)."""
    shared = scheme().tlp_with_reach("shared", "strict")
    by_collection = and_(
        Obj.classification <= principal.clearance,
        or_(false(), *(Obj.tlp == code for code in shared)),
    )
    return or_(policy.visible(principal, Obj), by_collection)


def _other_version(collection_id: str, newer: bool) -> ColumnElement[bool]:
    """Whether the collection holds a newer (else older) version of the same object."""
    entry, other = aliased(CtiEntryRow), aliased(CtiObjectRow)
    than = other.version_at > Obj.version_at if newer else other.version_at < Obj.version_at
    # From the object's few versions to their membership, not from the collection's entries:
    # nested so that no planner starts from the whole collection.
    member = exists(
        select(entry.seq).where(entry.collection_id == collection_id, entry.object_id == other.id)
    )
    return exists(select(other.id).where(other.stix_id == Obj.stix_id, than, member))


def _versions(collection_id: str, filters: Filters) -> ColumnElement[bool] | None:
    if "all" in filters.versions:
        return None
    wanted: list[ColumnElement[bool]] = []
    if "last" in filters.versions:
        # The newest version anywhere is the newest in the collection: no subquery needed.
        wanted.append(or_(Obj.latest, ~_other_version(collection_id, newer=True)))
    if "first" in filters.versions:
        wanted.append(~_other_version(collection_id, newer=False))
    for at in filters.timestamps:
        # An object without a version is named by when it was added (as the manifest does).
        wanted.append(or_(Obj.version_at == at, and_(Obj.version == "", Entry.date_added == at)))
    return or_(false(), *wanted)


def selection(
    columns: Sequence[Any],
    collection_id: str,
    principal: Principal,
    filters: Filters,
    *,
    object_id: str | None = None,
    after: Cursor | None = None,
) -> Select[Any]:
    """``columns`` of the collection's entries the caller may read and the filters match,
    after ``after``, in the order pages are served (not limited)."""
    query = (
        select(*columns)
        .select_from(Entry)
        .join(Obj, Obj.id == Entry.object_id)
        .where(Entry.collection_id == collection_id, readable(principal))
    )
    if object_id is not None:
        query = query.where(Obj.stix_id == object_id)
    if filters.ids:
        query = query.where(Obj.stix_id.in_(filters.ids))
    if filters.types:
        query = query.where(Obj.stix_type.in_(filters.types))
    if filters.spec_versions:
        query = query.where(Obj.spec_version.in_(filters.spec_versions))
    if filters.added_after is not None:
        query = query.where(Entry.date_added > filters.added_after)
    versions = _versions(collection_id, filters)
    if versions is not None:
        query = query.where(versions)
    if after is not None:
        query = query.where(
            Entry.date_added >= after.date_added,
            or_(Entry.date_added > after.date_added, Entry.seq > after.seq),
        )
    return query.order_by(Entry.date_added, Entry.seq)
