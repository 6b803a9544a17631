#!/usr/bin/env python3
"""Fetch pinned vendor SDK artifacts and extract only their listed members (standard library only).

    python tools/vtcore_sdk.py fetch --sdk ctp --api-version 6.7.11 --dest build/ctp-sdk

For every artifact of `sdk/manifest.toml` that matches, the file is looked up in a content-addressed
cache (`$VTCORE_SDK_CACHE`, default `~/.cache/vtcore/sdk`, as `<sha256>/<file>`). On a miss it is
downloaded with the ordinary client, `python -m pip download --no-deps` (wheels with
`--only-binary :all:`, sdists with `--no-binary <name>`), its sha256 is verified, and only then is it
stored. A cache hit needs no network at all, and a file with the right sha256 placed there by hand is used
as is ("bring your own SDK"). An artifact pinned with `fetch = "simple-index"` is one pip cannot download
(vnpy_femas's sdist: pip prepares an sdist's metadata by running its build backend, and that one's meson
setup fails on Linux): its file is found on the project's page of the registry's standard simple index
(PEP 503; the index pip is configured with, then its extra indexes) and downloaded from the link there,
and the sha256 is checked the same way. The listed headers go to `<dest>/include/`, the listed libraries to
`<dest>/lib/`, and `<dest>/sdk-info.json` says what was extracted.

On failure the command exits 1 and its last stderr line is `REASON: <what failed and how to fix it>`,
which the build records so that `vtcore info` and the gateway can show it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "sdk" / "manifest.toml"

# Variables that pip sets for a build backend it runs in an isolated environment; a nested pip must not
# inherit them, or it would see the isolated overlay instead of its own installation.
_PIP_ISOLATION_VARIABLES = ("PYTHONPATH", "PYTHONNOUSERSITE", "PIP_BUILD_TRACKER", "PIP_REQ_TRACKER")


def _pip_environment() -> dict[str, str]:
    """This process's environment without the variables of the build's isolation, for a pip client we run."""
    return {k: v for k, v in os.environ.items() if k not in _PIP_ISOLATION_VARIABLES}


class SdkError(Exception):
    """A fetch or extraction failed; the message says why and how to fix it."""


@dataclass(frozen=True)
class Member:
    """One archive member to extract and the file name it gets."""

    path: str
    name: str

    @classmethod
    def parse(cls, spec: str) -> Member:
        path, _, name = spec.partition(" as ")
        path = path.strip()
        name = name.strip() or path.rsplit("/", 1)[-1]
        if not path or "/" in name or name in {".", ".."}:
            raise SdkError(f"bad member entry {spec!r} in the manifest")
        return cls(path, name)


@dataclass(frozen=True)
class Artifact:
    sdk: str
    api_version: str
    requirement: str
    kind: str
    file: str
    sha256: str
    headers: tuple[Member, ...] = ()
    libraries: tuple[Member, ...] = ()
    library_versions: tuple[tuple[str, str], ...] = ()  # (role, version a library of that role reports)
    fetch: str = "pip"  # "pip" (`pip download`) or "simple-index" (the index page's link, for what pip cannot)

    @property
    def package(self) -> str:
        return self.requirement.split("==", 1)[0]

    @classmethod
    def from_table(cls, table: dict[str, object]) -> Artifact:
        def text(key: str) -> str:
            value = table.get(key)
            if not isinstance(value, str) or not value:
                raise SdkError(f"manifest artifact {table.get('file', '?')!r}: key {key!r} must be a string")
            return value

        def members(key: str) -> tuple[Member, ...]:
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise SdkError(
                    f"manifest artifact {table.get('file', '?')!r}: key {key!r} must be a list of strings")
            return tuple(Member.parse(item) for item in value)

        versions = []
        for item in table.get("library_versions", []) or []:
            role, _, version = str(item).partition("=")
            if not re.fullmatch(r"[a-z]+", role.strip()) or not version.strip():
                raise SdkError(f"manifest artifact {table.get('file', '?')!r}: library_versions entries are "
                               f"'<role>=<version>', not {item!r}")
            versions.append((role.strip(), version.strip()))
        artifact = cls(
            sdk=text("sdk"), api_version=text("api_version"), requirement=text("requirement"),
            kind=text("kind"), file=text("file"), sha256=text("sha256").lower(),
            headers=members("headers"), libraries=members("libraries"), library_versions=tuple(versions),
            fetch=str(table.get("fetch", "pip")),
        )
        if artifact.fetch not in {"pip", "simple-index"}:
            raise SdkError(f"manifest artifact {artifact.file!r}: fetch must be 'pip' or 'simple-index'")
        if artifact.kind not in {"sdist", "wheel"}:
            raise SdkError(f"manifest artifact {artifact.file!r}: kind must be 'sdist' or 'wheel'")
        if not re.fullmatch(r"[0-9a-f]{64}", artifact.sha256):
            raise SdkError(f"manifest artifact {artifact.file!r}: sha256 must be 64 hex digits")
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.\-+]+", artifact.requirement):
            raise SdkError(f"manifest artifact {artifact.file!r}: requirement must be 'name==version'")
        return artifact


# -- manifest ------------------------------------------------------------------------------------------

def _parse_toml_subset(text: str) -> dict[str, object]:
    """The manifest's TOML subset, for Python 3.10 (no tomllib): `[[table]]`, `key = "string"` and
    `key = ["string", ...]` (a list may span lines), `#` comments."""
    root: dict[str, object] = {}
    current: dict[str, object] = root
    pending_key: str | None = None
    pending_items: list[str] = []
    string = re.compile(r'"((?:[^"\\]|\\.)*)"')
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if pending_key is not None:
            pending_items += [json.loads(f'"{item}"') for item in string.findall(line)]
            if line.endswith("]"):
                current[pending_key] = pending_items
                pending_key, pending_items = None, []
            continue
        if table := re.fullmatch(r"\[\[\s*([A-Za-z0-9_]+)\s*\]\]", line):
            tables = root.setdefault(table.group(1), [])
            assert isinstance(tables, list)
            current = {}
            tables.append(current)
            continue
        match = re.fullmatch(r"([A-Za-z0-9_]+)\s*=\s*(.+)", line)
        if not match:
            raise SdkError(f"manifest line {number}: cannot parse {raw.strip()!r}")
        key, value = match.groups()
        if value.startswith("["):
            items = [json.loads(f'"{item}"') for item in string.findall(value)]
            if value.endswith("]"):
                current[key] = items
            else:
                pending_key, pending_items = key, items
        elif whole := string.fullmatch(value):
            current[key] = json.loads(f'"{whole.group(1)}"')
        else:
            raise SdkError(f"manifest line {number}: only strings and lists of strings are supported")
    if pending_key is not None:
        raise SdkError(f"manifest: list {pending_key!r} is not closed")
    return root


def _strip_comment(line: str) -> str:
    in_string = False
    for index, char in enumerate(line):
        if char == '"' and (index == 0 or line[index - 1] != "\\"):
            in_string = not in_string
        elif char == "#" and not in_string:
            return line[:index]
    return line


def load_manifest(path: Path = DEFAULT_MANIFEST) -> list[Artifact]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SdkError(f"cannot read the SDK manifest {path}: {exc.strerror}") from exc
    data: dict[str, object]
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415

        data = tomllib.loads(text)
    else:
        data = _parse_toml_subset(text)
    tables = data.get("artifact", [])
    if not isinstance(tables, list):
        raise SdkError(f"{path}: 'artifact' must be an array of tables")
    return [Artifact.from_table(table) for table in tables]


def select(artifacts: list[Artifact], sdk: str, api_version: str) -> list[Artifact]:
    chosen = [a for a in artifacts if a.sdk == sdk and a.api_version == api_version]
    if not chosen:
        known = sorted({a.api_version for a in artifacts if a.sdk == sdk})
        raise SdkError(
            f"the manifest lists no {sdk} artifact for API version {api_version!r} "
            f"(listed: {', '.join(known)}); pick one of those with -DVTCORE_{sdk.upper()}_VERSION "
            f"or add an [[artifact]] to sdk/manifest.toml"
        )
    return chosen


# -- cache and download --------------------------------------------------------------------------------

def cache_root() -> Path:
    configured = os.environ.get("VTCORE_SDK_CACHE")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "vtcore" / "sdk"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pip_command() -> list[str]:
    """The ordinary pip client: this interpreter's pip, or the first pip on PATH."""
    import importlib.util  # noqa: PLC0415

    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    raise SdkError("no pip client found (neither `python -m pip` nor pip on PATH); install pip")


def download_command(artifact: Artifact, dest: Path, extra_args: list[str]) -> list[str]:
    binary = ["--only-binary", ":all:"] if artifact.kind == "wheel" else ["--no-binary", artifact.package]
    return [*pip_command(), "download", "--no-deps", "--no-cache-dir", "--disable-pip-version-check",
            *binary, "--dest", str(dest), *extra_args, artifact.requirement]


def fetch(artifact: Artifact, *, cache: Path | None = None, offline: bool = False,
          pip_args: list[str] | None = None) -> Path:
    """Path of the verified artifact in the cache, downloading it on a miss (unless offline)."""
    cache = cache or cache_root()
    cached = cache / artifact.sha256 / artifact.file
    if cached.is_file():
        if sha256_of(cached) == artifact.sha256:
            return cached
        cached.unlink()  # corrupted entry: never use it
    if offline:
        raise SdkError(
            f"{artifact.file} (sha256 {artifact.sha256}) is not in the SDK cache {cache} and downloads "
            f"are off; run the build once with registry access, or place that file at {cached}"
        )
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="download-", dir=cache) as scratch:
        if artifact.fetch == "simple-index":
            downloaded = download_from_index(artifact, Path(scratch), index_urls())
            return _store(artifact, downloaded, cached)
        command = download_command(artifact, Path(scratch), pip_args or [])
        environment = _pip_environment()
        result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        downloaded = Path(scratch) / artifact.file
        if result.returncode != 0 or not downloaded.is_file():
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            produced = sorted(p.name for p in Path(scratch).iterdir())
            detail = " | ".join(tail) if result.returncode != 0 else f"pip produced {produced or 'nothing'}"
            raise SdkError(
                f"`pip download {artifact.requirement}` did not produce {artifact.file} ({detail}); "
                f"check registry access, or place the file with sha256 {artifact.sha256} at {cached}"
            )
        return _store(artifact, downloaded, cached)


def _store(artifact: Artifact, downloaded: Path, cached: Path) -> Path:
    """Move a verified download into the cache; a file with another sha256 is refused and not cached."""
    actual = sha256_of(downloaded)
    if actual != artifact.sha256:
        raise SdkError(
            f"{artifact.file} has sha256 {actual}, but the manifest pins {artifact.sha256}: refused. "
            f"The registry served different bytes; do not use it until the pin is reviewed"
        )
    cached.parent.mkdir(parents=True, exist_ok=True)
    os.replace(downloaded, cached)
    return cached


# -- the simple index (PEP 503), for artifacts pip cannot download --------------------------------------

def _pip_output(*args: str) -> str:
    environment = _pip_environment()
    result = subprocess.run([*pip_command(), *args], capture_output=True, text=True, env=environment, check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def _script_interpreter(script: str) -> list[str]:
    """The interpreter command of a script's "#!" line ([] when it has none)."""
    try:
        with open(script, "rb") as file:
            first = file.readline(4096)
    except OSError:
        return []
    if not first.startswith(b"#!"):
        return []
    return first[2:].decode("utf-8", "replace").split()


def _default_index() -> str:
    """pip's own default index (what it uses when nothing is configured), asked of the pip client that
    `pip_command` runs: this interpreter's pip, or the interpreter behind the pip on PATH (a build's isolated
    environment, where this runs during `pip install .`, has no pip of its own)."""
    try:
        command = pip_command()
    except SdkError:
        return ""
    python = command[:1] if command[1:2] == ["-m"] else _script_interpreter(command[0])
    if not python:
        return ""
    code = "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"
    result = subprocess.run([*python, "-c", code], capture_output=True, text=True, env=_pip_environment(),
                            check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def index_urls() -> list[str]:
    """The indexes pip would use, in its order: `$PIP_INDEX_URL`, else pip's configured index-url, else pip's
    own default; then `$PIP_EXTRA_INDEX_URL`, else the configured extra-index-url (space separated)."""
    primary = (os.environ.get("PIP_INDEX_URL") or _pip_output("config", "get", "global.index-url")
               or _default_index())
    extra = os.environ.get("PIP_EXTRA_INDEX_URL") or _pip_output("config", "get", "global.extra-index-url")
    return [url for url in [primary, *extra.split()] if url]


class _Links(HTMLParser):
    """The anchors of a PEP 503 project page: (file name, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append(("".join(self._text).strip(), self._href))
            self._href = None


def _read_url(url: str, timeout: float = 120.0) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "text/html", "User-Agent": "vtcore-sdk-fetch"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: bytes = response.read()
    return data


def download_from_index(artifact: Artifact, dest: Path, indexes: list[str]) -> Path:
    """Find `artifact.file` on its project's page of each index in turn (PEP 503: `<index>/<normalized
    name>/`) and download it into dest; the caller verifies the sha256."""
    project = re.sub(r"[-_.]+", "-", artifact.package).lower()
    tried = []
    for index in indexes:
        page_url = index.rstrip("/") + f"/{project}/"
        try:
            page = _read_url(page_url).decode("utf-8", "replace")
        except (OSError, ValueError) as exc:
            tried.append(f"{page_url}: {exc}")
            continue
        parser = _Links()
        parser.feed(page)
        for text, href in parser.links:
            name = urllib.parse.unquote(urllib.parse.urlsplit(href).path.rsplit("/", 1)[-1])
            if artifact.file not in (text, name):
                continue
            pinned = urllib.parse.urlsplit(href).fragment
            if pinned.startswith("sha256=") and pinned[7:].lower() != artifact.sha256:
                raise SdkError(f"the index lists {artifact.file} with {pinned}, but the manifest pins sha256 "
                               f"{artifact.sha256}: refused")
            target = dest / artifact.file
            try:
                target.write_bytes(_read_url(urllib.parse.urljoin(page_url, href)))
            except (OSError, ValueError) as exc:
                raise SdkError(f"downloading {artifact.file} from the index failed ({exc}); place the file "
                               f"with sha256 {artifact.sha256} in the SDK cache by hand") from exc
            return target
        tried.append(f"{page_url}: no link to {artifact.file}")
    raise SdkError(
        f"{artifact.file} was not found on the simple index ({'; '.join(tried) or 'no index configured'}); "
        f"check registry access, or place the file with sha256 {artifact.sha256} in the SDK cache by hand"
    )


# -- extraction ----------------------------------------------------------------------------------------

def _read_members(archive: Path, wanted: set[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as bundle:
            for info in bundle.infolist():
                if info.filename in wanted and not info.is_dir():
                    found[info.filename] = bundle.read(info)
    else:
        with tarfile.open(archive, "r:*") as bundle:
            for entry in bundle:
                if entry.name in wanted and entry.isfile():
                    stream = bundle.extractfile(entry)
                    if stream is not None:
                        found[entry.name] = stream.read()
    return found


def extract(artifact: Artifact, archive: Path, dest: Path) -> dict[str, list[str]]:
    """Write the listed members (and nothing else) under dest; return the written paths by role."""
    plan = [("include", m, 0o644) for m in artifact.headers] + [("lib", m, 0o755) for m in artifact.libraries]
    contents = _read_members(archive, {member.path for _, member, _ in plan})
    missing = sorted({member.path for _, member, _ in plan} - contents.keys())
    if missing:
        raise SdkError(
            f"{artifact.file} lacks the listed member(s) {', '.join(missing)}; fix sdk/manifest.toml")
    written: dict[str, list[str]] = {"include": [], "lib": []}
    for folder, member, mode in plan:
        target = dest / folder / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(contents[member.path])
        partial.chmod(mode)
        os.replace(partial, target)
        written[folder].append(str(target))
    return written


def fetch_sdk(sdk: str, api_version: str, dest: Path, *, manifest: Path = DEFAULT_MANIFEST,
              cache: Path | None = None, offline: bool = False,
              pip_args: list[str] | None = None) -> dict[str, object]:
    """Fetch and extract every artifact of one SDK version; write and return `<dest>/sdk-info.json`."""
    artifacts = select(load_manifest(manifest), sdk, api_version)
    headers: list[str] = []
    libraries: list[str] = []
    sources: list[dict[str, str]] = []
    library_sources: list[dict[str, str]] = []  # where each library comes from, for extraction at run time
    library_versions: dict[str, str] = {}
    for artifact in artifacts:
        library_versions.update(artifact.library_versions)
        archive = fetch(artifact, cache=cache, offline=offline, pip_args=pip_args)
        written = extract(artifact, archive, dest)
        headers += written["include"]
        libraries += written["lib"]
        sources.append({"requirement": artifact.requirement, "file": artifact.file,
                        "sha256": artifact.sha256, "cached": str(archive)})
        library_sources += [{"archive": str(archive), "sha256": artifact.sha256, "member": member.path,
                             "name": member.name} for member in artifact.libraries]
    info: dict[str, object] = {"sdk": sdk, "api_version": api_version, "include_dir": str(dest / "include"),
                               "lib_dir": str(dest / "lib"), "headers": headers, "libraries": libraries,
                               "library_versions": library_versions, "artifacts": sources,
                               "library_sources": library_sources}
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "sdk-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fetch_parser = commands.add_parser("fetch", help="fetch, verify and extract one SDK version")
    fetch_parser.add_argument("--sdk", default="ctp")
    fetch_parser.add_argument("--api-version", required=True)
    fetch_parser.add_argument("--dest", type=Path, required=True)
    fetch_parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    fetch_parser.add_argument("--cache", type=Path, default=None,
                              help="default: $VTCORE_SDK_CACHE or ~/.cache/vtcore/sdk")
    fetch_parser.add_argument("--offline", action="store_true", help="use the cache only, never download")
    fetch_parser.add_argument("--pip-arg", action="append", default=[], help="extra pip download argument")
    args = parser.parse_args(argv)
    try:
        offline = args.offline or os.environ.get("VTCORE_SDK_OFFLINE") == "1"
        info = fetch_sdk(args.sdk, args.api_version, args.dest, manifest=args.manifest, cache=args.cache,
                         offline=offline, pip_args=args.pip_arg)
    except SdkError as exc:
        print(f"REASON: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(info["artifacts"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
