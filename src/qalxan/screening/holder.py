"""The matcher a process screens with: one index over the current entries of every list, built
on first use and rebuilt when a list changes.

Whether a list changed is asked of the database (:func:`versions.content_version`, one cheap
query) at most every ``QALXAN_SCREENING_REFRESH_SECONDS``. One thread rebuilds while the
others keep screening with the old matcher; the new one replaces it in a single assignment, so
a reader sees either the old matcher or the new one, never half of each. While a rebuild runs
the process holds both indexes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from qalxan.screening import versions
from qalxan.screening.index import Index
from qalxan.screening.matcher import Matcher
from qalxan.settings import Settings, get_settings


@dataclass(frozen=True)
class Loaded:
    """A matcher and the content version (a :func:`versions.content_version` token) of the
    entries it was built from: what a screening records to say what it screened against."""

    matcher: Matcher
    version: str
    entities: int
    built_at: float


class IndexHolder:
    """Share one per process (e.g. in the web application's state); safe across threads.

    ``progress`` is called with a count of entries indexed while an index is built.
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings | None = None,
        *,
        refresh_seconds: float | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings if settings is not None else get_settings()
        self.refresh_seconds = (
            self.settings.screening_refresh_seconds if refresh_seconds is None else refresh_seconds
        )
        self.progress = progress
        self._loaded: Loaded | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def matcher(self) -> Matcher:
        """The current matcher (built now if none yet; rebuilt first if a list changed)."""
        return self.current().matcher

    @property
    def version(self) -> str:
        """The content version the current matcher was built from."""
        loaded = self._loaded
        return loaded.version if loaded is not None else self.current().version

    def current(self) -> Loaded:
        """The matcher with its version, as one snapshot: use this when both are needed."""
        loaded = self._loaded
        if loaded is not None and not self._due():
            return loaded
        if loaded is None:
            with self._lock:  # nothing to screen with yet: wait for the first build
                return self._refresh(force=False)
        if not self._lock.acquire(blocking=False):
            return loaded  # another thread is checking or rebuilding
        try:
            return self._refresh(force=False)
        finally:
            self._lock.release()

    def refresh(self) -> Loaded:
        """Ask the database now, whatever the refresh interval, and rebuild if a list changed
        (waits for a rebuild another thread is running). Used right after an import."""
        with self._lock:
            return self._refresh(force=True)

    def _due(self) -> bool:
        return time.monotonic() - self._checked >= self.refresh_seconds

    def _refresh(self, *, force: bool) -> Loaded:
        loaded = self._loaded
        if loaded is not None and not force and not self._due():
            return loaded  # another thread checked while this one waited
        # The token is read before the entries: an import landing in between makes the index
        # newer than its token says, never older (a subject is then screened again, not missed).
        token = versions.content_version(self.engine)
        if loaded is None or loaded.version != token:
            index = Index.build(versions.current_entries(self.engine), progress=self.progress)
            loaded = Loaded(Matcher(index), token, len(index.entities), time.time())
            self._loaded = loaded
        self._checked = time.monotonic()
        return loaded
