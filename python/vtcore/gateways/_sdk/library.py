"""Where an SDK's vendor libraries are found at run time.

In this order: the gateway setting `library_dir`, the environment variable the SDK names (e.g.
`$VTCORE_CTP_LIB_DIR`), then the SDK's own fallback (CTP: the installed openctp-ctp package; TAP: the
libraries of the artifact the build fetched, extracted from the SDK download cache: `cached_libraries`). A
folder may hold the plain names (`libthostmduserapi_se.so`) or auditwheel's hashed ones
(`libthostmduserapi_se-9c6d321f.so`). Libraries are only located here; the binding opens them by path
(RTLD_LOCAL) and checks their version before any call, so a folder of another SDK's libraries (CTP's given to
CTP-Mini) is refused with a clear error.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk.build import build_info


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _member(archive: Path, member: str) -> bytes:
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as bundle:
            return bundle.read(member)
    with tarfile.open(archive, "r:*") as bundle:
        stream = bundle.extractfile(member)
        if stream is None:
            raise KeyError(member)
        return stream.read()


def cached_libraries(sdk: str) -> tuple[Path, str]:
    """(folder, where it came from): the vendor libraries the build fetched for `sdk`, extracted from the SDK
    download cache (the archive's sha256 is checked again) into `<cache>/extracted/<sha256>/`, once.
    SdkUnavailableError when the build recorded none or the cached archive is gone."""
    info = build_info(sdk)
    sources = info.get("library_sources") or []
    title = info.get("title", sdk)
    if not sources:
        raise SdkUnavailableError(
            f"the build recorded no {title} libraries to take from the SDK download cache"
        )
    folder: Path | None = None
    checked: set[str] = set()
    for source in sources:
        archive = Path(source["archive"])
        target = archive.parent / "extracted" / source["sha256"][:16] / source["name"]
        folder = target.parent
        if target.is_file():
            continue
        if not archive.is_file():
            raise SdkUnavailableError(
                f"the {title} libraries are not in the SDK download cache any more ({archive} is gone): "
                f"rebuild vtcore with registry access, or set library_dir"
            )
        if source["sha256"] not in checked:
            if _sha256(archive) != source["sha256"]:
                raise SdkUnavailableError(f"{archive} does not have the pinned sha256: refused")
            checked.add(source["sha256"])
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".{os.getpid()}.part")
        partial.write_bytes(_member(archive, source["member"]))
        partial.chmod(0o755)
        os.replace(partial, target)
    assert folder is not None
    return folder, f"the SDK download cache ({sources[0]['archive'].rsplit('/', 1)[-1]})"
