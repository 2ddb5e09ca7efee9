"""Record ids: random hex, never handed out twice, not even by a forked process."""

from __future__ import annotations

import os
import re

from qalxan.store.ids import ID_BYTES, new_id


def test_ids_are_random_hex_of_the_documented_length() -> None:
    ids = [new_id() for _ in range(10_000)]
    assert all(re.fullmatch(f"[0-9a-f]{{{2 * ID_BYTES}}}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_process_does_not_hand_out_its_parents_ids() -> None:
    new_id()  # the buffer holds ids the parent will hand out next
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its ids, written to the parent
        os.close(read)
        with os.fdopen(write, "w") as out:
            out.write("\n".join(new_id() for _ in range(100)))
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as given:
        child = set(given.read().split())
    os.waitpid(pid, 0)
    parent = {new_id() for _ in range(100)}
    assert len(child) == 100
    assert not child & parent
