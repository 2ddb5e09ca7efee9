# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, nonecheck=False
"""Retrieval's tally, in C (built by ``scripts/compile.py`` with Cython;
:class:`qalxan.screening.retrieval.Retriever` uses it when built).

The same ranking as the NumPy code it stands for in ``retrieval.py``, which stays the
reference: per query word (or compound), each name sharing one of its keys scores the weight
of the rarest it shares; these add up over the words in order; the names scoring above 0 are
ranked by score and, among equal scores, by their id, and the first ``limit`` kept. There a
query paid for merging, sorting or counting over arrays as long as its postings or as the
index; here a name's running score sits in an array as long as the index, stamped with the
query that wrote it (so nothing is cleared between queries), a second stamp says which word
has counted it already, and the best ``limit`` are kept in a heap.
"""

from libc.stdint cimport int32_t, uint32_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memset


cdef struct Hit:
    double score
    int32_t name


cdef inline bint _worse(Hit *a, Hit *b):
    """Whether ``a`` ranks below ``b``: a lower score, or the same and a higher id."""
    return a.score < b.score or (a.score == b.score and a.name > b.name)


cdef void _sift_down(Hit *heap, Py_ssize_t size, Py_ssize_t at):
    # A heap with the worst kept hit on top.
    cdef Py_ssize_t child
    cdef Hit moving = heap[at]
    while True:
        child = 2 * at + 1
        if child >= size:
            break
        if child + 1 < size and _worse(&heap[child + 1], &heap[child]):
            child += 1
        if not _worse(&heap[child], &moving):
            break
        heap[at] = heap[child]
        at = child
    heap[at] = moving


cdef void _sift_up(Hit *heap, Py_ssize_t at):
    cdef Py_ssize_t parent
    cdef Hit moving = heap[at]
    while at > 0:
        parent = (at - 1) // 2
        if not _worse(&moving, &heap[parent]):
            break
        heap[at] = heap[parent]
        at = parent
    heap[at] = moving


cdef class Tally:
    """Scores of the names of an index of ``size`` names, query after query."""

    cdef double *_score
    cdef uint32_t *_stamp
    cdef uint32_t *_counted
    cdef int32_t *_touched
    cdef uint32_t _serial
    cdef uint32_t _unit
    cdef Py_ssize_t _size

    def __cinit__(self, Py_ssize_t size):
        self._size = size
        self._serial = 0
        self._unit = 0
        self._score = <double *>malloc((size + 1) * sizeof(double))
        self._stamp = <uint32_t *>calloc(size + 1, sizeof(uint32_t))
        self._counted = <uint32_t *>calloc(size + 1, sizeof(uint32_t))
        self._touched = <int32_t *>malloc((size + 1) * sizeof(int32_t))
        if (
            self._score == NULL or self._stamp == NULL or self._counted == NULL
            or self._touched == NULL
        ):
            raise MemoryError()

    def __dealloc__(self):
        free(self._score)
        free(self._stamp)
        free(self._counted)
        free(self._touched)

    def top(self, const int32_t[::1] postings, list units, exclude, Py_ssize_t limit):
        """The ``limit`` best names, best first. ``units``: per query word or compound, the
        postings of its keys as ``(weight, start, end)`` ranges of ``postings``, the rarest
        key first (a name counts under the first range that holds it); ``exclude``: names
        left out."""
        cdef Py_ssize_t n = 0, k, kept = 0, c, start, end
        cdef int32_t name
        cdef uint32_t serial, unit
        cdef double weight
        cdef Hit hit
        cdef Hit *heap
        self._serial += 1
        if self._serial == 0:
            # After four billion queries: the stamps start again.
            memset(self._stamp, 0, (self._size + 1) * sizeof(uint32_t))
            self._serial = 1
        serial = self._serial
        for ranges in units:
            self._unit += 1
            if self._unit == 0:
                memset(self._counted, 0, (self._size + 1) * sizeof(uint32_t))
                self._unit = 1
            unit = self._unit
            for weight, start, end in ranges:
                if not 0 <= start <= end <= postings.shape[0]:
                    raise IndexError(f"postings {start} to {end} are not in the index")
                for k in range(start, end):
                    name = postings[k]
                    if name < 0 or name >= self._size:
                        raise IndexError(f"name {name} is not in the index")
                    if self._counted[name] == unit:
                        continue
                    self._counted[name] = unit
                    if self._stamp[name] != serial:
                        self._stamp[name] = serial
                        self._score[name] = 0.0
                        self._touched[n] = name
                        n += 1
                    self._score[name] += weight
        for left_out in exclude:
            k = left_out
            if 0 <= k < self._size and self._stamp[k] == serial:
                self._score[k] = 0.0
        if limit <= 0:
            return []
        heap = <Hit *>malloc(limit * sizeof(Hit))
        if heap == NULL:
            raise MemoryError()
        try:
            for k in range(n):
                hit.name = self._touched[k]
                hit.score = self._score[hit.name]
                if not hit.score > 0.0:
                    continue
                if kept < limit:
                    heap[kept] = hit
                    _sift_up(heap, kept)
                    kept += 1
                elif _worse(&heap[0], &hit):
                    heap[0] = hit
                    _sift_down(heap, kept, 0)
            # Best first: the worst left goes to the back, again and again (a heap sort).
            for c in range(kept - 1, 0, -1):
                hit = heap[0]
                heap[0] = heap[c]
                heap[c] = hit
                _sift_down(heap, c, 0)
            return [heap[c].name for c in range(kept)]
        finally:
            free(heap)
