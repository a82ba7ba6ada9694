"""Who has a document open: a small lock file next to it, and whether its owner is still alive.

Opening a document for editing creates `.~lock.<file name>#` in the document's folder (the name
LibreOffice uses, so people recognise it), holding JSON: host, user, process id, since when, and
what tells a live process from a dead one. The file is created atomically (a complete temporary
file hard-linked into place, or `O_CREAT | O_EXCL` where the file system has no hard links), so two
processes can never both own it. A second opener gets `LockedError` naming the owner; a lock left
by a crashed process on this computer (its process is gone, or the computer was restarted since)
is stale and taken over. A folder where no lock can be written (read-only media) gives an unheld
`Lock`: the document still opens.

Lock files sit in shared folders, so anyone may have written one: every field read back is
checked (types, a pid from 1 to MAX_PID, an ISO time, bounded lengths; `Owner.from_dict`), and a
lock that fails the check is damaged, handled like one that is half written: respected while it is
fresh, then replaced (`Lock.replaced` says so). Only regular files of at most MAX_NOTE_BYTES are
read (`read_note`: never a named pipe, a device or a link). Anything else at the lock's path (a
folder, a link, a pipe) or a lock file that cannot be read is a lock that cannot be taken:
`LockedError` naming the path, so the editor offers to open the document read-only.

Process identity is more than the pid, because pids are reused after a restart: on Linux the lock
also records the boot id and the process's start time, so a dead editor whose pid now belongs to
another program is still recognised as dead.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import socket
import stat
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeGuard

from vsm.errors import VsmError
from vsm.model.limits import ID_SUSPECT

LOCK_PREFIX = ".~lock."
LOCK_SUFFIX = "#"
UNREADABLE_GRACE_SECONDS = 10.0  # a lock being written right now may not be readable yet
MAX_PID = 2**31 - 1  # pids are 32-bit signed on every system (os.kill, OpenProcess): above, damaged
MAX_NOTE_BYTES = 64 * 1024  # a lock file or a working copy's note is a few hundred bytes
_MAX_FIELD = 256  # characters of a host, user or boot id
_MAX_TIME = 64  # characters of an ISO time


class DamagedNote(ValueError):
    """A lock file or a working copy's note that is not what this application writes."""


class NoteTooLarge(DamagedNote):
    """A note larger than any this application writes (it is not read)."""


class NotAFile(OSError):
    """Something other than a regular file where a note should be; the message says what."""


def read_note(path: Path, limit: int = MAX_NOTE_BYTES) -> bytes:
    """The bytes of a small note (a lock file, a working copy's note), read without ever blocking
    or following a link: NotAFile for a folder, link, named pipe or device, NoteTooLarge for a
    file larger than `limit`, FileNotFoundError or another OSError if it cannot be read."""
    kind = _kind(os.lstat(path).st_mode)
    if kind is not None:
        raise NotAFile(f"{path} is {kind}, not a file")
    flags = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
             | getattr(os, "O_BINARY", 0))
    descriptor = os.open(path, flags)  # a pipe swapped in meanwhile: O_NONBLOCK, no wait
    try:
        kind = _kind(os.fstat(descriptor).st_mode)
        if kind is not None:
            raise NotAFile(f"{path} is {kind}, not a file")
        chunks, size = [], 0
        while chunk := os.read(descriptor, limit + 1 - size):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise NoteTooLarge(f"larger than {limit:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str | None:
    """What a file of this mode is, in words, unless it is a regular file (None)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "a device or socket"


# ---------------------------------------------------------------- processes


def _boot_id() -> str | None:
    """An id that changes at every restart of the computer (Linux), else None."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _start_ticks(pid: int) -> int | None:
    """When the process started, in clock ticks since boot (Linux /proc), else None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        return int(text.rsplit(")", 1)[1].split()[19])  # field 22; the name may hold ')'
    except (OSError, IndexError, ValueError):
        return None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        return "unknown"


@dataclass(frozen=True)
class Owner:
    """A process that owns a lock or a working copy."""

    host: str
    user: str
    pid: int
    since: str  # ISO 8601 with the local time zone
    boot_id: str | None = None
    process_start: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "Owner":
        """Read an owner back; DamagedNote (a ValueError) naming the first field that is not
        what this application writes: host and user short one-line text (the host not empty),
        pid a whole number from 1 to MAX_PID, since an ISO time, boot_id short text or null,
        process_start a whole number from 0 below 2**63 or null."""
        if not isinstance(data, dict):
            raise DamagedNote("not an object")
        host, user, pid, since = (data.get(k) for k in ("host", "user", "pid", "since"))
        boot_id, start = data.get("boot_id"), data.get("process_start")
        if not (_short_text(host) and host):
            raise DamagedNote("host: missing or not a computer name")
        if not _short_text(user):
            raise DamagedNote("user: missing or not a user name")
        if not (_whole(pid) and 1 <= pid <= MAX_PID):
            raise DamagedNote(f"pid: not a process id from 1 to {MAX_PID}")
        if not is_iso_time(since):
            raise DamagedNote("since: not a time")
        if not (boot_id is None or _short_text(boot_id)):
            raise DamagedNote("boot_id: not a boot id")
        if not (start is None or _whole(start) and 0 <= start < 2**63):
            raise DamagedNote("process_start: not a start time")
        return cls(host, user, pid, since, boot_id, start)

    @property
    def since_text(self) -> str:
        """`since` in local time, for people."""
        return format_time(self.since)

    def describe(self) -> str:
        """'on HOST by USER (process N) since T'."""
        return f"on {self.host} by {self.user} (process {self.pid}) since {self.since_text}"

    def is_this_host(self) -> bool:
        return self.host == socket.gethostname()

    def is_alive(self) -> bool:
        """False only when the process is surely gone: same host, and dead or from an earlier boot.

        A process on another computer cannot be checked, so it counts as alive.
        """
        if not self.is_this_host():
            return True
        if self.boot_id is not None and _boot_id() not in (None, self.boot_id):
            return False  # the computer restarted since: every process of then is gone
        if not process_exists(self.pid):
            return False
        if self.process_start is not None:
            start = _start_ticks(self.pid)
            if start is not None and start != self.process_start:
                return False  # the pid now belongs to another program
        return True


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _short_text(value: Any) -> TypeGuard[str]:
    """One line of at most _MAX_FIELD characters, without control characters or surrogates."""
    return isinstance(value, str) and len(value) <= _MAX_FIELD and not ID_SUSPECT.search(value)


def is_iso_time(value: Any) -> TypeGuard[str]:
    """Whether `value` is a short ISO 8601 time (as now_iso writes it)."""
    if not isinstance(value, str) or len(value) > _MAX_TIME:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def process_exists(pid: int) -> bool:
    """Whether a process with this id exists on this computer."""
    if not 0 < pid <= MAX_PID:
        return False  # no such pid anywhere (and os.kill could not even ask)
    if sys.platform == "win32":
        return _windows_process_exists(pid)
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by another user
    except OSError:
        return True  # cannot tell: assume alive, never take a live lock
    return True


if sys.platform == "win32":  # only defined (and type-checked) where ctypes has WinDLL
    def _windows_process_exists(pid: int) -> bool:  # pragma: no cover - Windows only
        """os.kill(pid, 0) would terminate the process on Windows: ask the kernel instead."""
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = wintypes.DWORD()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)


def this_process() -> Owner:
    """The owner record of the running process."""
    pid = os.getpid()
    return Owner(socket.gethostname(), _user(), pid, now_iso(), _boot_id(), _start_ticks(pid))


def now_iso() -> str:
    """Now, local time with its offset, to the second."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def format_time(iso: str) -> str:
    """An ISO time as local 'YYYY-MM-DD HH:MM:SS' (the text itself if it is not a time)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------- locks


class LockedError(VsmError):
    """The document is open elsewhere; `owner` says where (None: a lock being written now, or
    `reason` says why the lock cannot be taken: something else is at its path)."""

    def __init__(self, path: str | Path, owner: Owner | None, reason: str | None = None) -> None:
        self.path = Path(path)
        self.owner = owner
        self.reason = reason or (f"is open {owner.describe()}" if owner is not None
                                 else "is being opened by another program")
        super().__init__(f"{self.path}: {self.reason}")


def lock_path(document: str | Path) -> Path:
    """The lock file of a document: `.~lock.<name>#` in the same folder."""
    document = Path(os.path.realpath(document))
    return document.with_name(f"{LOCK_PREFIX}{document.name}{LOCK_SUFFIX}")


class Lock:
    """A held (or, on read-only media, unheld) lock on one document; release() when closing."""

    def __init__(self, document: Path, file: Path | None, owner: Owner, content: bytes,
                 replaced: str | None = None) -> None:
        self.document = document
        self.file = file  # None: no lock file could be written in that folder
        self.owner = owner
        self._content = content
        self.replaced = replaced  # a damaged lock file taken over: what was wrong with it

    @property
    def held(self) -> bool:
        return self.file is not None

    def release(self) -> None:
        """Remove the lock file if it is still ours; never raises."""
        if self.file is None:
            return
        file, self.file = self.file, None
        try:
            if read_note(file) == self._content:
                file.unlink()
        except (OSError, ValueError):
            pass  # already gone (folder moved or deleted), or no longer ours: nothing to release

    def __enter__(self) -> "Lock":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def read_owner(document: str | Path) -> Owner | None:
    """The owner recorded in a document's lock file, None if there is none or it is unreadable."""
    try:
        return Owner.from_dict(json.loads(read_note(lock_path(document))))
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def acquire(document: str | Path) -> Lock:
    """Lock a document for this process; LockedError(owner) if a live process has it.

    A stale lock (its process is gone) is taken over, and so is a damaged one once it is no
    longer fresh (`Lock.replaced` then says what was wrong with it). If the folder cannot hold a
    lock file (read-only, missing), an unheld Lock is returned: opening goes on (saving there
    would fail). Something other than a lock file at the lock's path (a folder, a link, a pipe),
    or a lock file that cannot be read, is a lock that cannot be taken: LockedError naming it.
    """
    document = Path(document)
    file = lock_path(document)
    me = this_process()
    content = json.dumps(me.to_dict(), indent=1).encode()
    replaced = None
    for _attempt in range(5):
        try:
            _create(file, content)
            return Lock(document, file, me, content, replaced)
        except FileExistsError:
            pass
        except OSError:
            return Lock(document, None, me, content)
        owner: Owner | None = None
        try:
            age = time.time() - os.lstat(file).st_mtime
            found = read_note(file)
            owner = Owner.from_dict(json.loads(found))
            damage = ""
        except FileNotFoundError:
            continue  # released meanwhile: try again
        except NotAFile as error:
            raise LockedError(document, None, f"cannot be locked: {error}") from None
        except OSError as error:
            raise LockedError(document, None, f"cannot be locked: its lock file {file} cannot "
                                              f"be read ({error.strerror or error})") from None
        except NoteTooLarge as error:  # judged by its size alone: _break compares no content
            found, damage = b"", str(error)
        except DamagedNote as error:
            damage = str(error)
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            damage = f"not a lock file ({error})"
        if owner is None and age < UNREADABLE_GRACE_SECONDS:
            raise LockedError(document, None)  # being written right now, perhaps
        if owner is not None and owner.is_alive():
            raise LockedError(document, owner)
        if damage:
            replaced = f"a damaged lock file was replaced: {file} ({damage})"
        _break(file, found)
    raise LockedError(document, read_owner(document))


def take_over(document: str | Path, owner: Owner) -> Lock:
    """Lock a document whose lock `owner` holds on another computer, once the person has said it
    is no longer in use there (a synced folder, an editor that crashed elsewhere).

    Only the very lock the person was told about is replaced: LockedError if another lock took
    its place meanwhile, or if `owner` is a live process of this computer (surely editing it:
    that is never taken over). A lock gone meanwhile is simply acquired.
    """
    document = Path(document)
    if owner.is_this_host() and owner.is_alive():
        raise LockedError(document, owner)
    file = lock_path(document)
    try:
        found = read_note(file)
        current: Owner | None = Owner.from_dict(json.loads(found))
    except FileNotFoundError:
        return acquire(document)
    except (OSError, ValueError, RecursionError):  # damaged meanwhile: not the lock seen
        current = None
    if current != owner:
        raise LockedError(document, current)
    _break(file, found)
    return acquire(document)


def _create(file: Path, content: bytes) -> None:
    """Create the lock file with its whole content in one step; FileExistsError if it exists."""
    temporary = file.with_name(f"{file.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with open(descriptor, "wb") as handle:
            handle.write(content)
        try:
            os.link(temporary, file)  # atomic, and fails if the lock exists
            return
        except FileExistsError:
            raise
        except OSError:
            pass  # no hard links here (FAT, some network shares): exclusive create instead
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with open(descriptor, "wb") as handle:
            handle.write(content)
    finally:
        try:
            temporary.unlink()
        except OSError:
            pass


def _break(file: Path, judged: bytes) -> None:
    """Remove a stale lock, but only the very lock judged stale, not one created since."""
    aside = file.with_name(f"{file.name}.{secrets.token_hex(4)}.stale")
    try:
        os.rename(file, aside)
    except OSError:
        return  # someone else took it away first
    try:
        if _same_note(aside, judged):
            return
        try:  # we moved a fresh lock of another process: put it back
            os.link(aside, file)
        except OSError:
            pass
    except OSError:
        pass
    finally:
        try:
            aside.unlink()
        except OSError:
            pass


def _same_note(path: Path, judged: bytes) -> bool:
    """Whether the note at `path` is the one judged (an empty `judged`: one too large to read)."""
    try:
        return read_note(path) == judged
    except NoteTooLarge:
        return judged == b""
