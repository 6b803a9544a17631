"""Apps by name for `vtcore trader --app NAME` and `vtcore run --app NAME`.

NAME is, in this order: one of vtcore's own apps (`APPS`: the RPC service), a vn.py app's `app_name`
(`VNPY_APPS`: CtaStrategy, DataManager, ...), a module that defines one app (`vnpy_ctastrategy`), or
`module:Class`. vn.py's apps run on vtcore through `vtcore.vnpy_compat` (MainEngine.add_app does that).
"""

from __future__ import annotations

import importlib
from typing import Any

from vtcore.errors import VtcoreError

#: vtcore's own apps
APPS: dict[str, str] = {
    "RpcService": "vtcore.rpc.service:RpcServiceApp",
}
#: vn.py 4.x apps known to run through vtcore.vnpy_compat (any other vn.py app can be named by module)
VNPY_APPS: dict[str, str] = {
    "CtaStrategy": "vnpy_ctastrategy:CtaStrategyApp",
    "DataManager": "vnpy_datamanager:DataManagerApp",
    "DataRecorder": "vnpy_datarecorder:DataRecorderApp",
    "RiskManager": "vnpy_riskmanager:RiskManagerApp",
}


class AppLoadError(VtcoreError):
    """An app named on the command line cannot be found or imported."""


def resolve_app(name: str) -> type[Any]:
    """The app class `name` means; AppLoadError says what was tried and why it failed."""
    target = APPS.get(name) or VNPY_APPS.get(name) or _case_insensitive(name) or name
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        known = ", ".join([*APPS, *VNPY_APPS])
        raise AppLoadError(
            f"app {name!r}: cannot import {module_name} ({exc}); known apps: {known}, or module:Class"
        ) from exc
    except Exception as exc:  # an app's module that raises on import is that app's failure, said as such
        reason = f"{type(exc).__name__}: {exc}"
        raise AppLoadError(f"app {name!r}: importing {module_name} failed: {reason}") from exc
    if class_name:
        app_class = getattr(module, class_name, None)
        if not isinstance(app_class, type):
            raise AppLoadError(f"app {name!r}: {module_name} has no class {class_name}")
        return app_class
    found = [
        value
        for key, value in vars(module).items()
        if isinstance(value, type) and key.endswith("App") and hasattr(value, "engine_class")
    ]
    if len(found) != 1:
        raise AppLoadError(
            f"app {name!r}: {module_name} defines {len(found)} app classes; name one as {module_name}:Class"
        )
    return found[0]


def _case_insensitive(name: str) -> str | None:
    for table in (APPS, VNPY_APPS):
        for key, target in table.items():
            if key.lower() == name.lower():
                return target
    return None


def app_display_names() -> list[str]:
    return [*APPS, *VNPY_APPS]
