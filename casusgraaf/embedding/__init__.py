"""Dense embeddings (sentence-transformers, CPU, offline): the e5 model built at setup (``build``) and the
process-wide :class:`Embedder` (fp32, or int8 by ``CASUSGRAAF_EMBEDDING_BACKEND``). Used by nlp (knelpunt
classifier), ingest (case vectors) and search (queries)."""

from casusgraaf.embedding.embedder import (
    BACKENDS,
    MISSING_MODEL,
    Embedder,
    ModelMissingError,
    backend_model_id,
    get_embedder,
)

__all__ = ["BACKENDS", "MISSING_MODEL", "Embedder", "ModelMissingError", "backend_model_id", "get_embedder"]
