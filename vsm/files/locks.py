"""Who has a document open: a small lock file next to it, and whether its owner is still alive.

Opening a document for editing creates `.~lock.<file name>#` in the document's folder (the name
LibreOffice uses, so people recognise it), holding JSON: host, user, process id, since when, and
what tells a live process from a dead one. The file is created atomically (a complete temporary
file hard-linked into place, or `O_CREAT | O_EXCL` where the file system has no hard links), so two
processes can never both own it. A second opener gets `LockedError` naming the owner; a lock left
by a crashed process on this computer (its process is gone, or the computer was restarted since)
is stale and taken over. A folder where no lock can be written (read-only media) gives an unheld
`Lock`: the document still opens.

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
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vsm.errors import VsmError

LOCK_PREFIX = ".~lock."
LOCK_SUFFIX = "#"
UNREADABLE_GRACE_SECONDS = 10.0  # a lock being written right now may not be readable yet


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
        """Read an owner back; ValueError if the data is not one."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        host, user, pid, since = (data.get(k) for k in ("host", "user", "pid", "since"))
        boot_id, start = data.get("boot_id"), data.get("process_start")
        if not (isinstance(host, str) and isinstance(user, str) and isinstance(since, str)
                and isinstance(pid, int) and not isinstance(pid, bool) and pid > 0
                and (boot_id is None or isinstance(boot_id, str))
                and (start is None or (isinstance(start, int) and not isinstance(start, bool)))):
            raise ValueError("missing or wrong fields")
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


def process_exists(pid: int) -> bool:
    """Whether a process with this id exists on this computer."""
    if pid <= 0:
        return False
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
    """The document is open elsewhere; `owner` says where (None: a lock being written now)."""

    def __init__(self, path: str | Path, owner: Owner | None) -> None:
        self.path = Path(path)
        self.owner = owner
        self.reason = (f"is open {owner.describe()}" if owner is not None
                       else "is being opened by another program")
        super().__init__(f"{self.path}: {self.reason}")


def lock_path(document: str | Path) -> Path:
    """The lock file of a document: `.~lock.<name>#` in the same folder."""
    document = Path(os.path.realpath(document))
    return document.with_name(f"{LOCK_PREFIX}{document.name}{LOCK_SUFFIX}")


class Lock:
    """A held (or, on read-only media, unheld) lock on one document; release() when closing."""

    def __init__(self, document: Path, file: Path | None, owner: Owner, content: bytes) -> None:
        self.document = document
        self.file = file  # None: no lock file could be written in that folder
        self.owner = owner
        self._content = content

    @property
    def held(self) -> bool:
        return self.file is not None

    def release(self) -> None:
        """Remove the lock file if it is still ours; never raises."""
        if self.file is None:
            return
        file, self.file = self.file, None
        try:
            if file.read_bytes() == self._content:
                file.unlink()
        except OSError:
            pass  # already gone (folder moved or deleted): nothing to release

    def __enter__(self) -> "Lock":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def read_owner(document: str | Path) -> Owner | None:
    """The owner recorded in a document's lock file, None if there is none or it is unreadable."""
    try:
        return Owner.from_dict(json.loads(lock_path(document).read_bytes()))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None


def acquire(document: str | Path) -> Lock:
    """Lock a document for this process; LockedError(owner) if a live process has it.

    A stale lock (its process is gone) is taken over. If the folder cannot hold a lock file
    (read-only, missing), an unheld Lock is returned: opening goes on (saving there would fail).
    """
    document = Path(document)
    file = lock_path(document)
    me = this_process()
    content = json.dumps(me.to_dict(), indent=1).encode()
    for _attempt in range(5):
        try:
            _create(file, content)
            return Lock(document, file, me, content)
        except FileExistsError:
            pass
        except OSError:
            return Lock(document, None, me, content)
        try:
            found = file.read_bytes()
            age = time.time() - file.stat().st_mtime
        except FileNotFoundError:
            continue  # released meanwhile: try again
        except OSError:
            return Lock(document, None, me, content)
        try:
            owner: Owner | None = Owner.from_dict(json.loads(found))
        except (ValueError, UnicodeDecodeError, RecursionError):
            owner = None
            if age < UNREADABLE_GRACE_SECONDS:
                raise LockedError(document, None) from None
        if owner is not None and owner.is_alive():
            raise LockedError(document, owner)
        _break(file, found)
    raise LockedError(document, read_owner(document))


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
        if aside.read_bytes() == judged:
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
