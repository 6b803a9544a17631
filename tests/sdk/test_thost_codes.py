"""The Thost family's shared codes (gateways/_sdk/thost/codes.py) are the generated CTP and Mini values."""

from __future__ import annotations

import pytest

from vtcore.gateways._sdk.thost import codes

SDK_TYPES = ["vtcore.gateways.ctp._ctp_types", "vtcore.gateways.mini._mini_types"]


@pytest.mark.parametrize("module_name", SDK_TYPES)
def test_shared_codes_are_the_sdk_headers(module_name: str) -> None:
    types = pytest.importorskip(module_name, reason="vtcore was built without this SDK")
    names = [name for name in vars(codes) if name.startswith("THOST_")]
    assert len(names) > 30
    different = {
        name: (getattr(codes, name), getattr(types, name, None))
        for name in names
        if getattr(types, name, None) != getattr(codes, name)
    }
    assert not different, f"codes.py differs from {module_name}: {different}"
