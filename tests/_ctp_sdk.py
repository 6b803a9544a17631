"""Test helper: the real headers and libraries of a pinned SDK version (CTP, CTP-Mini), through the fetch
tool's cache.

The build fetched them already, so this is a cache hit (no network); on a fresh machine the tool downloads.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def sdk_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vtcore_sdk", ROOT / "tools" / "vtcore_sdk.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["vtcore_sdk"] = module
    spec.loader.exec_module(module)
    return module


@functools.cache
def sdk_dir(api_version: str = "6.7.11", sdk: str = "ctp") -> Path:
    """A folder with include/ and lib/ of that SDK version (one per test session)."""
    dest = Path(tempfile.mkdtemp(prefix=f"vtcore-{sdk}-{api_version}-"))
    sdk_tool().fetch_sdk(sdk, api_version, dest)
    return dest
