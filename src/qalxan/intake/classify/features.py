"""What the trained model sees of a report, computed in one pass over its folded words:

- the words and word pairs of the text (numbers left out: dates say nothing of the type);
- the lexicon's cues matched in it (``cue:``), again for those matched in the first sentence,
  where a report states the event (``cue1:``);
- the rules' scores: each type's share of the matched cue weight and each ACLED event type's
  summed share.

So the model learns from data how far to trust each cue and the lexicon as a whole.

The terms are weighted by TF-IDF (sublinear term frequency) over the training texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from qalxan.intake.classify.evaluate import NONE, acled_label
from qalxan.intake.classify.lexicon import Cue
from qalxan.intake.classify.rules import RuleClassifier
from qalxan.intake.classify.text import sentence_words
from qalxan.intake.taxonomy import ACLED_EVENT_TYPES

GROUPS = (*ACLED_EVENT_TYPES, NONE)
Analysed = tuple[list[list[str]], np.ndarray]
Parts = tuple[sp.csr_matrix, np.ndarray]
CUE = "cue:"
NAME_LENGTH = 40
FIRST_CUE = "cue1:"


def terms(
    sentences: list[list[str]], weighted: dict[Cue, tuple[float, int, tuple[int, ...]]]
) -> list[str]:
    """The terms of a text given as the folded words of each sentence and its matched cues."""
    found: list[str] = []
    for tokens in sentences:
        kept = [token for token in tokens if not token.isdigit()]
        found.extend(kept)
        found.extend(f"{a} {b}" for a, b in pairwise(kept))
    for cue, (value, sentence, _) in weighted.items():
        if value > 0:
            found.append(f"{CUE}{cue.event_type} {cue.text}")
            if sentence == 0:
                found.append(f"{FIRST_CUE}{cue.event_type} {cue.text}")
    return found


def _name(term: str) -> str:
    for prefix, where in ((FIRST_CUE, " in the first sentence"), (CUE, "")):
        if term.startswith(prefix):
            code, _, phrase = term.removeprefix(prefix).partition(" ")
            if len(phrase) > NAME_LENGTH:
                phrase = phrase[: NAME_LENGTH - 1] + "…"
            return f"cue '{phrase}' ({code}){where}"
    return f"'{term}'"


def _as_is(terms: list[str]) -> list[str]:
    return terms


class Features:
    """Turns texts into the model's feature matrix; fitted on the training texts."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        self.vectorizer = TfidfVectorizer(
            analyzer=_as_is, sublinear_tf=True, min_df=2, dtype=np.float32
        )

    def analyse(self, texts: Sequence[str]) -> Analysed:
        """Each text's terms, and the matrix of rule scores."""
        rules = RuleClassifier()
        column, group = self._columns
        matrix = np.zeros((len(texts), len(self.codes) + len(GROUPS)), dtype=np.float32)
        all_terms = []
        for row, text in enumerate(texts):
            sentences = sentence_words(text)
            weighted = rules.weighted_cues(sentences)
            all_terms.append(terms(sentences, weighted))
            scores = rules.scores_of(weighted)
            total = sum(scores.values())
            for code, value in scores.items():
                share = value / total
                matrix[row, column[code]] = share
                matrix[row, group[code]] += share
        return all_terms, matrix

    def fit_transform(self, analysed: Analysed) -> sp.csr_matrix:
        """Fit the vocabulary on :meth:`analyse` of the training texts; their matrix."""
        found, rules = analysed
        return sp.hstack([self.vectorizer.fit_transform(found), rules], format="csr")

    def parts(self, texts: Sequence[str]) -> Parts:
        """The matrix of ``texts`` in two parts: terms (sparse) and rule scores (dense); the
        columns of :meth:`names` are the terms' and then the rules'."""
        return self.parts_of(self.analyse(texts))

    def parts_of(self, analysed: Analysed) -> Parts:
        """:meth:`parts` of texts already passed through :meth:`analyse`."""
        found, rules = analysed
        return self._tfidf(found), rules

    def _tfidf(self, documents: list[list[str]]) -> sp.csr_matrix:
        """What the fitted vectorizer's ``transform`` answers (sublinear term frequency times
        IDF, rows of unit length), several times faster: the terms are already made."""
        vocabulary = self.vectorizer.vocabulary_
        columns: list[int] = []
        lengths: list[int] = []
        for terms_of in documents:
            found = [j for j in map(vocabulary.get, terms_of) if j is not None]
            columns.extend(found)
            lengths.append(len(found))
        rows = np.repeat(np.arange(len(documents), dtype=np.int32), lengths)
        ones = np.ones(len(columns), dtype=np.float32)
        shape = (len(documents), len(vocabulary))
        matrix = sp.csr_matrix((ones, (rows, np.asarray(columns, dtype=np.int32))), shape=shape)
        values = (1 + np.log(matrix.data)) * self._idf[matrix.indices]
        row_of = np.repeat(np.arange(len(documents)), np.diff(matrix.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=len(documents)))
        matrix.data = (values / norms[row_of]).astype(np.float32)
        return matrix

    @cached_property
    def _columns(self) -> tuple[dict[str, int], dict[str, int]]:
        """The rule score columns: each type's, and its ACLED event type's."""
        column = {code: index for index, code in enumerate(self.codes)}
        group = {code: len(self.codes) + GROUPS.index(acled_label(code)) for code in self.codes}
        return column, group

    @cached_property
    def _idf(self) -> np.ndarray:
        idf: np.ndarray = self.vectorizer.idf_.astype(np.float32)
        return idf

    def names(self) -> list[str]:
        """A readable name for every column."""
        return [
            *(_name(term) for term in self.vectorizer.get_feature_names_out()),
            *(f"rules: {code}" for code in self.codes),
            *(f"rules: {group}" for group in GROUPS),
        ]
