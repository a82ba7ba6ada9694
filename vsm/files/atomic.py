"""Writing files so that a failure never leaves one half-written: the one atomic writer.

Every file the application writes (.vsm documents, vsm-json, step tables, decks, pictures, the
plan CSV, working copies) goes through `atomic_paths`, with one behaviour:

- The new content goes to a temporary file in the target's folder, is flushed to disk and takes
  the old file's permissions; only when every file of the write is complete are they moved onto
  their targets with `os.replace`, and the folder is flushed so the rename survives a power cut.
  On any failure the temporary files are removed, the targets are as they were and an OSError
  becomes one FileFormatError naming the target.
- A symbolic link at a target is followed: the file it points to is replaced, in its own folder,
  and the link stays. A link that leads nowhere (a loop) is refused.
- A read-only file is refused before anything is written ("the file is read-only"): one this
  user may not write, or one with no write permission for anyone (so a file someone marked
  read-only stays so even for an administrator). So are a folder and anything that is not a
  plain file (a device, a pipe) in the way.
- A temporary file is named `.<target name>.<pid>-<start>-<host>-<boot>-<random>.tmp`: the
  process that writes it, when that process started, a hash of the computer's name and the
  start of its boot id. A crash mid-write can leave one (and SQLite's `-journal` beside it);
  every write in a folder first removes those of processes that are surely gone: of this
  computer, and of an earlier boot, or whose process has ended or is now another program
  (vsm.files.locks decides, as for locks). Those of live processes and of other computers (a
  shared folder) are never touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from vsm.errors import FileFormatError
from vsm.files.locks import MAX_PID, Owner, this_process

READ_ONLY = "cannot write here: the file is read-only"
NAME_LIMIT = 255  # bytes in one file name (most file systems)
JOURNAL = "-journal"  # what SQLite adds to the name of a database it is writing
# .<target name>.<pid>-<start ticks>-<host hash>-<boot id prefix or 0>-<random>.tmp[-journal]
_TEMPORARY = re.compile(r"\.(\d{1,10})-(\d{1,20})-([0-9a-f]{8})-([0-9a-f]{8}|0)-[0-9a-f]{8}\.tmp"
                        r"(?:-journal)?\Z", re.ASCII)
# what versions before the pid was in the name left: .<target name>.<8 hex>.tmp[-journal]
_OLD_TEMPORARY = re.compile(r"\.(.+)\.[0-9a-f]{8}\.tmp(?:-journal)?", re.ASCII | re.DOTALL)
OLD_TEMPORARY_AGE = 24 * 3600.0  # seconds: no save ever took that long


def cannot_be_written(error: OSError) -> str:
    """The default reason for a failed write: "cannot be written: <the system's words>"."""
    return f"cannot be written: {error.strerror or error}"


def refusal(target: str | Path) -> str | None:
    """Why the file at `target` (links already followed) must not be replaced, or None.

    A read-only file: one this user may not write, or one no one may write (its permissions
    have no write bit, which an administrator could write anyway: it was marked read-only).
    A folder, a device, a pipe. A link that is still a link after following them all (a loop).
    """
    if os.path.islink(target):
        return "cannot write here: the link leads nowhere (a loop of links)"
    try:
        status = os.stat(target)
    except OSError:
        return None  # missing (created by the write), or the write reports why not
    if stat.S_ISDIR(status.st_mode):
        return "cannot write here: a folder has that name"
    if not stat.S_ISREG(status.st_mode):
        return "cannot write here: it is not a plain file (a device or a pipe)"
    if not _writable(target, status.st_mode):
        return READ_ONLY
    return None


def _writable(target: str | Path, mode: int) -> bool:
    """Whether this user may replace the file's content (the read-only check)."""
    if os.name != "nt" and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return False
    return os.access(target, os.W_OK)


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
        refused = refusal(target)
        if refused is not None:
            raise FileFormatError(path, refused)
    for folder in dict.fromkeys(target.parent for target in targets):
        remove_stale_temporaries(folder)
    temporaries: list[Path] = []
    current = shown[0] if shown else Path()
    try:
        for index, target in enumerate(targets):
            current = shown[index]  # named by the error if this fails
            temporary = target.with_name(temporary_name(target.name))
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


# ---------------------------------------------------------------- temporary files


def temporary_name(target_name: str) -> str:
    """A new temporary file name for a target of this name, in the target's folder: it names
    this process (see the module), and with SQLite's "-journal" still fits in a file name."""
    token = f".{_process_token()}-{secrets.token_hex(4)}.tmp"
    room = NAME_LIMIT - len(f".{token}{JOURNAL}".encode())
    name = target_name.encode("utf-8", "surrogateescape")
    if len(name) > room:  # cut on a character boundary
        target_name = name[:room].decode("utf-8", "ignore")
    return f".{target_name}{token}"


_TOKENS: dict[int, str] = {}  # pid -> its token (a forked child has its own)


def _process_token() -> str:
    """<pid>-<start ticks>-<host hash>-<boot id prefix or 0> of this process."""
    pid = os.getpid()
    if pid not in _TOKENS:
        me = this_process()
        boot = _boot_prefix(me.boot_id)
        _TOKENS[pid] = f"{pid}-{me.process_start or 0}-{_host_hash(me.host)}-{boot}"
    return _TOKENS[pid]


def _host_hash(host: str) -> str:
    return hashlib.sha256(host.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _boot_prefix(boot_id: str | None) -> str:
    digits = re.sub(r"[^0-9a-f]", "", (boot_id or "").lower())[:8]
    return digits if len(digits) == 8 else "0"


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Remove the temporary files (and SQLite journals) that writes of processes now gone left
    in `folder`; never those of live processes or other computers. Returns what it removed;
    never raises (a folder that cannot be read or changed is left as it is)."""
    removed: list[Path] = []
    try:
        entries = os.scandir(folder)
    except OSError:
        return removed
    with entries:
        for entry in entries:
            name = entry.name
            if not name.startswith(".") or ".tmp" not in name:
                continue
            try:
                if not entry.is_file(follow_symlinks=False) or not _left_by_the_dead(folder, entry):
                    continue
                os.unlink(entry.path)
            except Exception:  # tidying up must never stop the write
                continue
            removed.append(Path(entry.path))
    return removed


def _left_by_the_dead(folder: str | Path, entry: os.DirEntry[str]) -> bool:
    """Whether this temporary file was left by a process that is surely gone."""
    match = _TEMPORARY.search(entry.name)
    if match is not None:
        pid, start, host, boot = match.groups()
        me = this_process()
        if host != _host_hash(me.host) or not 1 <= int(pid) <= MAX_PID:
            return False  # another computer's (a shared folder): it cannot be checked
        same_boot = boot == "0" or boot == _boot_prefix(me.boot_id)
        owner = Owner(me.host, me.user, int(pid), "", me.boot_id if same_boot else boot,
                      int(start) or None)
        return not owner.is_alive()
    old = _OLD_TEMPORARY.fullmatch(entry.name)
    if old is None:
        return False
    # No process in the name: only a day old, and beside the file it was to replace.
    age = time.time() - entry.stat(follow_symlinks=False).st_mtime
    return age > OLD_TEMPORARY_AGE and os.path.isfile(os.path.join(folder, old.group(1)))


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
