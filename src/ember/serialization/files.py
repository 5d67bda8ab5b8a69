"""Writing checkpoint files so that nothing a user saved is lost, and opening them to read.

A save writes a temporary file next to its target and renames it into place, so a crash
leaves either the old checkpoint or the new one, never half of one.  Unlike a bare temporary
file, the result is what ``open(path, "wb")`` would give -- and what PyTorch gives: an
existing file keeps its mode, a new one gets the umask's, and a symlink's target is written
(the link stays).  A save that is killed leaves its temporary file behind; the next save into
that folder removes it once no process holds it (each save holds a lock on its own).
"""

from __future__ import annotations

import io
import os
import secrets
import stat
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: stale files are recognised by age alone
    fcntl = None

TEMP_PREFIX = ".ember-"  # ".ember-save.<pid>.<random>.tmp"; older versions: ".ember-<random>.tmp"
TEMP_SUFFIX = ".tmp"
STALE_AFTER_S = 60  # a temporary file untouched this long, and unlocked, belongs to a dead save
STALE_WITHOUT_LOCKS_S = 24 * 3600


def name_of(f) -> str:
    """How errors name ``f``: its path, or the file object's name or repr."""
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fspath(f)
        return path.decode(errors="replace") if isinstance(path, bytes) else path
    name = getattr(f, "name", None)
    return name if isinstance(name, str) else repr(f)


def is_path(f) -> bool:
    """True for the kinds of ``f`` that name a file rather than being one."""
    return isinstance(f, (str, bytes, os.PathLike))


def target_of(f) -> str:
    """The file a save to path ``f`` must replace (a symlink's target), after PyTorch's checks."""
    path = os.fspath(f)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    target = os.path.realpath(path)
    if os.path.isdir(target):
        raise RuntimeError(f"Cannot save to {path}: it is a directory.")
    if not os.path.isdir(os.path.dirname(target)):
        raise RuntimeError(f"Parent directory {os.path.dirname(target)} does not exist.")
    if os.path.exists(target) and not os.access(target, os.W_OK):
        # open(path, "wb") would fail here; a rename would not, and would replace a file
        # its owner made read-only
        raise RuntimeError(f"Cannot save to {path}: the file is not writable (Permission denied).")
    return target


def write(f, chunks) -> None:
    """Write ``chunks`` (bytes objects) to file object ``f``, or atomically to path ``f``."""
    if not is_path(f):
        for chunk in chunks:
            f.write(chunk)
        return
    target = target_of(f)
    directory = os.path.dirname(target)
    remove_stale_temps(directory)
    mode = owner = None
    try:
        st = os.stat(target)
        mode, owner = stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)
    except FileNotFoundError:
        pass
    tmp = os.path.join(
        directory, f"{TEMP_PREFIX}save.{os.getpid()}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
    )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)  # 0o666 less the umask, as open(path, "wb") creates
    try:
        try:
            _lock(fd)
            if mode is not None:
                _keep_mode(fd, tmp, mode, owner)
            out = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_directory(directory)


def _lock(fd):
    """Hold a lock on our own temporary file, so cleanups by other saves leave it alone."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a file system without locks: the age rule alone protects the file
            pass


def _keep_mode(fd, tmp, mode, owner):
    if hasattr(os, "fchown"):
        try:
            os.fchown(fd, *owner)  # keeps the group (and, for root, the owner) of the old file
        except OSError:
            pass
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # pragma: no cover - Windows
        os.chmod(tmp, mode)


def _sync_directory(directory):
    if os.name != "posix":
        return  # pragma: no cover
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def remove_stale_temps(directory, now=None) -> list:
    """Remove temporary files that killed saves left in ``directory``; return their names."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < STALE_AFTER_S:
            continue
        if _held(entry.path, now - st.st_mtime):
            continue
        try:
            os.unlink(entry.path)
            removed.append(name)
        except OSError:
            pass
    return removed


def _held(path, age):
    """True while a live save holds the file (its lock), or when that cannot be known."""
    if fcntl is None:
        return age < STALE_WITHOUT_LOCKS_S
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases the lock we may have taken
    return False


class Reader:
    """An open checkpoint to read: a seekable binary file and its size."""

    def __init__(self, f):
        self.name = name_of(f)
        self.owned = is_path(f)
        if self.owned:
            self.file = open(f, "rb")
        elif _seekable(f) and f.tell() == 0:
            self.file = f
        else:  # a stream, or a file read from its middle: what is left of it
            self.file = io.BytesIO(f.read())
        self.size = self.file.seek(0, os.SEEK_END)
        self.file.seek(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.owned:
            self.file.close()


def _seekable(f):
    try:
        return f.seekable()
    except (AttributeError, OSError, ValueError):
        return False
