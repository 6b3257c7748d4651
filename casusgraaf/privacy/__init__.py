"""The privacy gate and the quarantine: nothing the gate catches reaches the graph, an index, a log or a message.

``gate`` finds personal data (deduce plus our own checks, ``rules``) and decides pass, redact or
quarantine; ``quarantine`` keeps refused records aside (mode 0600) so nothing is lost.
"""

from casusgraaf.privacy.gate import (
    Finding,
    GateResult,
    PrivacyGate,
    advies,
    get_deduce,
    get_gate,
    load_policy,
    warm,
)

__all__ = ["Finding", "GateResult", "PrivacyGate", "advies", "get_deduce", "get_gate", "load_policy", "warm"]
