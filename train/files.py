"""Atomic file output, for checkpoints, logs and exported models alike: write a temporary file beside the target,
then rename it into place, so a crash never leaves a half-written file where a good one (or nothing) was.

The temporary is `.ember-<host>-<pid>-<random>.tmp`. A writer killed before its rename (kill -9, the OOM killer,
a power cut) leaves one behind; the next write into that folder removes it once it is provably stale: its writer
was on this host and that process is gone, or nobody has touched it for a day (a writer on another host sharing
the folder, or a reused pid). A temporary of a live writer is never touched. The file is created with mode 0o666,
so the kernel applies the umask as for any ordinary `open(path, "w")`."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import time
from collections.abc import Iterable

_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]
_OURS = re.compile(r"\.ember-(?:(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[0-9a-f]+|[a-z0-9_]{8})\.tmp")
_ABANDONED_S = 24 * 3600  # also covers temporaries of the old mkstemp naming (`.ember-XXXXXXXX.tmp`)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, as another user's process
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike) -> list[str]:
    """Delete the temporaries that killed writers left in `folder`; returns the paths removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = _OURS.fullmatch(entry.name)
        if match is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            dead_writer = match["host"] == _HOST and not _alive(int(match["pid"]))
            if dead_writer or now - entry.stat(follow_symlinks=False).st_mtime > _ABANDONED_S:
                os.unlink(entry.path)
                removed.append(entry.path)
        except OSError:  # another writer cleaned it first, or the folder is read-only: nothing to do
            continue
    return removed


def create_temporary(folder: str | os.PathLike) -> tuple[int, str]:
    """A new temporary file in `folder` (after removing stale ones), open for writing: (descriptor, path). The
    caller renames it into place or deletes it."""
    folder = os.fspath(folder)
    remove_stale_temporaries(folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, f".ember-{_HOST}-{os.getpid()}-{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp  # mode 0o666: the umask applies, as for open(path, "w")
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def write_atomically(path: str | os.PathLike, data: bytes | Iterable[bytes | memoryview]) -> None:
    """Write `data` (bytes, or an iterable of byte buffers written in order) to `path` atomically."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = create_temporary(folder)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in [data] if isinstance(data, (bytes, bytearray, memoryview)) else data:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
