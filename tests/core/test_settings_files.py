"""Settings files that are not what they should be (issue 19, item 7): checked for type and size before they
are read (never a hang or a MemoryError), warned about when others can read their secrets, and the
`.vntrader` folder and its sub-folders tightened to owner-only."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from vtcore import setting
from vtcore.errors import SettingsError

pytestmark = pytest.mark.timeout(30)  # a FIFO read without the type check would block here for ever


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / ".vntrader"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("VTCORE_HOME", str(folder))
    yield folder


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_fifo_a_device_a_folder_and_a_huge_file_are_refused_before_reading(home: Path) -> None:
    os.mkfifo(home / "connect_fifo.json")  # nobody writes: reading it would wait for ever
    (home / "connect_zero.json").symlink_to("/dev/zero")  # reading it would never end
    (home / "connect_dir.json").mkdir()
    with open(home / "connect_huge.json", "wb") as huge:  # sparse: 200 MB that take no disk space
        huge.truncate(200 << 20)
    for name, kind in (("fifo", "a FIFO"), ("zero", "a character device"), ("dir", "a folder")):
        with pytest.raises(SettingsError, match=f"not a regular file \\({kind}\\)") as error:
            setting.load_connect_setting(name)
        assert f"connect_{name}.json" in str(error.value)
    with pytest.raises(SettingsError, match=r"209715200 bytes; settings files are at most 1048576 bytes"):
        setting.load_connect_setting("huge")
    (home / "connect_bad.json").write_bytes(b'{"password": "\xff"}')
    with pytest.raises(SettingsError, match="not UTF-8"):
        setting.load_connect_setting("bad")


def test_secrets_readable_by_others_are_warned_about_with_the_fix(
    home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    open_file = home / "connect_ctp.json"
    open_file.write_text(json.dumps({"username": "u", "password": "warn-me-7781"}))
    open_file.chmod(0o644)  # as vn.py writes them
    elsewhere = tmp_path / "shared" / "ctp.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text(json.dumps({"secret": "warn-me-too-7782"}))
    elsewhere.chmod(0o640)
    (home / "connect_linked.json").symlink_to(elsewhere)
    public = home / "connect_public.json"
    public.write_text(json.dumps({"username": "u", "password": ""}))  # nothing secret in it
    public.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="vtcore.setting"):
        assert setting.load_connect_setting("ctp")["password"] == "warn-me-7781"  # read, not refused
        assert setting.load_connect_setting("linked")["secret"] == "warn-me-too-7782"
        setting.load_connect_setting("public")
        setting.load_connect_setting("ctp")  # once per file and mode
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 2, warnings
    assert f"{open_file} holds secrets and other users can read it (mode 644)" in warnings[0]
    assert f"chmod 600 {open_file}" in warnings[0]
    assert f"a link to {elsewhere}" in warnings[1] and f"chmod 600 {elsewhere}" in warnings[1]
    assert not any("warn-me" in line for line in warnings)


def test_existing_folders_are_tightened_to_owner_only(home: Path) -> None:
    home.chmod(0o755)  # as vn.py and older vtcore left it
    (home / "ctp_flow").mkdir(mode=0o755)
    (home / "ctp_flow").chmod(0o755)
    setting.save_json("vt_setting.json", {"language": "en"})
    assert mode(home) == 0o700
    flow = setting.get_folder_path("ctp_flow/CTP/td")
    for folder in (home / "ctp_flow", home / "ctp_flow" / "CTP", flow):
        assert mode(folder) == 0o700, folder
    with pytest.raises(ValueError, match="inside the settings folder"):
        setting.get_folder_path("../elsewhere")
