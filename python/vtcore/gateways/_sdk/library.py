"""Where an SDK's vendor libraries are found at run time.

In this order: the gateway setting `library_dir`, the environment variable the SDK names (e.g.
`$VTCORE_CTP_LIB_DIR`), then the SDK's own fallback (CTP: the installed openctp-ctp package). A folder may
hold the plain names (`libthostmduserapi_se.so`) or auditwheel's hashed ones
(`libthostmduserapi_se-9c6d321f.so`). Libraries are only located here; the binding opens them by path
(RTLD_LOCAL) and checks their version before any call, so a folder of another SDK's libraries (CTP's given to
CTP-Mini) is refused with a clear error.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vtcore.errors import SdkUnavailableError


@dataclass(frozen=True)
class LibrarySpec:
    """The vendor libraries of one SDK: file stems by role ("md", "td"), and where else to look."""

    title: str  # "CTP"
    stems: dict[str, str]  # {"md": "libthostmduserapi_se", "td": "libthosttraderapi_se"}
    env: str  # "VTCORE_CTP_LIB_DIR"
    #  (folder, where it came from) when neither the setting nor the variable names one; raises if there is
    # none
    fallback: Callable[[], tuple[Path, str]] | None = None
    hint: str = field(default="")  # how to get the libraries, for the error message


def _find(folder: Path, stem: str, source: str) -> Path | None:
    """`<stem>.so`, else the one auditwheel-hashed `<stem>-<hash>.so`; SdkUnavailableError when several
    hashed ones make the choice ambiguous."""
    exact = folder / f"{stem}.so"
    if exact.is_file():
        return exact
    hashed = sorted(folder.glob(f"{stem}-*.so"))
    if len(hashed) > 1:
        names = ", ".join(path.name for path in hashed)
        raise SdkUnavailableError(
            f"{len(hashed)} {stem} libraries in {folder} (from {source}): {names}; the choice is ambiguous, "
            f"so none is loaded: keep one, or name it {stem}.so"
        )
    return hashed[0] if hashed else None


def library_folder(spec: LibrarySpec, library_dir: str = "") -> tuple[Path, str]:
    """(folder, where it came from) per the order above; SdkUnavailableError when there is none."""
    if library_dir:
        return Path(library_dir).expanduser(), "the gateway setting library_dir"
    if os.environ.get(spec.env):
        return Path(os.environ[spec.env]).expanduser(), f"${spec.env}"
    if spec.fallback is not None:
        return spec.fallback()
    raise SdkUnavailableError(
        f"no {spec.title} libraries: set the gateway setting library_dir or ${spec.env}"
        + (f" ({spec.hint})" if spec.hint else "")
    )


def find_libraries(spec: LibrarySpec, library_dir: str = "") -> dict[str, Path]:
    """Path of each role's library, or SdkUnavailableError saying where it looked."""
    folder, source = library_folder(spec, library_dir)
    found: dict[str, Path] = {}
    for role, stem in spec.stems.items():
        path = _find(folder, stem, source)
        if path is None:
            raise SdkUnavailableError(f"no {stem}*.so in {folder} (from {source})")
        found[role] = path
    return found
