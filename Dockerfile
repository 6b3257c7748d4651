# casusgraaf with Neo4j as graph store: see docker-compose.yml and docs/OPERATIONS.md (docker compose up).
# Without CASUSGRAAF_GRAPH_URI the image also runs on its own, with the embedded FalkorDB in /data.
FROM python:3.11-slim

# CPU-only torch wheels: the default PyPI torch wheel for Linux pulls in CUDA (several GB).
ARG PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_EXTRA_INDEX_URL=${PIP_EXTRA_INDEX_URL} \
    CASUSGRAAF_DATA_DIR=/data \
    CASUSGRAAF_CACHE_DIR=/cache

WORKDIR /app
COPY pyproject.toml README.md ./
COPY casusgraaf ./casusgraaf
# Build the embedding model and warm the privacy gate once, at image build time (no hub at run time).
# As root: deduce writes its cache into its own package folder.
RUN pip install . \
    && casusgraaf setup \
    && useradd --create-home --uid 10001 casusgraaf \
    && mkdir -p /data \
    && chown -R casusgraaf:casusgraaf /data /cache

USER 10001:10001

VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=12 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=5).status == 200 else 1)"]
CMD ["casusgraaf", "serve", "--host", "0.0.0.0", "--port", "8000"]
