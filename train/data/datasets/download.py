"""Fetching data set files: download on request into a root folder, verify checksums, keep them as a cache.
Offline, the error names every URL tried, why each failed, and where to put the files by hand."""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from ...files import create_temporary


@dataclass(frozen=True)
class Resource:
    """One file of a data set: its name, the digest of its bytes ("md5:..." or "sha256:...")."""

    filename: str
    checksum: str


def file_digest(path: str, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: str, checksum: str) -> bool:
    """True when `path` exists and its digest is `checksum` ("md5:<hex>" or "sha256:<hex>")."""
    algorithm, _, expected = checksum.partition(":")
    if algorithm not in ("md5", "sha256") or not expected:
        raise ValueError(f"checksum {checksum!r} must be 'md5:<hex>' or 'sha256:<hex>'")
    return os.path.isfile(path) and file_digest(path, algorithm) == expected.lower()


class DownloadError(RuntimeError):
    """A data set file could not be fetched or failed its checksum; the message says how to provide it."""


def fetch(resource: Resource, folder: str, mirrors: Sequence[str], dataset: str, timeout: float = 60.0) -> str:
    """The path of `resource` in `folder`: the cached file when its checksum matches, else a fresh download from
    the first mirror that serves the right bytes (written to a temporary file, verified, then renamed)."""
    path = os.path.join(folder, resource.filename)
    if verify(path, resource.checksum):
        return path
    os.makedirs(folder, exist_ok=True)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + resource.filename
        fd, tmp = create_temporary(folder)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                shutil.copyfileobj(response, out, 1 << 20)
            if not verify(tmp, resource.checksum):
                algorithm = resource.checksum.partition(":")[0]
                failures.append(f"{url}: wrong {algorithm} {file_digest(tmp, algorithm)}, expected "
                                f"{resource.checksum.partition(':')[2]} (damaged or changed file)")
                continue
            os.replace(tmp, path)
            return path
        except (urllib.error.URLError, OSError, ValueError) as e:
            failures.append(f"{url}: {getattr(e, 'reason', None) or e}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    raise DownloadError(
        f"{dataset}: could not download {resource.filename}:\n  " + "\n  ".join(failures)
        + f"\nWithout network access, download it elsewhere and put it in {os.path.abspath(folder)}/ "
        f"(its {resource.checksum.partition(':')[0]} must be {resource.checksum.partition(':')[2]})."
    )


def require(resources: Sequence[Resource], folder: str, mirrors: Sequence[str], dataset: str,
            download: bool) -> list[str]:
    """Paths of all `resources` in `folder`, downloading missing or damaged ones when `download` is True."""
    if download:
        return [fetch(r, folder, mirrors, dataset) for r in resources]
    missing = [r for r in resources if not verify(os.path.join(folder, r.filename), r.checksum)]
    if missing:
        names = ", ".join(r.filename for r in missing)
        raise DownloadError(
            f"{dataset}: {names} not found (or damaged) in {os.path.abspath(folder)}/: pass download=True to "
            f"fetch them from {mirrors[0] if mirrors else 'the mirror'}, or put the files there by hand"
        )
    return [os.path.join(folder, r.filename) for r in resources]
