"""`vtcore trader`: the trader window.

Every `vtcore` command reads this module to build its parser, so it imports no Qt (and no engine) until the
command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from vtcore.gateways import DEFAULT_SIM_GATEWAY

DEFAULT_GATEWAYS = ("CTP",)


def add_trader_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("trader", help="open the trader window (VN Trader; needs vtcore[gui])")
    parser.add_argument(
        "--gateway",
        action="append",
        metavar="NAME",
        help=f"add this gateway (repeatable; default: {', '.join(DEFAULT_GATEWAYS)})",
    )
    parser.add_argument("--language", choices=("zh", "en"), help="window language (default: vt_setting.json)")
    parser.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="NAME",
        help="add an app (repeatable): RpcService, a vn.py app (CtaStrategy, DataManager, DataRecorder, "
        "RiskManager), a module (vnpy_xxx) or module:Class; listed in the 功能 menu",
    )
    parser.add_argument(
        "--sim",
        action="store_true",
        help=f"connect the gateway ({DEFAULT_SIM_GATEWAY} unless --gateway names one) to its local peer",
    )
    parser.set_defaults(func=run_trader_command)


def run_trader_command(args: argparse.Namespace) -> int:
    from vtcore.errors import GatewayNotFoundError, SdkUnavailableError  # noqa: PLC0415 - see the docstring
    from vtcore.gateways import load_gateway_class, start_sim_peer  # noqa: PLC0415

    try:
        from vtcore.ui.trader import run_trader  # noqa: PLC0415 - loads Qt
    except ImportError as error:
        print(
            f"vtcore trader: the window needs PySide6: pip install 'vtcore[gui]' ({error})", file=sys.stderr
        )
        return 2
    from vtcore.cli.apps import AppLoadError, resolve_app  # noqa: PLC0415

    apps: list[type[Any]] = []
    app_errors: list[str] = []
    for name in args.app:
        try:
            apps.append(resolve_app(name))
        except AppLoadError as error:
            app_errors.append(f"{name}: {error}")
    if args.sim:
        # one gateway on its local peer, every contract subscribed once it is ready
        name = (args.gateway or [DEFAULT_SIM_GATEWAY])[0].upper()
        try:
            gateway_class = load_gateway_class(name)
            peer = start_sim_peer(name)
        except (GatewayNotFoundError, SdkUnavailableError) as error:
            print(
                f"vtcore trader --sim: the {name} simulator is not available in this build ({error})",
                file=sys.stderr,
            )
            return 2
        try:
            return run_trader(
                [gateway_class],
                apps,
                language=args.language,
                connect={name: peer.setting},
                auto_subscribe=True,
                app_errors=app_errors,
            )
        finally:
            peer.stop()
    gateways = []
    for gateway_name in args.gateway or DEFAULT_GATEWAYS:
        try:
            gateways.append(load_gateway_class(gateway_name))
        except (GatewayNotFoundError, SdkUnavailableError) as error:
            print(f"vtcore trader: gateway {gateway_name} left out: {error}", file=sys.stderr)
    return run_trader(gateways, apps, language=args.language, app_errors=app_errors)
