"""`vtcore trader`: the trader window.

Every `vtcore` command reads this module to build its parser, so it imports no Qt (and no engine) until the
command runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

DEFAULT_GATEWAYS = ("CTP",)
# The CTP part's `vtcore run --sim` helpers: SIM_GATEWAY and simulator_setting().
SIMULATOR_MODULE = "vtcore.gateways.ctp.cli"


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
        "--sim", action="store_true", help="connect the CTP gateway to the built-in simulated exchange"
    )
    parser.add_argument(
        "--always-open", action="store_true",
        help="with --sim, the simulated exchange ticks around the clock (default: only in its trading hours)",
    )
    parser.set_defaults(func=run_trader_command)


def run_trader_command(args: argparse.Namespace) -> int:
    from vtcore.errors import GatewayNotFoundError, SdkUnavailableError  # noqa: PLC0415 - see the docstring
    from vtcore.gateways import load_gateway_class  # noqa: PLC0415

    try:
        from .trader import run_trader  # noqa: PLC0415 - loads Qt
    except ImportError as error:
        print(f"vtcore trader: the window needs PySide6: pip install 'vtcore[gui]' ({error})",
              file=sys.stderr)
        return 2
    if args.sim:
        # CTP connected to the simulator libraries built with vtcore, every contract subscribed once ready.
        try:
            simulator = importlib.import_module(SIMULATOR_MODULE)
            sim_gateway: str = simulator.SIM_GATEWAY
            gateway_class = load_gateway_class(sim_gateway)
            setting: dict[str, Any] = simulator.simulator_setting()
            simulator.use_always_open(args)
        except (ImportError, AttributeError, GatewayNotFoundError, SdkUnavailableError) as error:
            print(f"vtcore trader --sim: the CTP simulator is not available in this build ({error})",
                  file=sys.stderr)
            return 2
        return run_trader(
            [gateway_class], language=args.language, connect={sim_gateway: setting}, auto_subscribe=True
        )
    gateways = []
    for name in args.gateway or DEFAULT_GATEWAYS:
        try:
            gateways.append(load_gateway_class(name))
        except (GatewayNotFoundError, SdkUnavailableError) as error:
            print(f"vtcore trader: gateway {name} left out: {error}", file=sys.stderr)
    return run_trader(gateways, language=args.language)
