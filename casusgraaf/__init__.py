"""casusgraaf: knowledge graph and similar-case search over anonymised casuïstiek.

The public surface is deliberately small; everything not listed here is private.
"""

import os

# torch's OpenMP threads spin while waiting; on a busy 2-core machine (a server embedding a query while
# an ingest runs) that made one e5 forward pass 15x slower (2.1 s vs 0.15 s). Passive waiting avoids it.
# Must be set before torch is imported, hence here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from casusgraaf.config import Settings, get_settings  # noqa: E402
from casusgraaf.models.records import CaseRecord  # noqa: E402

__version__ = "0.1.0"
__all__ = ["CaseRecord", "Settings", "get_settings", "__version__"]
