# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, nonecheck=False
"""The word pairs and the pairing of a query's candidate names, in C (built by
``scripts/compile.py`` with Cython; :mod:`qalxan.screening.pairing` picks it when built).

The same results, to the last bit, as :class:`qalxan.screening.prepared.Prepared`, then
:meth:`qalxan.screening.similarity.WordFeatures.pairs`, then
:func:`qalxan.screening.scoring.pair_many`, which stay the reference (and the path wherever
this module is not built): the tests compare the two on real names. What differs is where the
time goes. There, each query paid for NumPy calls on small arrays and for Python objects per
listed name and per pair of words; here a listed word's figures and a listed name (its words,
weights and compounds) sit in C structs, learnt on first sight, spellings are compared with
Hyyrö's bit-parallel OSA distance (rapidfuzz's own algorithm), and a name's single, compound
and acronym pairs are paired and scored without a Python object until its score. Only a name
of more than 64 words (wider than the bit sets) goes on to
:func:`~qalxan.screening.scoring.pair_up` with its single-word pairs.

Constants, reasons and the skeleton's rules are read from :mod:`~qalxan.screening.scoring`
and :mod:`~qalxan.screening.text` when this module is imported, so that the two cannot drift
apart.
"""

from libc.math cimport pow, sqrt
from libc.stdint cimport int32_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcmp, memcpy, memset

from cpython.unicode cimport PyUnicode_DecodeASCII

from qalxan.screening import acronyms as _acronyms
from qalxan.screening import scoring as _scoring
from qalxan.screening import text as _text
from qalxan.screening.vocabulary import ABJAD, INITIAL, NAME, ORG_WORD, PARTICLE

cdef double MIN_WORD_SIMILARITY = _scoring.MIN_WORD_SIMILARITY
cdef double MIN_RELATED_SPELLING = _scoring.MIN_RELATED_SPELLING
cdef double SAME_GROUP = _scoring.SAME_GROUP
cdef double SAME_PLAIN = _scoring.SAME_PLAIN
cdef double SAME_SKELETON = _scoring.SAME_SKELETON
cdef double SAME_SOUND = _scoring.SAME_SOUND
cdef double INITIAL_MATCH = _scoring.INITIAL_MATCH
cdef double QUERY_EXPONENT = _scoring.QUERY_EXPONENT
cdef double LISTED_EXPONENT = _scoring.LISTED_EXPONENT
cdef double CONFLICT = _scoring.CONFLICT
cdef double LEFT_EPSILON = _scoring.LEFT_EPSILON
cdef int COMPOUND_ABJAD_SKELETON = _scoring.COMPOUND_ABJAD_SKELETON
cdef int COMPOUND_SHORT_SKELETON = _scoring.COMPOUND_SHORT_SKELETON
cdef double COMPOUND_SPELLING = _scoring.COMPOUND_SPELLING
cdef int MIN_PIECE_SKELETON = _scoring.MIN_PIECE_SKELETON
# A word's weight in a listed name by its role (roles are small ints).
cdef double ROLE_WEIGHT[8]
if not all(0 <= _role < 8 for _role in _scoring.ROLE_WEIGHT):
    raise ImportError("word roles outside the range this module keeps weights for")
for _role, _weight in _scoring.ROLE_WEIGHT.items():
    ROLE_WEIGHT[_role] = _weight

# Reasons by code, as scoring words them.
cdef enum:
    R_NONE = 0
    R_SAME = 1
    R_INITIAL = 2
    R_SPELLING = 3
    R_GROUP = 4
    R_SKELETON = 5
    R_SOUND = 6
    R_ABJAD = 7
    R_COMPOUND = 8
    R_ACRONYM = 9
REASONS = (
    "",
    "same",
    "initial",
    "spelling",
    "same name",
    "same consonants",
    "sounds alike",
    "consonants across scripts",
    "compound",
    "acronym",
)
cdef bint KINDRED[10]
# Pairs alike in all else are sorted by their reasons' words.
cdef int RANK[10]
for _code, _reason in enumerate(REASONS):
    KINDRED[_code] = _reason in _scoring._KINDRED
    RANK[_code] = sorted(REASONS).index(_reason)

cdef object _pair_up = _scoring.pair_up
cdef object _acronym_pairs = _acronyms.acronym_pairs
cdef object _of_party = _acronyms.of_party
cdef object _NO_ACRONYMS = _acronyms.NONE
cdef object _skeleton = _text.skeleton
cdef object _ABJAD = ABJAD
cdef int _INITIAL = INITIAL
cdef int _NAME = NAME
cdef int _ORG_WORD = ORG_WORD
cdef int _PARTICLE = PARTICLE

# Knuth's multiplier: spreads word ids over the slots of a query's table of words.
cdef uint64_t SPREAD = 2654435761

cdef enum:
    # Words longer than this are compared by the plain dynamic programme (no bit-parallel
    # table); names longer than this are paired by scoring.pair_up.
    WIDE = 64
    # Memory for the listed words' letters and name groups comes in blocks that never move:
    # a pointer into one stays good while another thread learns more words.
    BLOCK = 65536


cdef struct Feat:
    int32_t plain
    int32_t skeleton
    int32_t skeleton_len
    int32_t phonetic
    int32_t phonetic_len
    int32_t form_len
    int32_t groups_len
    int32_t role
    bint abjad
    uint32_t *form
    uint32_t *skeleton_letters
    int32_t *groups


cdef struct Piece:
    # A listed word or compound that compound pairs may use: its first and last word, the
    # code of its skeleton, its Latin form, whether its script is an abjad.
    int32_t j0
    int32_t j1
    int32_t skeleton
    int32_t form_len
    bint abjad
    uint32_t *form


cdef struct Name:
    # A listed name (scoring.Listed): its word ids, their weights and sum, its pieces of two
    # letters of skeleton or more.
    int32_t length
    int32_t pieces_len
    double total
    int32_t *words
    double *weights
    Piece *pieces


cdef struct Pattern:
    # A query word's letters as bit masks of their places (Hyyrö's PM), ASCII in a table, the
    # rest in a short list.
    uint64_t ascii[128]
    int32_t others
    uint32_t other_chars[WIDE]
    uint64_t other_masks[WIDE]


cdef struct Pair:
    double similarity
    int32_t order
    int32_t i0
    int32_t i1
    int32_t j0
    int32_t j1
    int32_t reason


cdef struct Memo:
    double similarity
    double spelling
    int32_t reason


cdef class Arena:
    """Blocks of memory that are never moved or freed before the arena."""

    cdef list _blocks
    cdef char *_at
    cdef size_t _left

    def __cinit__(self):
        self._blocks = []
        self._at = NULL
        self._left = 0

    cdef void *take(self, size_t size) except NULL:
        cdef void *block
        size = (size + 7) & ~(<size_t>7)
        if size > self._left:
            block = malloc(size if size > BLOCK else BLOCK)
            if block == NULL:
                raise MemoryError()
            self._blocks.append(<size_t>block)
            self._at = <char *>block
            self._left = size if size > BLOCK else BLOCK
        block = self._at
        self._at += size
        self._left -= size
        return block

    def __dealloc__(self):
        for block in self._blocks:
            free(<void *><size_t>block)


cdef inline double _norm(int distance, int longest):
    # rapidfuzz's normalized similarity: 1 less the distance per letter of the longer.
    cdef double norm = (<double>distance / <double>longest) if longest else 0.0
    return 1.0 - norm


cdef void _pattern(Pattern *p, uint32_t *s, int n):
    cdef int k, m
    memset(p.ascii, 0, sizeof(p.ascii))
    p.others = 0
    for k in range(n if n < WIDE else WIDE):
        if s[k] < 128:
            p.ascii[s[k]] |= (<uint64_t>1) << k
        else:
            for m in range(p.others):
                if p.other_chars[m] == s[k]:
                    p.other_masks[m] |= (<uint64_t>1) << k
                    break
            else:
                p.other_chars[p.others] = s[k]
                p.other_masks[p.others] = (<uint64_t>1) << k
                p.others += 1


cdef inline uint64_t _mask(Pattern *p, uint32_t ch):
    cdef int m
    if ch < 128:
        return p.ascii[ch]
    for m in range(p.others):
        if p.other_chars[m] == ch:
            return p.other_masks[m]
    return 0


cdef int _osa_bits(Pattern *p, int n1, uint32_t *s2, int n2):
    """The OSA distance of the pattern's word (``n1`` letters, 1 to 64) and ``s2``: Hyyrö
    (2003), as rapidfuzz computes it."""
    cdef uint64_t vp = ~(<uint64_t>0), vn = 0, d0 = 0, old = 0, pm, tr, hp, hn
    cdef uint64_t top = (<uint64_t>1) << (n1 - 1)
    cdef int distance = n1, k
    for k in range(n2):
        pm = _mask(p, s2[k])
        tr = (((~d0) & pm) << 1) & old
        d0 = (((pm & vp) + vp) ^ vp) | pm | vn
        d0 = d0 | tr
        hp = vn | ~(d0 | vp)
        hn = d0 & vp
        if hp & top:
            distance += 1
        elif hn & top:
            distance -= 1
        hp = (hp << 1) | 1
        hn = hn << 1
        vp = hn | ~(d0 | hp)
        vn = hp & d0
        old = pm
    return distance


cdef int _osa_table(uint32_t *a, int n1, uint32_t *b, int n2) except -1:
    """The OSA distance by the textbook dynamic programme (words longer than 64 letters)."""
    cdef int *rows = <int *>malloc(3 * (n2 + 1) * sizeof(int))
    cdef int *two
    cdef int *one
    cdef int *now
    cdef int *swap
    cdef int i, j, cost, best
    if rows == NULL:
        raise MemoryError()
    two, one, now = rows, rows + (n2 + 1), rows + 2 * (n2 + 1)
    for j in range(n2 + 1):
        one[j] = j
    for i in range(1, n1 + 1):
        now[0] = i
        for j in range(1, n2 + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = one[j] + 1
            if now[j - 1] + 1 < best:
                best = now[j - 1] + 1
            if one[j - 1] + cost < best:
                best = one[j - 1] + cost
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                if two[j - 2] + 1 < best:
                    best = two[j - 2] + 1
            now[j] = best
        swap = two
        two, one, now = one, now, swap
    best = one[n2]
    free(rows)
    return best


cdef int _osa(Pattern *p, uint32_t *a, int n1, uint32_t *b, int n2) except -1:
    """The OSA distance of ``a`` (whose bit masks ``p`` holds) and ``b``."""
    if n1 == 0:
        return n2
    if n2 == 0:
        return n1
    if n1 <= WIDE:
        return _osa_bits(p, n1, b, n2)
    return _osa_table(a, n1, b, n2)


cdef inline bint _shares_group(Feat *a, Feat *b):
    cdef int x = 0, y = 0
    while x < a.groups_len and y < b.groups_len:
        if a.groups[x] == b.groups[y]:
            return True
        if a.groups[x] < b.groups[y]:
            x += 1
        else:
            y += 1
    return False


# The skeleton's rules (text.skeleton), read from text: its letter pairs merged in order,
# its letters merged, then runs of one letter made one and vowels dropped.
cdef int DIGRAPHS = len(_text._DIGRAPHS)
cdef char DIGRAPH_FROM[32][4]
cdef int DIGRAPH_LEN[32]
cdef char DIGRAPH_TO[32]
cdef char LETTER[128]
cdef bint VOWEL[128]
if (
    DIGRAPHS > 32
    or any(len(_merged) != 1 or not 1 < len(_group) < 4 for _group, _merged in _text._DIGRAPHS)
    or _text._VOWELS.pattern != "[aeiouyw]+"
    or _text._REPEAT.pattern != r"(.)\1+"
):
    raise ImportError("text.skeleton's rules are not those this module works out")
for _number, (_group, _merged) in enumerate(_text._DIGRAPHS):
    DIGRAPH_LEN[_number] = len(_group)
    for _k, _ch in enumerate(_group):
        DIGRAPH_FROM[_number][_k] = ord(_ch)
    DIGRAPH_TO[_number] = ord(_merged)
for _k in range(128):
    LETTER[_k] = ord(chr(_k).translate(_text._LETTERS))
    VOWEL[_k] = chr(_k) in "aeiouyw"


cdef Py_ssize_t _skeleton_of(char *text, Py_ssize_t n, char *spare):
    """text.skeleton of the ASCII ``text`` (``n`` letters), worked out in place (``spare``:
    as long); its length."""
    cdef int d, glen
    cdef Py_ssize_t k, out
    cdef char *swap
    cdef char *start = text
    for d in range(DIGRAPHS):
        glen = DIGRAPH_LEN[d]
        out = 0
        k = 0
        # str.replace: left to right, no overlaps.
        while k < n:
            if k + glen <= n and memcmp(text + k, DIGRAPH_FROM[d], glen) == 0:
                spare[out] = DIGRAPH_TO[d]
                k += glen
            else:
                spare[out] = text[k]
                k += 1
            out += 1
        swap = text
        text = spare
        spare = swap
        n = out
    out = 0
    for k in range(n):
        text[k] = LETTER[<unsigned char>text[k]]
        # A run of one letter made one, then vowels dropped.
        if (k == 0 or text[k] != text[k - 1]) and not VOWEL[<unsigned char>text[k]]:
            spare[out] = text[k]
            out += 1
    if spare != start:
        memcpy(start, spare, out)
    return out


cdef class Units:
    """A query's words, then its compounds (scoring.Named.units): their figures, first and
    last word; the words' listed ids, weights and whether each is a name."""

    cdef Py_ssize_t nu, room
    cdef double total
    cdef Feat *feats
    cdef Pattern *patterns
    cdef Pattern *skeleton_patterns
    cdef int32_t *first
    cdef int32_t *last
    cdef int32_t *ids
    cdef double *weights
    cdef bint *named
    cdef object acronyms

    def __cinit__(self, Py_ssize_t nq, Py_ssize_t nu):
        cdef Py_ssize_t u
        self.nu = nu
        self.feats = <Feat *>malloc(nu * sizeof(Feat))
        if self.feats != NULL:
            for u in range(nu):
                self.feats[u].form = NULL
                self.feats[u].skeleton_letters = NULL
                self.feats[u].groups = NULL
        self.patterns = <Pattern *>malloc(nu * sizeof(Pattern))
        self.skeleton_patterns = <Pattern *>malloc(nu * sizeof(Pattern))
        self.first = <int32_t *>malloc(nu * sizeof(int32_t))
        self.last = <int32_t *>malloc(nu * sizeof(int32_t))
        self.ids = <int32_t *>malloc(nq * sizeof(int32_t))
        self.weights = <double *>malloc(nq * sizeof(double))
        self.named = <bint *>malloc(nq * sizeof(bint))
        if (
            self.feats == NULL or self.patterns == NULL or self.skeleton_patterns == NULL
            or self.first == NULL or self.last == NULL or self.ids == NULL or self.weights == NULL
            or self.named == NULL
        ):
            raise MemoryError()

    def __dealloc__(self):
        cdef Py_ssize_t u
        if self.feats != NULL:
            for u in range(self.nu):
                free(self.feats[u].form)
                free(self.feats[u].skeleton_letters)
                free(self.feats[u].groups)
        free(self.feats)
        free(self.patterns)
        free(self.skeleton_patterns)
        free(self.first)
        free(self.last)
        free(self.ids)
        free(self.weights)
        free(self.named)


cdef tuple _candidate(Pair *p):
    """A pair as scoring.Candidate."""
    return (p.similarity, p.order, p.i0, p.i1, p.j0, p.j1, REASONS[p.reason])


cdef int _room(Units q, Pair **pairs, Py_ssize_t count) except -1:
    cdef Pair *grown
    if count < q.room:
        return 0
    grown = <Pair *>realloc(pairs[0], 2 * q.room * sizeof(Pair))
    if grown == NULL:
        raise MemoryError()
    pairs[0] = grown
    q.room *= 2
    return 0


cdef Py_ssize_t _compound_pairs(
    Units q, Name *name, object listed, Pair **pairs, Py_ssize_t count
) except -1:
    """scoring.compound_pairs: the name's pairs where a side is a compound (on the same
    skeleton) or an acronym (``listed``: the name's acronyms), after its ``count`` single
    pairs; the new count."""
    cdef Py_ssize_t u, p
    cdef int32_t i0, i1, j0, j1
    cdef double similarity
    cdef Piece *piece
    for p in range(name.pieces_len):
        piece = &name.pieces[p]
        for u in range(q.nu):
            if q.feats[u].skeleton != piece.skeleton:
                continue
            if q.first[u] == q.last[u] and piece.j0 == piece.j1:
                continue  # a query word meets the listed compounds only
            count = _piece_pair(q, u, piece, pairs, count)
    if q.acronyms is not _NO_ACRONYMS and listed is not _NO_ACRONYMS:
        for i0, i1, j0, j1, similarity in _acronym_pairs(q.acronyms, listed):
            _room(q, pairs, count)
            pairs[0][count] = Pair(similarity, i1 - i0 + j1 - j0 + 2, i0, i1, j0, j1, R_ACRONYM)
            count += 1
    return count


cdef Py_ssize_t _piece_pair(
    Units q, Py_ssize_t u, Piece *piece, Pair **pairs, Py_ssize_t count
) except -1:
    """The pair, if any, of the query's unit ``u`` and a listed ``piece`` of the same
    skeleton, after ``count`` pairs; the new count."""
    cdef Feat *a = &q.feats[u]
    cdef int32_t i0 = q.first[u], i1 = q.last[u], j0 = piece.j0, j1 = piece.j1
    cdef int32_t skeleton = a.skeleton_len
    cdef int n1 = a.form_len, n2 = piece.form_len, distance
    cdef double similarity
    cdef bint same = n1 == n2 and memcmp(a.form, piece.form, n1 * sizeof(uint32_t)) == 0
    if i1 - i0 == j1 - j0 and same:
        return count  # word for word: the single pairs say it better
    if skeleton < COMPOUND_SHORT_SKELETON and not same:
        return count
    if same:
        similarity = 1.0
    elif a.abjad or piece.abjad:
        if skeleton < COMPOUND_ABJAD_SKELETON:
            return count
        similarity = SAME_SKELETON
    else:
        distance = _osa(&q.patterns[u], a.form, n1, piece.form, n2)
        similarity = _norm(distance, n1 if n1 > n2 else n2)
        if similarity < COMPOUND_SPELLING:
            return count
    _room(q, pairs, count)
    pairs[0][count] = Pair(similarity, i1 - i0 + j1 - j0 + 2, i0, i1, j0, j1, R_COMPOUND)
    return count + 1


cdef inline bint _before(Pair *x, Pair *y):
    """Whether ``x`` comes before ``y`` in scoring's reverse sort of the pair tuples."""
    if x.similarity != y.similarity:
        return x.similarity > y.similarity
    if x.order != y.order:
        return x.order > y.order
    if x.i0 != y.i0:
        return x.i0 > y.i0
    if x.i1 != y.i1:
        return x.i1 > y.i1
    if x.j0 != y.j0:
        return x.j0 > y.j0
    if x.j1 != y.j1:
        return x.j1 > y.j1
    return RANK[x.reason] > RANK[y.reason]


cdef inline uint64_t _bits(int32_t first, int32_t last):
    cdef int32_t width = last - first + 1
    if width >= 64:
        return ~(<uint64_t>0)
    return (((<uint64_t>1) << width) - 1) << first


cdef object _paired(Units q, Name *name, Pair *pairs, Py_ssize_t count, bint spans_only):
    """scoring._paired: best pairs first, each word at most once; the score, or when
    ``spans_only`` the pairs taken."""
    cdef Py_ssize_t c, d, k
    cdef Pair pair
    cdef double *l_weights = name.weights
    cdef double q_total = q.total, l_total = name.total
    cdef double q_got = 0.0, l_got = 0.0, q_paired = 0.0, l_paired = 0.0, weight, score
    cdef double q_left, l_left
    cdef uint64_t used_q = 0, used_l = 0, q_bits, l_bits
    cdef bint matched = False
    cdef list spans = [] if spans_only else None
    for c in range(1, count):
        pair = pairs[c]
        d = c - 1
        while d >= 0 and _before(&pair, &pairs[d]):
            pairs[d + 1] = pairs[d]
            d -= 1
        pairs[d + 1] = pair
    for c in range(count):
        pair = pairs[c]
        q_bits = _bits(pair.i0, pair.i1)
        l_bits = _bits(pair.j0, pair.j1)
        if used_q & q_bits or used_l & l_bits:
            continue
        used_q |= q_bits
        used_l |= l_bits
        if spans_only:
            spans.append(
                (pair.similarity, pair.i0, pair.i1, pair.j0, pair.j1, REASONS[pair.reason])
            )
        if pair.i0 == pair.i1:
            weight = q.weights[pair.i0]
            matched = matched or q.named[pair.i0]
        else:
            weight = 0.0
            for k in range(pair.i0, pair.i1 + 1):
                weight += q.weights[k]
            matched = True
        q_got += weight * pair.similarity
        q_paired += weight
        if pair.j0 == pair.j1:
            weight = l_weights[pair.j0]
        else:
            weight = 0.0
            for k in range(pair.j0, pair.j1 + 1):
                weight += l_weights[k]
        l_got += weight * pair.similarity
        l_paired += weight
    if not matched:
        return tuple(spans) if spans_only else 0.0
    # scoring._name_score
    if q_total == 0.0:
        q_total = 1.0
    if l_total == 0.0:
        l_total = 1.0
    score = pow(q_got / q_total, QUERY_EXPONENT) * pow(l_got / l_total, LISTED_EXPONENT)
    if score > 1.0:
        score = 1.0
    q_left = 1.0 - q_paired / q_total
    l_left = 1.0 - l_paired / l_total
    if q_left > LEFT_EPSILON and l_left > LEFT_EPSILON:
        weight = 1.0 - CONFLICT * sqrt(q_left * l_left)
        score = score * (weight if weight > 0.0 else 0.0)
    return tuple(spans) if spans_only else score


cdef class Pairing:
    """The pairs and scores of a query's names against the listed names of an index.

    A listed word's figures and a listed name (``Name``: what scoring.Listed holds) are
    learnt the first time a query meets them (learning them all up front, before a batch's
    workers are forked, made the batch no faster). ``listed`` makes the
    :class:`~qalxan.screening.scoring.Listed` of a name id, for the names too long for the
    bit sets here."""

    cdef Arena _arena
    cdef Feat *_feats
    cdef unsigned char *_known
    cdef Name **_names
    cdef Py_ssize_t _size
    cdef Py_ssize_t _count
    cdef list _words
    cdef dict _ids
    cdef dict _plains
    cdef dict _skeletons
    cdef dict _phonetics
    cdef list _entities
    cdef dict _name_acronyms
    cdef object _listed
    cdef const int32_t[::1] _name_start
    cdef const int32_t[::1] _name_words
    cdef const int32_t[::1] _name_entity
    cdef const float[::1] _idf

    def __cinit__(self, index, listed):
        vocabulary = index.vocabulary
        self._words = vocabulary.words
        self._ids = vocabulary.ids
        self._size = len(self._words)
        self._name_start = index.name_start
        self._name_words = index.name_words
        self._name_entity = index.name_entity
        self._idf = index.word_idf
        self._count = self._name_start.shape[0] - 1
        if self._name_entity.shape[0] != self._count or self._idf.shape[0] != self._size:
            raise ValueError("an index whose arrays disagree on its names or words")
        self._entities = index.entities
        self._listed = listed
        self._arena = Arena()
        self._feats = <Feat *>malloc((self._size + 1) * sizeof(Feat))
        self._known = <unsigned char *>malloc(self._size + 1)
        self._names = <Name **>calloc(self._count + 1, sizeof(Name *))
        if self._feats == NULL or self._known == NULL or self._names == NULL:
            raise MemoryError()
        memset(self._known, 0, self._size + 1)
        self._plains = {}
        self._skeletons = {}
        self._phonetics = {}
        self._name_acronyms = {}

    def __dealloc__(self):
        free(self._feats)
        free(self._known)
        free(self._names)

    cdef int _fill(self, Feat *f, object word, bint listed) except -1:
        """The figures of ``word``: codes given to its plain form, skeleton and sound when
        ``listed``, looked up (-1 when no listed word has them) when a query's. A listed
        word's letters and groups are kept in the arena; a query word's are the caller's to
        free."""
        cdef str form = word.form
        cdef str skeleton = word.skeleton
        cdef str phonetic = word.phonetic
        cdef Py_ssize_t k
        cdef Py_UCS4 ch
        groups = sorted(word.groups)
        if listed:
            f.plain = self._plains.setdefault(word.plain, len(self._plains))
            f.skeleton = self._skeletons.setdefault(skeleton, len(self._skeletons))
            f.phonetic = self._phonetics.setdefault(phonetic, len(self._phonetics))
        else:
            f.plain = self._plains.get(word.plain, -1)
            f.skeleton = self._skeletons.get(skeleton, -1)
            f.phonetic = self._phonetics.get(phonetic, -1)
        f.skeleton_len = len(skeleton)
        f.phonetic_len = len(phonetic)
        f.form_len = len(form)
        f.groups_len = len(groups)
        f.role = word.role
        f.abjad = word.script == _ABJAD
        if listed:
            f.form = <uint32_t *>self._arena.take((f.form_len + 1) * sizeof(uint32_t))
            f.skeleton_letters = <uint32_t *>self._arena.take(
                (f.skeleton_len + 1) * sizeof(uint32_t)
            )
            f.groups = <int32_t *>self._arena.take((f.groups_len + 1) * sizeof(int32_t))
        else:
            f.form = <uint32_t *>malloc((f.form_len + 1) * sizeof(uint32_t))
            f.skeleton_letters = <uint32_t *>malloc((f.skeleton_len + 1) * sizeof(uint32_t))
            f.groups = <int32_t *>malloc((f.groups_len + 1) * sizeof(int32_t))
            if f.form == NULL or f.skeleton_letters == NULL or f.groups == NULL:
                raise MemoryError()
        for k in range(f.form_len):
            ch = form[k]
            f.form[k] = ch
        for k in range(f.skeleton_len):
            ch = skeleton[k]
            f.skeleton_letters[k] = ch
        for k in range(f.groups_len):
            f.groups[k] = groups[k]
        return 0

    cdef int _learn(self, Py_ssize_t w) except -1:
        cdef Feat f
        word = self._words[w]
        self._fill(&f, word, True)
        # One struct copy, then the flag: another thread reads the word whole or not at all.
        self._feats[w] = f
        self._known[w] = 1
        return 0

    cdef Name *_name(self, Py_ssize_t n) except NULL:
        """The listed name ``n``, learnt on first sight (prepared.Prepared's work, in C)."""
        cdef Name *name = self._names[n]
        cdef Name made
        cdef Py_ssize_t start, k, w, i
        cdef int32_t role
        cdef bint person
        cdef Feat *f
        if name != NULL:
            return name
        if n < 0 or n >= self._count:
            raise IndexError(f"name {n} is not in the index")
        start = self._name_start[n]
        made.length = self._name_start[n + 1] - start
        schema = self._entities[self._name_entity[n]].schema
        # An organisation's common words weigh little, a person's are names.
        person = schema == "Person"
        made.words = <int32_t *>self._arena.take((made.length + 1) * sizeof(int32_t))
        made.weights = <double *>self._arena.take((made.length + 1) * sizeof(double))
        made.total = 0.0
        for k in range(made.length):
            w = self._name_words[start + k]
            if not self._known[w]:
                self._learn(w)
            made.words[k] = <int32_t>w
            role = self._feats[w].role
            if person and role == _ORG_WORD:
                role = _NAME
            # The word's rarity on the lists, as the index keeps it.
            made.weights[k] = <double>self._idf[w] * ROLE_WEIGHT[role]
            made.total += made.weights[k]
        # Its words, every two words, and three around a particle (vocabulary.compound_spans).
        made.pieces = <Piece *>self._arena.take((3 * made.length + 1) * sizeof(Piece))
        made.pieces_len = 0
        for k in range(made.length):
            f = &self._feats[made.words[k]]
            if f.skeleton_len >= MIN_PIECE_SKELETON:
                made.pieces[made.pieces_len] = Piece(
                    <int32_t>k, <int32_t>k, f.skeleton, f.form_len, f.abjad, f.form
                )
                made.pieces_len += 1
        for i in range(made.length - 1):
            self._compound(&made, i, i + 1)
            if i + 2 < made.length and self._feats[made.words[i + 1]].role == _PARTICLE:
                self._compound(&made, i, i + 2)
        name = <Name *>self._arena.take(sizeof(Name))
        name[0] = made
        # Set once whole: another thread reads the name whole or not at all.
        self._names[n] = name
        return name

    cdef int _compound(self, Name *name, Py_ssize_t first, Py_ssize_t last) except -1:
        """The compound of the name's words ``first`` to ``last``, one of its pieces if its
        skeleton is long enough: their forms joined, the skeleton of that, the first word's
        script unless all are Latin (vocabulary.joined_word)."""
        cdef Py_ssize_t n = 0, k, c, length
        cdef Feat *f
        cdef uint32_t *form
        cdef char *letters
        cdef bint ascii = True
        for k in range(first, last + 1):
            n += self._feats[name.words[k]].form_len
        form = <uint32_t *>self._arena.take((n + 1) * sizeof(uint32_t))
        n = 0
        for k in range(first, last + 1):
            f = &self._feats[name.words[k]]
            for c in range(f.form_len):
                form[n] = f.form[c]
                ascii = ascii and f.form[c] < 128
                n += 1
        if ascii:
            letters = <char *>malloc(2 * n + 2)
            if letters == NULL:
                raise MemoryError()
            try:
                for c in range(n):
                    letters[c] = <char>form[c]
                length = _skeleton_of(letters, n, letters + n + 1)
                skeleton = PyUnicode_DecodeASCII(letters, length, NULL)
            finally:
                free(letters)
        else:
            # Latin forms are ASCII (text.latin); anything else is left to text.skeleton.
            skeleton = _skeleton("".join([chr(form[c]) for c in range(n)]))
            length = len(skeleton)
        if length < MIN_PIECE_SKELETON:
            return 0
        name.pieces[name.pieces_len] = Piece(
            <int32_t>first,
            <int32_t>last,
            self._skeletons.setdefault(skeleton, len(self._skeletons)),
            <int32_t>n,
            self._feats[name.words[first]].abjad,
            form,
        )
        name.pieces_len += 1
        return 0

    cdef object _acronyms(self, Py_ssize_t n, Name *name):
        """The acronyms of the listed name ``n`` (acronyms.of_party), kept."""
        found = self._name_acronyms.get(n)
        if found is None:
            found = self._name_acronyms[n] = _of_party(
                [self._words[name.words[k]] for k in range(name.length)],
                self._entities[self._name_entity[n]].schema,
            )
        return found

    cdef int _similar(
        self,
        Feat *a,
        Pattern *p,
        Pattern *bones_of_a,
        Feat *b,
        Memo *out,
    ) except -1:
        """scoring.word_similarity of two different words, its reason, and their spelling
        similarity (computed whenever the words are compared by spelling)."""
        cdef Feat *longer
        cdef Feat *first
        cdef double spelling, best, similar
        cdef int why, bones, enough, distance, longest, shorter
        cdef bint abjad, related
        out.spelling = 0.0
        if a.role == _INITIAL or b.role == _INITIAL:
            longer = b if a.role == _INITIAL else a
            first = a if a.role == _INITIAL else b
            shorter = longer.form_len if longer.form_len < 1 else 1
            if shorter == first.form_len and (shorter == 0 or longer.form[0] == first.form[0]):
                out.similarity, out.reason = INITIAL_MATCH, R_INITIAL
            else:
                out.similarity, out.reason = 0.0, R_NONE
            return 0
        if (
            a.form_len == b.form_len
            and a.form_len > 0
            and memcmp(a.form, b.form, a.form_len * sizeof(uint32_t)) == 0
        ):
            out.similarity, out.reason = 1.0, R_SAME
            out.spelling = 1.0
            return 0
        longest = a.form_len if a.form_len > b.form_len else b.form_len
        distance = _osa(p, a.form, a.form_len, b.form, b.form_len)
        spelling = _norm(distance, longest)
        out.spelling = spelling
        if a.plain == b.plain and SAME_PLAIN > spelling:
            spelling = SAME_PLAIN
        abjad = a.abjad or b.abjad
        related = abjad or spelling >= MIN_RELATED_SPELLING
        best, why = spelling, R_SPELLING
        if related and best < SAME_GROUP and _shares_group(a, b):
            best, why = SAME_GROUP, R_GROUP
        bones = a.skeleton_len if a.skeleton_len < b.skeleton_len else b.skeleton_len
        enough = 2 if abjad else 3
        if bones >= enough and a.skeleton == b.skeleton and related and best < SAME_SKELETON:
            best, why = SAME_SKELETON, R_SKELETON
        if a.phonetic_len >= 3 and a.phonetic == b.phonetic and related and best < SAME_SOUND:
            best, why = SAME_SOUND, R_SOUND
        if abjad and bones >= 3:
            longest = a.skeleton_len if a.skeleton_len > b.skeleton_len else b.skeleton_len
            distance = _osa(
                bones_of_a, a.skeleton_letters, a.skeleton_len, b.skeleton_letters, b.skeleton_len
            )
            similar = 0.9 * _norm(distance, longest)
            if similar > best:
                best, why = similar, R_ABJAD
        if best < MIN_WORD_SIMILARITY:
            best, why = 0.0, R_NONE
        out.similarity, out.reason = best, why
        return 0

    def scores(self, asked, list names):
        """The scores of :func:`~qalxan.screening.scoring.pair_many` of ``asked`` (a
        :class:`~qalxan.screening.scoring.Named` of 1 to 64 words) with each of the listed
        names ``names`` (ids in the index), its word pairs found here rather than by
        :meth:`~qalxan.screening.similarity.WordFeatures.pairs`."""
        return self._run(asked, names, False)

    def spans(self, asked, Py_ssize_t name):
        """The pairs behind the score of ``asked`` and the listed name ``name`` (what
        :func:`~qalxan.screening.scoring.pair_many` gives besides the score)."""
        return self._run(asked, [name], True)[0]

    cdef list _run(self, object asked, list names, bint spans_only):
        cdef list words = asked.words
        cdef list compounds = asked.compounds
        cdef Py_ssize_t nq = len(words), nu = nq + len(compounds), nn = len(names)
        cdef Py_ssize_t total = 0, most = 0, k, j, w, i, n, slots = 0, size, at, c, count
        cdef Units q
        cdef Name **found = NULL
        cdef Name *name
        cdef int32_t *table = NULL
        cdef int32_t *owner = NULL
        cdef Memo *memo = NULL
        cdef Pair *pairs = NULL
        cdef Memo *m
        cdef bint lone = asked.lone, initials = asked.initials
        cdef unsigned int mask
        cdef list result = []
        if nq == 0 or nq > WIDE:
            raise ValueError(f"a query of 1 to {WIDE} words, not {nq}")
        try:
            found = <Name **>malloc((nn + 1) * sizeof(Name *))
            if found == NULL:
                raise MemoryError()
            for k in range(nn):
                n = names[k]
                name = self._name(n)
                found[k] = name
                total += name.length
                if name.length > most:
                    most = name.length
            # After the listed names: a query word's codes are those of the listed words and
            # compounds like it.
            q = self._units(asked, nq, nu)
            # Each listed word once per query: an open-addressed table of word ids to slots.
            size = 16
            while size < 2 * total + 2:
                size *= 2
            mask = <unsigned int>(size - 1)
            table = <int32_t *>malloc(size * sizeof(int32_t))
            owner = <int32_t *>malloc(size * sizeof(int32_t))
            memo = <Memo *>malloc((total + 1) * nq * sizeof(Memo))
            # Single pairs, compound pairs (each unit with at most each piece of a name: the
            # name's words and the runs of two and three) and acronym pairs, grown if need be.
            q.room = most * nu * 3 + 16
            pairs = <Pair *>malloc(q.room * sizeof(Pair))
            if table == NULL or owner == NULL or memo == NULL or pairs == NULL:
                raise MemoryError()
            memset(table, 0xFF, size * sizeof(int32_t))
            for k in range(nn):
                name = found[k]
                count = 0
                for j in range(name.length):
                    w = name.words[j]
                    at = <Py_ssize_t>((<uint64_t>w * SPREAD) & mask)
                    while table[at] != -1 and table[at] != w:
                        at = (at + 1) & mask
                    if table[at] == -1:
                        table[at] = <int32_t>w
                        owner[at] = <int32_t>slots
                        for i in range(nq):
                            m = &memo[slots * nq + i]
                            if q.ids[i] == w:
                                m.similarity, m.reason, m.spelling = 1.0, R_SAME, 1.0
                                continue
                            self._similar(
                                &q.feats[i],
                                &q.patterns[i],
                                &q.skeleton_patterns[i],
                                &self._feats[w],
                                m,
                            )
                            # scoring.counted: how much the likeness counts in this query.
                            if m.reason == R_INITIAL and not initials:
                                m.similarity, m.reason = 0.0, R_NONE
                            elif lone and KINDRED[m.reason] and not self._feats[w].abjad:
                                if m.spelling < m.similarity:
                                    m.similarity = m.spelling
                                if m.similarity < MIN_WORD_SIMILARITY:
                                    m.similarity, m.reason = 0.0, R_NONE
                        slots += 1
                    c = owner[at]
                    for i in range(nq):
                        m = &memo[c * nq + i]
                        if m.similarity > 0:
                            pairs[count] = Pair(m.similarity, 1, i, i, j, j, m.reason)
                            count += 1
                if name.length > WIDE:
                    scored = _pair_up(
                        asked,
                        self._listed(names[k]),
                        [_candidate(&pairs[c]) for c in range(count)],
                    )
                    result.append(scored[1] if spans_only else scored[0])
                    continue
                listed = (
                    self._acronyms(names[k], name)
                    if q.acronyms is not _NO_ACRONYMS
                    else _NO_ACRONYMS
                )
                count = _compound_pairs(q, name, listed, &pairs, count)
                result.append(_paired(q, name, pairs, count, spans_only))
        finally:
            free(found)
            free(table)
            free(owner)
            free(memo)
            free(pairs)
        return result

    cdef Units _units(self, object asked, Py_ssize_t nq, Py_ssize_t nu):
        """The query's words and compounds (scoring.Named.units) as C structs."""
        cdef Units q = Units(nq, nu)
        cdef list words = asked.words
        cdef list weights = asked.weights
        cdef Py_ssize_t u
        for u in range(nu):
            if u < nq:
                word = words[u]
                q.first[u] = q.last[u] = <int32_t>u
                q.ids[u] = self._ids.get(word.written, -1)
                q.weights[u] = weights[u]
                q.named[u] = word.role == _NAME
            else:
                first, last, word = asked.compounds[u - nq]
                q.first[u] = first
                q.last[u] = last
            self._fill(&q.feats[u], word, False)
            _pattern(&q.patterns[u], q.feats[u].form, q.feats[u].form_len)
            _pattern(
                &q.skeleton_patterns[u], q.feats[u].skeleton_letters, q.feats[u].skeleton_len
            )
        q.acronyms = asked.acronyms
        q.total = asked.total
        return q


def spelling_similarity(str a, str b):
    """:func:`~qalxan.screening.scoring.spelling_similarity` as this module works it out
    (the tests hold it to rapidfuzz's)."""
    cdef Py_ssize_t n1 = len(a), n2 = len(b), k
    cdef uint32_t *x = <uint32_t *>malloc((n1 + 1) * sizeof(uint32_t))
    cdef uint32_t *y = <uint32_t *>malloc((n2 + 1) * sizeof(uint32_t))
    cdef Pattern p
    cdef int distance
    try:
        if x == NULL or y == NULL:
            raise MemoryError()
        for k in range(n1):
            x[k] = a[k]
        for k in range(n2):
            y[k] = b[k]
        _pattern(&p, x, <int>n1)
        distance = _osa(&p, x, <int>n1, y, <int>n2)
        return _norm(distance, <int>(n1 if n1 > n2 else n2))
    finally:
        free(x)
        free(y)


def skeleton(str form):
    """:func:`~qalxan.screening.text.skeleton` of an ASCII ``form``, as this module works out
    a listed compound's (the tests hold it to text's)."""
    cdef bytes data = form.encode("ascii")
    cdef Py_ssize_t n = len(data), length
    cdef char *letters = <char *>malloc(2 * n + 2)
    if letters == NULL:
        raise MemoryError()
    try:
        memcpy(letters, <char *>data, n)
        length = _skeleton_of(letters, n, letters + n + 1)
        return PyUnicode_DecodeASCII(letters, length, NULL)
    finally:
        free(letters)


# The most words of a query this module pairs (its bit sets are 64 bits wide).
MAX_WORDS = WIDE
