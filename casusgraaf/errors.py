"""One error hierarchy for CLI and API. Messages are for users (Dutch, with what to do) and never quote
case text or anything the privacy gate would catch.

CLI: a :class:`CasusgraafError` is a one-line message and exit 2. API: ``status`` is the HTTP code.
"""

from __future__ import annotations


class CasusgraafError(Exception):
    """Base of every error casusgraaf shows to a user."""

    status = 400


class ConfigError(CasusgraafError):
    """A setting (``CASUSGRAAF_*``) has an invalid value."""

    status = 500


class BadInput(CasusgraafError):
    """Input the user can fix (a file, a field, a query parameter)."""

    status = 422


class NotFound(CasusgraafError):
    """An id that does not exist."""

    status = 404


class Refused(CasusgraafError):
    """The privacy gate refused a text; the message names types and places, never the values."""

    status = 422


class Forbidden(CasusgraafError):
    """The action is not allowed through this door (e.g. a write through the read-only Cypher door)."""

    status = 403


class Unavailable(CasusgraafError):
    """A component (the graph, the model) cannot be reached or is not built."""

    status = 503
