"""The use cases, shared by the CLI and the API: each is a plain function over a store and settings.

* ``ingest``: ingest-and-index (files or records → graph → derived indexes), delete, reindex, quarantine release;
* ``search``: the privacy gate for free text, similar cases, keyword search, extraction;
* ``cases``: case lists and case detail;
* ``analysis``: read-only analyst Cypher with the engine-side time limit.

Routers and CLI commands parse input, call one of these and render the result; nothing here knows HTTP or
a terminal. Errors are :mod:`casusgraaf.errors` subclasses.
"""
