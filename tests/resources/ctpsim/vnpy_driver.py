"""Drive the unmodified vnpy_ctp extensions (vnctpmd, vnctptd) against the libthost*_se.so the loader finds,
or vnpy_mini's (vnminimd, vnminitd) against libthost*.so.

    python vnpy_driver.py <folder with vnctpmd*.so and vnctptd*.so> <flow folder> [ctp|mini]

Run with LD_LIBRARY_PATH pointing at the simulator (the extensions have NEEDED libthost*_se.so and RUNPATH
$ORIGIN; LD_LIBRARY_PATH is searched first) and LOCPATH holding a zh_CN.GB18030 locale (vnpy converts
GB18030 with std::locale("zh_CN.GB18030")). Prints one JSON object with what happened and which libraries were
mapped. vnpy_ctp's package __init__ is not imported (it pulls in the vnpy GUI stack): the extensions load by
path. The callback names are vnpy's, hence camelCase.
"""
# ruff: noqa: N802

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

Data = dict[str, Any]

TIMEOUT = 60.0
TICKS = 200


def load(folder: Path, name: str) -> ModuleType:
    path = next(folder.glob(f"{name}.*.so"))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    folder, flow = Path(sys.argv[1]), Path(sys.argv[2])
    sdk = sys.argv[3] if len(sys.argv) > 3 else "ctp"
    vnctpmd, vnctptd = load(folder, f"vn{sdk}md"), load(folder, f"vn{sdk}td")
    report: dict[str, Any] = {"errors": [], "order_status": {}, "trades": [], "ticks": 0}
    lock = threading.Lock()
    ticks_done, orders_done, error_seen = threading.Event(), threading.Event(), threading.Event()
    front = "tcp://127.0.0.1:0"
    login = {"UserID": "u1", "Password": "p1", "BrokerID": "9999"}

    class Md(vnctpmd.MdApi):  # type: ignore[misc, name-defined]
        def onFrontConnected(self) -> None:
            self.reqUserLogin(login, 1)

        def onRspUserLogin(self, data: Data, error: Data, reqid: int, last: bool) -> None:
            report["md_login"] = error.get("ErrorID")
            self.subscribeMarketData("rb2601")

        def onRtnDepthMarketData(self, data: dict[str, Any]) -> None:
            with lock:
                report["ticks"] += 1
                if report["ticks"] == 1:
                    report["first_tick"] = {
                        k: data[k]
                        for k in (
                            "InstrumentID",
                            "ExchangeID",
                            "LastPrice",
                            "ActionDay",
                            "UpdateTime",
                            "BidPrice5",
                        )
                    }
                if report["ticks"] == TICKS:
                    ticks_done.set()

    class Td(vnctptd.TdApi):  # type: ignore[misc, name-defined]
        def onFrontConnected(self) -> None:
            self.reqAuthenticate({"UserID": "u1", "BrokerID": "9999", "AuthCode": "code", "AppID": "app"}, 1)

        def onRspAuthenticate(self, data: Data, error: Data, reqid: int, last: bool) -> None:
            report["auth"] = error.get("ErrorID")
            self.reqUserLogin(login, 2)

        def onRspUserLogin(self, data: Data, error: Data, reqid: int, last: bool) -> None:
            report["td_login"] = error.get("ErrorID")
            report["session"] = (data["FrontID"], data["SessionID"])
            if sdk == "mini":  # CTP-Mini has no settlement confirmation
                self.reqQryInstrument({}, 4)
            else:
                self.reqSettlementInfoConfirm({"BrokerID": "9999", "InvestorID": "u1"}, 3)

        def onRspSettlementInfoConfirm(self, data: Data, error: Data, reqid: int, last: bool) -> None:
            self.reqQryInstrument({}, 4)

        def onRspQryInstrument(self, data: Data, error: Data, reqid: int, last: bool) -> None:
            report.setdefault("instruments", []).append(data["InstrumentID"])
            if data["InstrumentID"] == "rb2601":
                report["rb_name"] = data["InstrumentName"]
            if last:
                order = {
                    "InstrumentID": "rb2601",
                    "ExchangeID": "SHFE",
                    "LimitPrice": 3110.0,
                    "VolumeTotalOriginal": 1,
                    "OrderPriceType": "2",
                    "Direction": "0",
                    "CombOffsetFlag": "0",
                    "OrderRef": "1",
                    "InvestorID": "u1",
                    "UserID": "u1",
                    "BrokerID": "9999",
                    "CombHedgeFlag": "1",
                    "ContingentCondition": "1",
                    "ForceCloseReason": "0",
                    "IsAutoSuspend": 0,
                    "TimeCondition": "3",
                    "VolumeCondition": "1",
                    "MinVolume": 1,
                }
                self.reqOrderInsert(order, 5)  # crosses the book: filled
                # The second one rests, then is cancelled.
                self.reqOrderInsert({**order, "OrderRef": "2", "LimitPrice": 3000.0}, 6)

        def onRtnOrder(self, data: dict[str, Any]) -> None:
            ref = data["OrderRef"]
            report["order_status"].setdefault(ref, []).append(data["OrderStatus"])
            if ref == "2" and data["OrderStatus"] == "3":
                front_id, session_id = report["session"]
                self.reqOrderAction(
                    {
                        "InstrumentID": "rb2601",
                        "ExchangeID": "SHFE",
                        "OrderRef": "2",
                        "FrontID": front_id,
                        "SessionID": session_id,
                        "ActionFlag": "0",
                        "BrokerID": "9999",
                        "InvestorID": "u1",
                        "UserID": "u1",
                    },
                    7,
                )
            if ref == "2" and data["OrderStatus"] == "5":
                report["cancel_msg"] = data["StatusMsg"]
                self.reqQryExchange({}, 8)  # not implemented by the simulator: onRspError
            last_status = {key: states[-1] for key, states in report["order_status"].items()}
            if last_status.get("1") == "0" and last_status.get("2") == "5" and report["trades"]:
                orders_done.set()

        def onRtnTrade(self, data: dict[str, Any]) -> None:
            report["trades"].append((data["OrderRef"], data["Volume"]))

        def onRspError(self, error: dict[str, Any], reqid: int, last: bool) -> None:
            report["errors"].append((error["ErrorID"], error["ErrorMsg"], reqid))
            error_seen.set()

    md, td = Md(), Td()
    if sdk == "mini":  # vnpy_mini's factories take the flow path alone
        md.createFtdcMdApi(str(flow / "md_"))
        td.createFtdcTraderApi(str(flow / "td_"))
    else:
        md.createFtdcMdApi(str(flow / "md_"), True)
        td.createFtdcTraderApi(str(flow / "td_"), True)
    md.registerFront(front)
    md.init()
    td.subscribePrivateTopic(0)
    td.subscribePublicTopic(0)
    td.registerFront(front)
    td.init()
    report["ticks_done"] = ticks_done.wait(TIMEOUT)
    report["orders_done"] = orders_done.wait(TIMEOUT)
    report["error_seen"] = error_seen.wait(TIMEOUT)
    report["mapped"] = sorted(
        {
            line.split()[-1]
            for line in Path("/proc/self/maps").read_text().splitlines()
            if "thost" in line or "simcore" in line
        }
    )
    md.exit()
    td.exit()
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
