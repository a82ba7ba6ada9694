"""Writing a file so that a failure never leaves it half-written.

The new content goes to a temporary file in the target's folder, is flushed to disk, takes the
old file's permissions and then replaces the target in one `os.replace`. On any failure the
temporary file is removed and the target is untouched; an OSError becomes one FileFormatError
naming the target.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from vsm.errors import FileFormatError


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to `path`; write the whole file there inside the block.

    For libraries that save to a path (openpyxl). When the block ends without error the file is
    flushed to disk and moved onto `path`.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temporary
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise FileFormatError(path, f"cannot be written: {error.strerror or error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_file(path: str | Path, mode: str = "wb", **open_args: Any) -> Iterator[IO[Any]]:
    """Yield a new file open for writing (`mode`, e.g. "w" with encoding=...); it replaces
    `path` when the block ends without error. New files get the umask's permissions."""
    with atomic_path(path) as temporary:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(descriptor, mode, **open_args) as file:
            yield file


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (following links; by name if either is missing)."""
    try:
        return a.samefile(b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
