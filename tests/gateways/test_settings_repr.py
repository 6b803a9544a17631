"""The gateways' parsed settings objects show what was connected to and never a secret: their repr is what a
log line, a traceback or a debugger prints (`vtcore.log.secret_free_repr`)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from vtcore.gateways._sdk.thost.gateway import ThostSetting
from vtcore.gateways._venue.settings import CommonSettings
from vtcore.gateways.femas.gateway import FemasSetting
from vtcore.gateways.tap.gateway import TapSetting
from vtcore.gateways.tora.gateway import ToraSetting
from vtcore.gateways.xtp.gateway import XtpSetting
from vtcore.log import is_secret_key

SETTINGS_CLASSES = [ThostSetting, FemasSetting, XtpSetting, TapSetting, ToraSetting, CommonSettings]


def filled(cls: type) -> tuple[Any, dict[str, str]]:
    """An instance whose every text field holds a distinct marker, and the markers by field name."""
    values: dict[str, Any] = {}
    markers: dict[str, str] = {}
    for field in dataclasses.fields(cls):
        if field.type in ("int", int):
            values[field.name] = 7
        elif field.type in ("bool", bool):
            values[field.name] = True
        else:
            markers[field.name] = values[field.name] = f"marker-{field.name}-Zq9"
    return cls(**values), markers


@pytest.mark.parametrize("cls", SETTINGS_CLASSES, ids=lambda cls: cls.__name__)
def test_settings_repr_shows_no_secret_and_every_other_text_field(cls: type) -> None:
    settings, markers = filled(cls)
    text = repr(settings)
    assert text.startswith(f"{cls.__name__}(")
    secrets = [name for name in markers if is_secret_key(name)]
    assert secrets, f"{cls.__name__} has no secret field: the test would prove nothing"
    for name, marker in markers.items():
        if name in secrets:
            assert marker not in text, f"{cls.__name__}.{name} shown in its repr"
        else:
            assert f"{name}={marker!r}" in text
    assert str(settings) == text  # str() falls back to the same repr
