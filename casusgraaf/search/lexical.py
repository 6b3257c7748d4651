"""Lexical signal: character n-gram TF-IDF (char_wb, 3–5).

Chosen by measurement (shared/research/embeddings.md): on Dutch paraphrases char n-grams found the
reworded twin first far more often than word TF-IDF or BM25 (P@1 0.54 vs 0.13–0.21), because they match
inflections and compound parts ("bijstandsuitkering" ~ "bijstand"). The evaluation in docs/QUALITY.md
re-measures this on our own labelled set.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

FORMAT = 1


class LexicalIndex:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.hashes: dict[str, str] = {}
        self._pos: dict[str, int] = {}
        self.vectorizer: TfidfVectorizer | None = None
        self.matrix = None

    def __len__(self) -> int:
        return len(self.ids)

    def build(self, ids: list[str], texts: list[str], hashes: dict[str, str] | None = None) -> LexicalIndex:
        self.ids = list(ids)
        self.hashes = dict(hashes or {})
        self._pos = {cid: i for i, cid in enumerate(self.ids)}
        if not self.ids:
            self.vectorizer, self.matrix = None, None
            return self
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True,
                                          sublinear_tf=True, min_df=1, max_features=400_000, dtype=np.float32)
        self.matrix = self.vectorizer.fit_transform(texts)
        return self

    def vector(self, text: str):
        return self.vectorizer.transform([text]) if self.vectorizer is not None else None

    def row(self, case_id: str):
        i = self._pos.get(case_id)
        return None if i is None or self.matrix is None else self.matrix[i]

    def scores(self, query_vec, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity of the query against every indexed case, or only ``rows`` (rows are
        L2-normalised). The query is densified first: a CSR mat-vec with a dense vector measured 6.5x
        faster than sparse @ sparse at 10k cases (bench/bench_search.py)."""
        if query_vec is None or self.matrix is None:
            return np.zeros(len(self.ids) if rows is None else len(rows), dtype=np.float32)
        q = np.asarray(query_vec.toarray(), dtype=np.float32).ravel()
        matrix = self.matrix if rows is None else self.matrix[rows]
        return np.asarray(matrix @ q, dtype=np.float32).ravel()

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / "lexical.pkl.tmp"
        with tmp.open("wb") as fh:
            pickle.dump({"format": FORMAT, "ids": self.ids, "hashes": self.hashes,
                         "vectorizer": self.vectorizer, "matrix": self.matrix}, fh, protocol=5)
        tmp.replace(directory / "lexical.pkl")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        path = directory / "lexical.pkl"
        if not path.exists():
            return None
        with path.open("rb") as fh:
            data = pickle.load(fh)  # noqa: S301 - our own derived file in the private data dir
        if data.get("format") != FORMAT:
            return None
        idx = cls()
        idx.ids, idx.hashes = data["ids"], data["hashes"]
        idx._pos = {cid: i for i, cid in enumerate(idx.ids)}
        idx.vectorizer, idx.matrix = data["vectorizer"], data["matrix"]
        return idx
