"""Warm start: load the privacy gate (deduce), the embedder and the search engine in a background thread at
server start, so the first search is not the one that pays for them. ``/api/health`` reports ``warming``
until it is done; a search that arrives meanwhile waits (the thread holds the engine lock until ready)."""

from __future__ import annotations

import logging
import threading
import time

from casusgraaf.errors import CasusgraafError

log = logging.getLogger(__name__)

# Invented, free of personal data, different from any query a user types (the engine caches query probes).
WARM_TEXT = ("Opwarmen: een gezin met schulden en een zorgvraag viel tussen de Participatiewet en de Wmo 2015; "
             "de gemeente en het UWV zochten samen naar maatwerk.")


class Warmup:
    """One warm-up per app. ``state`` is the app's ``state`` (store, settings, engine, engine_lock)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.seconds: dict[str, float] = {}
        self.error: str | None = None
        self._stop = threading.Event()

    @property
    def status(self) -> str:
        return "ok" if self.done.is_set() else "warming"

    def start(self, state) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(state,), name="casusgraaf-warm", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Ask the thread to stop after the step it is in (a model load cannot be interrupted)."""
        self._stop.set()

    def run(self, state) -> None:
        from casusgraaf.embedding import get_embedder
        from casusgraaf.privacy import get_gate
        from casusgraaf.services.search import Query, SearchEngine

        settings = state.settings
        try:
            with state.engine_lock:  # searches wait here until the engine is warm
                steps = [
                    ("privacy", lambda: get_gate(redact=settings.privacy_hard == "redact").check(WARM_TEXT)),
                    ("embedder", lambda: get_embedder(settings)),
                    ("engine", lambda: setattr(state, "engine", state.engine or SearchEngine(state.store, settings))),
                    ("search", lambda: state.engine.similar(Query(text=WARM_TEXT, k=3))),
                ]
                for name, step in steps:
                    if self._stop.is_set():
                        return
                    t0 = time.perf_counter()
                    step()
                    self.seconds[name] = round(time.perf_counter() - t0, 2)
            log.info("opgewarmd in %.1f s (%s)", sum(self.seconds.values()), self.seconds)
        except CasusgraafError as exc:  # a missing model: searches report it themselves (503)
            self.error = str(exc)
            log.warning("opwarmen onvolledig: %s", exc)
        except Exception as exc:  # noqa: BLE001 - never take the server down; name the type only
            self.error = type(exc).__name__
            log.warning("opwarmen onvolledig (%s)", type(exc).__name__)
        finally:
            self.done.set()
