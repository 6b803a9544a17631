"""`vtcore settings`: check a `.vntrader` folder, or migrate a vn.py one into vtcore's form.

    vtcore settings check [FOLDER]              # every connect_<gateway>.json and vt_setting.json, validated
    vtcore settings migrate [FOLDER] [--dry-run]

FOLDER defaults to the settings folder in force (`$VTCORE_HOME`, else `./.vntrader`, else `~/.vntrader`: where
vn.py keeps its own). `migrate` rewrites each `connect_<gateway>.json` of a known gateway with vtcore's keys
and value spellings (用户名 -> username, 柜台环境 实盘 -> environment production, ...; the gateway's
`SettingsSpec`), drops keys the gateway does not know (naming them), keeps the original beside it as
`<file>.vnpy`, and makes the folder owner-only (0700) and every file in it 0600. vtcore reads vn.py's
spellings anyway; migrating makes the files say what the docs say, and closes the permissions vn.py left open.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vtcore.errors import GatewayNotFoundError, SdkUnavailableError, SettingsError
from vtcore.setting import (
    GLOBAL_SETTINGS_FILE,
    SettingsSpec,
    is_secret_key,
    load_json,
    read_settings,
    save_json,
)


def add_settings_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "settings", help="check settings files, or migrate vn.py's into vtcore's form"
    )
    commands = parser.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="validate every connect_<gateway>.json and vt_setting.json")
    check.add_argument("folder", nargs="?", help="the .vntrader folder (default: the one in force)")
    check.set_defaults(func=run_check)
    migrate = commands.add_parser("migrate", help="rewrite a vn.py .vntrader folder into vtcore's form")
    migrate.add_argument("folder", nargs="?", help="the .vntrader folder (default: the one in force)")
    migrate.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    migrate.set_defaults(func=run_migrate)


@dataclass
class FileReport:
    """What migrating (or checking) one connect file found; no values, so nothing secret."""

    name: str
    gateway: str = ""
    renamed: list[tuple[str, str]] = field(default_factory=list)
    respelled: list[tuple[str, str, str]] = field(default_factory=list)  # key, vn.py value, vtcore value
    dropped: list[str] = field(default_factory=list)
    problem: str = ""
    skipped: str = ""

    def lines(self) -> list[str]:
        head = f"{self.name}" + (f" ({self.gateway})" if self.gateway else "")
        if self.skipped:
            return [f"{head}: left as is: {self.skipped}"]
        out = [f"{head}:"]
        if self.renamed:
            out.append("  keys: " + ", ".join(f"{old} -> {new}" for old, new in self.renamed))
        if self.respelled:
            out.append("  values: " + ", ".join(f"{key} {old} -> {new}" for key, old, new in self.respelled))
        if self.dropped:
            out.append("  dropped (unknown to the gateway): " + ", ".join(self.dropped))
        if not (self.renamed or self.respelled or self.dropped):
            out.append("  already in vtcore's form")
        if self.problem:
            out.append(f"  still invalid: {self.problem}")
        return out


def _folder(args: argparse.Namespace) -> Path:
    from vtcore.setting import get_settings_dir  # noqa: PLC0415 (the folder in force when the command runs)

    return Path(args.folder).expanduser() if args.folder else get_settings_dir()


def _gateway_spec(gateway: str) -> SettingsSpec:
    from vtcore.gateways import load_gateway_class  # noqa: PLC0415 (imports gateway modules: only when asked)

    return load_gateway_class(gateway).settings_spec()


def _connect_files(folder: Path) -> list[tuple[Path, str]]:
    """(file, the registered gateway name it belongs to, or "" when none) for each connect_*.json."""
    from vtcore.gateways import GATEWAYS  # noqa: PLC0415

    by_file = {f"connect_{name.lower()}.json": name for name in GATEWAYS}
    return [(path, by_file.get(path.name, "")) for path in sorted(folder.glob("connect_*.json"))]


def _load_in(folder: Path, name: str) -> dict[str, Any]:
    data = load_json(name, folder)
    if data is None:
        raise SettingsError("settings file not found", file=str(folder / name))
    return data


def migrate_file(path: Path, gateway: str, dry_run: bool = False) -> FileReport:
    """Rewrite one connect file with the gateway's keys and spellings (original kept as `<file>.vnpy`)."""
    report = FileReport(path.name, gateway)
    if not gateway:
        report.skipped = "no vtcore gateway has this file name"
        return report
    try:
        spec = _gateway_spec(gateway)
        data = _load_in(path.parent, path.name)
        clean = spec.normalize(data, str(path), warn=False)
    except (GatewayNotFoundError, SdkUnavailableError, SettingsError) as exc:
        report.skipped = str(exc)
        return report
    aliases = spec.key_aliases()
    for raw, value in data.items():
        key = raw if raw in spec.fields else aliases.get(raw, raw)
        if key != raw:
            report.renamed.append((raw, key))
        if key not in spec.fields:
            report.dropped.append(raw)
            clean.pop(key, None)
        elif isinstance(value, str) and clean[key] != value and not is_secret_key(key):
            report.respelled.append((key, value, str(clean[key])))
    try:
        spec.validate(clean, str(path))
    except SettingsError as exc:
        report.problem = str(exc)
    if dry_run or not (report.renamed or report.respelled or report.dropped):
        return report
    backup = path.with_name(path.name + ".vnpy")
    if not backup.exists():
        _write_private(backup, path.read_bytes())
    save_json(path.name, clean, path.parent)
    return report


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def make_private(folder: Path, dry_run: bool = False) -> list[str]:
    """The folder 0700 and every file under it 0600 (vn.py writes them with the umask's modes)."""
    changed: list[str] = []
    paths = [folder, *sorted(folder.rglob("*"))]
    for path in paths:
        if path.is_symlink():
            continue
        wanted = 0o700 if path.is_dir() else 0o600
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~wanted:
            changed.append(
                f"{path.relative_to(folder) if path != folder else path.name}: {mode:o} -> {wanted:o}"
            )
            if not dry_run:
                path.chmod(mode & wanted)
    return changed


def run_migrate(args: argparse.Namespace) -> int:
    folder = _folder(args)
    if not folder.is_dir():
        print(f"vtcore settings migrate: no folder {folder}", file=sys.stderr)
        return 2
    verb = "would change" if args.dry_run else "changed"
    print(f"{'dry run: ' if args.dry_run else ''}migrating {folder}")
    invalid = 0
    for path, gateway in _connect_files(folder):
        report = migrate_file(path, gateway, args.dry_run)
        invalid += bool(report.problem)
        print("\n".join(report.lines()))
    modes = make_private(folder, args.dry_run)
    if modes:
        print(f"permissions ({verb}, owner-only): " + "; ".join(modes))
    status = _check_global(folder)
    if status:
        print(status)
        invalid += 1
    return 1 if invalid else 0


def _check_global(folder: Path) -> str:
    """ "" when vt_setting.json is absent or valid, else what is wrong with it."""
    try:
        read_settings(folder)
    except SettingsError as exc:
        return f"{GLOBAL_SETTINGS_FILE}: invalid: {exc}"
    return ""


def run_check(args: argparse.Namespace) -> int:
    folder = _folder(args)
    if not folder.is_dir():
        print(f"vtcore settings check: no folder {folder}", file=sys.stderr)
        return 2
    bad = 0
    for path, gateway in _connect_files(folder):
        if not gateway:
            print(f"{path.name}: no vtcore gateway has this file name")
            continue
        try:
            _gateway_spec(gateway).validate(_load_in(folder, path.name), str(path))
        except (GatewayNotFoundError, SdkUnavailableError) as exc:
            print(f"{path.name} ({gateway}): cannot check: {exc}")
            continue
        except SettingsError as exc:
            bad += 1
            print(f"{path.name} ({gateway}): {exc}")
            continue
        print(f"{path.name} ({gateway}): ok")
    status = _check_global(folder)
    print(status or f"{GLOBAL_SETTINGS_FILE}: ok")
    loose = make_private(folder, dry_run=True)
    if loose:
        print("not owner-only (vtcore settings migrate fixes it): " + "; ".join(loose))
    return 1 if bad or status else 0
