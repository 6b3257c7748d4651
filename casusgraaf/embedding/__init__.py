"""Dense embeddings (sentence-transformers, CPU, offline): the e5 model built at setup (``build``) and the
process-wide :class:`Embedder`. Used by nlp (knelpunt classifier), ingest (case vectors) and search (queries)."""

from casusgraaf.embedding.embedder import MISSING_MODEL, Embedder, ModelMissingError, get_embedder

__all__ = ["MISSING_MODEL", "Embedder", "ModelMissingError", "get_embedder"]
