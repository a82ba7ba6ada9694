"""Writing files so that a failure never leaves one half-written: the one atomic writer.

Every file the application writes (.vsm documents, vsm-json, step tables, decks, pictures, the
plan CSV, working copies) goes through `atomic_paths`: the new content goes to a temporary file in
the target's folder, is flushed to disk and takes the old file's permissions; only when every
file of the write is complete are they moved onto their targets with `os.replace`, and the folder
is flushed so the rename survives a power cut. A symbolic link at a target is followed: the file
it points to is replaced, the link stays. A read-only file or a folder in the way is refused
before anything is written. On any failure the temporary files are removed, the targets are as
they were and an OSError becomes one FileFormatError naming the target.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from vsm.errors import FileFormatError


def cannot_be_written(error: OSError) -> str:
    """The default reason for a failed write: "cannot be written: <the system's words>"."""
    return f"cannot be written: {error.strerror or error}"


@contextmanager
def atomic_paths(paths: Sequence[str | Path], *, permissions: int = 0o666,
                 reason: Callable[[OSError], str] = cannot_be_written) -> Iterator[list[Path]]:
    """Yield one new, empty temporary path per target; write each whole file there inside the
    block. When the block ends without error they replace their targets (see the module).

    `permissions` are those of a new file before the umask (0o600 for private files); a replaced
    file keeps its own. `reason` turns an OSError into the sentence of the FileFormatError.
    """
    shown = [Path(path) for path in paths]
    targets = [Path(os.path.realpath(path)) for path in shown]
    for path, target in zip(shown, targets):
        if target.is_dir():
            raise FileFormatError(path, "cannot write here: a folder has that name")
        if target.exists() and not os.access(target, os.W_OK):
            raise FileFormatError(path, "cannot write here: the file is read-only")
    temporaries: list[Path] = []
    current = shown[0] if shown else Path()
    try:
        for index, target in enumerate(targets):
            current = shown[index]  # named by the error if this fails
            temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, permissions))
            temporaries.append(temporary)
        yield list(temporaries)
        for index, temporary in enumerate(temporaries):
            current = shown[index]
            _flush(temporary)
            _keep_permissions(targets[index], temporary)
        for index, temporary in enumerate(temporaries):
            current = shown[index]
            os.replace(temporary, targets[index])
    except OSError as error:
        _remove(temporaries)
        raise FileFormatError(current, reason(error)) from None
    except BaseException:
        _remove(temporaries)
        raise
    for folder in {target.parent for target in targets}:
        _flush(folder, directory=True)


@contextmanager
def atomic_path(path: str | Path, **options: Any) -> Iterator[Path]:
    """`atomic_paths` for one file: for libraries that save to a path (openpyxl, SQLite)."""
    with atomic_paths([path], **options) as (temporary,):
        yield temporary


@contextmanager
def atomic_file(path: str | Path, mode: str = "wb", *, permissions: int = 0o666,
                reason: Callable[[OSError], str] = cannot_be_written,
                **open_args: Any) -> Iterator[IO[Any]]:
    """`atomic_path` with the temporary file open for writing (`mode`, e.g. "w" with
    encoding=...); it replaces `path` when the block ends without error."""
    with atomic_path(path, permissions=permissions, reason=reason) as temporary, \
            open(temporary, mode, **open_args) as file:
        yield file


def write_atomically(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files all or nothing (the pictures of several maps, say)."""
    with atomic_paths([path for path, _ in files]) as temporaries:
        for temporary, (_, data) in zip(temporaries, files):
            temporary.write_bytes(data)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (following links; by name if either is missing)."""
    try:
        return a.samefile(b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _flush(path: Path, directory: bool = False) -> None:
    """Flush a file, or where the system allows it a folder, to the disk."""
    if directory and os.name == "nt":
        return  # folders cannot be opened for fsync on Windows
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        if directory:
            return
        raise
    try:
        os.fsync(descriptor)
    except OSError:
        if not directory:
            raise  # some file systems refuse to flush folders; files must succeed
    finally:
        os.close(descriptor)


def _keep_permissions(target: Path, temporary: Path) -> None:
    """The replaced file's permissions on its replacement (a courtesy, not a requirement)."""
    try:
        if target.exists():
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
    except OSError:
        pass


def _remove(temporaries: list[Path]) -> None:
    """Remove the temporary files (and the journal SQLite may have left beside one)."""
    for temporary in temporaries:
        for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
