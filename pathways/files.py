"""Writing output files safely: never over an input, never into folders nobody asked for, all or nothing.

Every writer of pathways (the report and its figures folder, diagrams, models,
Parquet, XES and the command line) goes through :func:`write_atomically`:

* the output may not be the same file as any input (the same path, a symbolic
  link to it or a hard link of it), so ``pathways report in.csv -o in.csv``
  cannot replace the extract with HTML;
* the folder it goes into must exist, unless ``make_dirs=True``
  (``--make-dirs``) says to create it, so a typo in a path cannot scatter new
  folders about;
* the data is written to a temporary file in the same folder and renamed over
  the target, so a failed or killed run leaves the old file as it was and
  never a half-written one; the new file gets the mode a plain ``open()``
  would give it (the umask applies), or keeps the mode of the file it replaces;
* a symbolic link is followed, as ``open()`` would: the file it points to is
  replaced, the link stays; a target that is not a regular file (``/dev/null``,
  a pipe, a socket) is refused, since renaming over it would replace the device.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import OptionError


def _inputs(inputs: Iterable) -> list[str]:
    """The input paths that name something on disk (``None``, frames and Spark tables are left out)."""
    out = []
    for item in inputs or ():
        if item is None:
            continue
        try:
            p = os.fspath(item)
        except TypeError:
            continue
        if isinstance(p, str) and p and os.path.exists(p):
            out.append(p)
    return out


def sources(log) -> list[str]:
    """The file (or folder) an EventLog was read from, as ``inputs`` for the writers; empty for a frame."""
    origin = getattr(log, "origin", None)
    return [origin] if isinstance(origin, str) and origin not in ("frame", "spark") else []


def input_file(path, what: str) -> Path:
    """``path`` as the Path of an existing file to read (a ``what`` file: "PNML", "taxonomy CSV", ...), or
    OptionError saying what was given instead.

    >>> input_file(5, "PNML")
    Traceback (most recent call last):
    ...
    pathways.errors.OptionError: the PNML file must be a path (text or a path), not int 5.
    """
    try:
        p = Path(os.fspath(path))
    except TypeError:
        raise OptionError(f"the {what} file must be a path (text or a path), not {type(path).__name__} "
                          f"{path!r}.") from None
    if not p.is_file():
        raise OptionError(f"no {what} file at {str(path)!r}: the path does not exist or is not a file. Check the "
                          "path (relative paths start from the notebook's or the shell's folder).")
    return p


def check_output(path, *, inputs: Iterable = (), make_dirs: bool = False) -> Path:
    """``path`` as a Path, or OptionError when it may not be written (see the module notes); creates nothing.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> src = os.path.join(d, "udtraek.csv"); _ = open(src, "w").write("a,b\\n")
    >>> check_output(os.path.join(d, "rapport.html"), inputs=[src]).name
    'rapport.html'
    >>> check_output(src, inputs=[src])
    Traceback (most recent call last):
    ...
    pathways.errors.OptionError: cannot write ...udtraek.csv': it is an input file ...
    >>> check_output(os.path.join(d, "new", "rapport.html"))
    Traceback (most recent call last):
    ...
    pathways.errors.OptionError: cannot write ...: the folder ...new' does not exist. Create it, or pass make_dirs=True ...
    """
    try:
        target = Path(os.fspath(path))
    except TypeError:
        raise OptionError(f"the output path must be a file name (text or a path), not {type(path).__name__} "
                          f"{path!r}.") from None
    shown = str(target)
    if not shown or shown in (".", ".."):
        raise OptionError(f"cannot write {shown!r}: give a file name, e.g. 'report.html'.")
    if target.is_dir():
        raise OptionError(f"cannot write {shown!r}: it is a folder; give a file name inside it, "
                          f"e.g. {str(target / 'output')!r}.")
    if target.exists() and not target.is_file():
        raise OptionError(f"cannot write {shown!r}: it is not a regular file (a device, a pipe or a socket). "
                          "Give the path of a file, e.g. 'report.html'.")
    if target.exists():
        for item in _inputs(inputs):
            try:
                same = os.path.samefile(target, item)
            except OSError:
                same = False
            if same:
                stem = target.with_name(target.stem + "_out" + target.suffix)
                raise OptionError(f"cannot write {shown!r}: it is an input file ({item!r}), and writing would "
                                  f"destroy it. Choose another output file, e.g. {str(stem)!r}.")
    parent = target.parent
    if parent.exists() and not parent.is_dir():
        raise OptionError(f"cannot write {shown!r}: {str(parent)!r} is a file, not a folder. Choose a path in "
                          "an existing folder.")
    if not parent.exists() and not make_dirs:
        raise OptionError(f"cannot write {shown!r}: the folder {str(parent)!r} does not exist. Create it, or "
                          "pass make_dirs=True (--make-dirs on the command line) to have it created.")
    return target


def output_folder(folder, *, make_dirs: bool = False, create: bool = True) -> Path:
    """A folder to write several files into, as a Path: used when it exists, created when its parent exists
    (naming a new folder is asking for it); missing parents are created only with ``make_dirs=True``,
    otherwise OptionError, as for a file. ``create=False`` only checks.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> output_folder(os.path.join(d, "figurer")).is_dir()
    True
    >>> output_folder(os.path.join(d, "a", "b"), make_dirs=True).is_dir()
    True
    """
    try:
        target = Path(os.fspath(folder))
    except TypeError:
        raise OptionError(f"the folder must be a path (text or a path), not {type(folder).__name__} "
                          f"{folder!r}.") from None
    if target.is_dir():
        return target
    if target.exists():
        raise OptionError(f"cannot write into {str(target)!r}: it is a file, not a folder. Give a folder name.")
    if not target.parent.is_dir() and not make_dirs:
        raise OptionError(f"cannot write into {str(target)!r}: the folder {str(target.parent)!r} does not exist. "
                          "Create it, or pass make_dirs=True (--make-dirs on the command line) to have it "
                          "created.")
    if not create:
        return target
    try:
        target.mkdir(parents=make_dirs, exist_ok=True)
    except OSError as exc:
        raise _os_error(target, exc) from exc
    return target


def _os_error(path: Path, exc: OSError) -> OptionError:
    reason = exc.strerror or type(exc).__name__
    return OptionError(f"cannot write {str(path)!r}: {reason}. Choose a location you can write to (a folder of "
                       "your own, with free space).")


def write_atomically(path, data: bytes | str | Callable[[str], object], *, inputs: Iterable = (),
                     make_dirs: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it into place.

    ``data`` is bytes, text (written as UTF-8, line ends untouched) or a function
    that writes the file at the temporary path it is given (its name ends like
    ``path``, so writers that add a missing suffix leave it alone). ``inputs`` are
    the files the output may not replace; ``make_dirs`` creates a missing folder.
    Returns ``path`` as a Path. Errors of the file system are OptionError.

    Examples
    --------
    >>> import os, tempfile
    >>> out = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> write_atomically(out, "første linje\\n").read_text(encoding="utf-8")
    'første linje\\n'
    >>> sorted(os.listdir(os.path.dirname(out)))
    ['a.txt']
    """
    given = check_output(path, inputs=inputs, make_dirs=make_dirs)
    try:
        if make_dirs:
            given.parent.mkdir(parents=True, exist_ok=True)
        target = Path(os.path.realpath(given))  # through symbolic links, as open() writes
        folder = target.parent
        tmp = folder / f".pw-{secrets.token_hex(4)}.{target.name}"
        # created as open() creates a file (mode 0o666 less the umask), exclusive so nothing is clobbered
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise _os_error(given, exc) from exc
    try:
        mode = os.fstat(fd).st_mode & 0o7777
        if target.is_file():
            mode = target.stat().st_mode & 0o7777
        if callable(data):
            os.close(fd)
            fd = -1
            data(str(tmp))
        else:
            with os.fdopen(fd, "wb") as fh:
                fd = -1
                fh.write(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        os.chmod(tmp, mode)
        if os.path.lexists(target) and not stat.S_ISREG(os.lstat(target).st_mode):  # swapped in meanwhile
            raise OptionError(f"cannot write {str(given)!r}: it is no longer a regular file; nothing was written.")
        os.replace(tmp, target)
    except BaseException as exc:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _os_error(given, exc) from exc
        raise
    return given


__all__ = ["write_atomically", "check_output", "output_folder", "sources"]
