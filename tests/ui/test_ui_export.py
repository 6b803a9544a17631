"""CSV export from every monitor ("保存数据" in the context menu), as in vn.py's VN Trader.

The file holds what the table shows (headers, then the rows left by the filter, in the view's row and column
order), as UTF-8 with a BOM for Excel, read back here with the csv module. The file dialog is answered through
the monitor's `choose_path` seam. The file is written on a worker thread: a test holds the writer and shows
that the engine and the window keep working meanwhile. Offscreen; every wait is on a condition.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: the tests need no display

import csv
import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtCore
from test_ui_window import SHANGHAI, WAIT_MS, DemoGateway, connect_demo, rows
from test_ui_window import engine as _engine_fixture
from test_ui_window import home as _settings_home_fixture
from test_ui_window import window as _window_fixture

from vtcore import (
    AccountData,
    ContractData,
    Direction,
    EventEngine,
    Exchange,
    LogData,
    MainEngine,
    Offset,
    OrderData,
    OrderType,
    PositionData,
    Product,
    Status,
    TickData,
    TradeData,
)
from vtcore.log import MASK, register_secret
from vtcore.ui import MainWindow, export
from vtcore.ui.contracts import ContractTable
from vtcore.ui.monitor import (
    AccountMonitor,
    ActiveOrderMonitor,
    BaseMonitor,
    LogMonitor,
    OrderMonitor,
    PositionMonitor,
    TickMonitor,
    TradeMonitor,
)
from vtcore.ui.text import Text

home = _settings_home_fixture  # each test gets its own settings folder
engine = _engine_fixture
window = _window_fixture
Engine = tuple[MainEngine, EventEngine, DemoGateway]

WHEN = dt.datetime(2026, 11, 26, 9, 30, 15, 250_000, tzinfo=SHANGHAI)
ORDER = OrderData(
    gateway_name="DEMO",
    symbol="rb2605",
    exchange=Exchange.SHFE,
    orderid="7",
    type=OrderType.LIMIT,
    direction=Direction.LONG,
    offset=Offset.OPEN,
    price=3850.0,
    volume=2,
    traded=0.5,
    status=Status.NOTTRADED,
    datetime=WHEN,
    reference="手动",
)


def _log_at(when: dt.datetime, msg: str) -> LogData:
    log = LogData(gateway_name="DEMO", msg=msg)
    log.time = when  # stamped at creation otherwise
    return log


# For each monitor: data objects whose display is known, and the cells expected for the first of them.
CASES: dict[type[BaseMonitor], tuple[list[Any], dict[str, str]]] = {
    TickMonitor: (
        [
            TickData(
                gateway_name="DEMO",
                symbol="rb2605",
                exchange=Exchange.SHFE,
                datetime=WHEN,
                name="螺纹钢2605",
                last_price=3850.0,
                volume=12345,
                open_price=0.1 + 0.2,
                high_price=3861.5,
                low_price=1e-5,
                bid_price_1=3849.0,
                bid_volume_1=12,
                ask_price_1=3851.0,
                ask_volume_1=7,
            )
        ],
        {
            "名称": "螺纹钢2605",
            "最新价": "3850",
            "开盘价": "0.3",
            "最高价": "3861.5",
            "最低价": "1e-05",
            "时间": "09:30:15.250",
        },
    ),
    OrderMonitor: (
        [ORDER],
        {"来源": "手动", "方向": "多", "开平": "开", "价格": "3850", "已成交": "0.5", "状态": "未成交"},
    ),
    ActiveOrderMonitor: ([ORDER], {"委托号": "7", "类型": "限价", "状态": "未成交"}),
    TradeMonitor: (
        [
            TradeData(
                gateway_name="DEMO",
                symbol="ag2606",
                exchange=Exchange.SHFE,
                orderid="7",
                tradeid="t1",
                direction=Direction.SHORT,
                offset=Offset.CLOSETODAY,
                price=7800.5,
                volume=3,
                datetime=WHEN,
            )
        ],
        {"成交号": "t1", "方向": "空", "开平": "平今", "价格": "7800.5", "数量": "3"},
    ),
    PositionMonitor: (
        [
            PositionData(
                gateway_name="DEMO",
                symbol="i2609",
                exchange=Exchange.DCE,
                direction=Direction.SHORT,
                volume=2,
                yd_volume=1,
                frozen=0,
                price=801.5,
                pnl=-100.25,
            )
        ],
        {"代码": "i2609", "交易所": "DCE", "均价": "801.5", "盈亏": "-100.25"},
    ),
    AccountMonitor: (
        [AccountData(gateway_name="DEMO", accountid="张三", balance=1_000_000.0, frozen=2500.125)],
        {"账号": "张三", "余额": "1000000", "冻结": "2500.125", "可用": "997499.875"},
    ),
    LogMonitor: (  # newest on top: the last item is the first row
        [_log_at(WHEN, 'say "hi"'), _log_at(WHEN, "连接成功, ok")],
        {"信息": "连接成功, ok", "接口": "DEMO", "时间": "09:30:15.250"},
    ),
    ContractTable: (
        [
            ContractData(
                gateway_name="DEMO",
                symbol="rb2605",
                exchange=Exchange.SHFE,
                name="螺纹钢2605",
                product=Product.FUTURES,
                size=10,
                pricetick=1.0,
                min_volume=1,
            )
        ],
        {
            "本地代码": "rb2605.SHFE",
            "名称": "螺纹钢2605",
            "合约分类": "期货",
            "合约乘数": "10",
            "价格跳动": "1",
        },
    ),
}


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the file as UTF-8
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def answer_dialog(monitor: BaseMonitor, path: Path | str) -> list[tuple[str, str]]:
    """Answer the monitor's file dialog with `path`; returns the (title, suggested name) it was asked with."""
    asked: list[tuple[str, str]] = []

    def choose(parent: Any, title: str, suggested: str) -> str:
        assert parent is monitor
        asked.append((title, suggested))
        return str(path)

    monitor.choose_path = choose
    return asked


def export_and_wait(qtbot: Any, monitor: BaseMonitor) -> tuple[str, int, str]:
    """Trigger 保存数据 from the context menu and wait for the export to report."""
    with qtbot.waitSignal(monitor.export_finished, timeout=WAIT_MS) as blocker:
        monitor.save_action.trigger()
    path, count, error = blocker.args
    return str(path), int(count), str(error)


def shown(monitor: BaseMonitor) -> list[list[str]]:
    """The headers and cells as the view shows them, read from the view (not through the export code)."""
    header = monitor.view.horizontalHeader()
    proxy = monitor.proxy
    order = [header.logicalIndex(visual) for visual in range(header.count())]
    table = [[str(proxy.headerData(column, QtCore.Qt.Orientation.Horizontal)) for column in order]]
    for row in range(proxy.rowCount()):
        table.append([str(proxy.data(proxy.index(row, column))) for column in order])
    return table


@pytest.mark.parametrize("monitor_class", list(CASES), ids=lambda cls: cls.__name__)
def test_every_monitor_saves_its_rows_as_csv(
    qtbot: Any, tmp_path: Path, monitor_class: Callable[..., BaseMonitor]
) -> None:
    monitor = monitor_class(Text("zh"))
    qtbot.addWidget(monitor)
    items, expected = CASES[monitor_class]  # type: ignore[index]
    monitor.update_rows(items)
    assert [action.text() for action in monitor.context_menu.actions()] == ["调整列宽", "保存数据"]
    target = tmp_path / "导出.csv"
    asked = answer_dialog(monitor, target)

    path, count, error = export_and_wait(qtbot, monitor)
    assert (path, count, error) == (str(target), len(items), "")
    title, suggested = asked[0]
    assert title == "保存数据"
    assert suggested.startswith(f"{monitor.export_name}_") and suggested.endswith(".csv")
    table = read_csv(target)
    assert table == shown(monitor)
    assert len(table) == 1 + len(items)
    first = dict(zip(table[0], table[1], strict=True))
    assert {header: first[header] for header in expected} == expected
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place


def test_export_follows_filter_sort_and_column_order(qtbot: Any, tmp_path: Path) -> None:
    monitor = PositionMonitor(Text("zh"))
    qtbot.addWidget(monitor)
    monitor.update_rows(
        [
            PositionData(
                gateway_name="DEMO",
                symbol=symbol,
                exchange=Exchange.SHFE,
                direction=Direction.LONG,
                volume=volume,
                price=price,
            )
            for symbol, volume, price in [("rb2605", 3, 3850.0), ("ag2606", 1, 7800.5), ("rb2610", 5, 3901.0)]
        ]
    )
    qtbot.keyClicks(monitor.filter_edit, "rb")
    volume_column = monitor.header_keys().index("col_position")
    monitor.view.sortByColumn(volume_column, QtCore.Qt.SortOrder.DescendingOrder)
    monitor.view.horizontalHeader().moveSection(volume_column, 0)
    monitor.view.horizontalHeader().hideSection(monitor.header_keys().index("col_gateway"))
    answer_dialog(monitor, tmp_path / "positions.csv")
    export_and_wait(qtbot, monitor)
    table = read_csv(tmp_path / "positions.csv")
    assert table[0] == ["数量", "代码", "交易所", "方向", "昨仓", "冻结", "均价", "盈亏"]
    assert [row[:2] for row in table[1:]] == [["5", "rb2610"], ["3", "rb2605"]]


def test_cancelled_dialog_writes_nothing(qtbot: Any, tmp_path: Path) -> None:
    monitor = LogMonitor(Text("zh"))
    qtbot.addWidget(monitor)
    monitor.update_rows([LogData(gateway_name="DEMO", msg="x")])
    answer_dialog(monitor, "")
    assert monitor.save_csv() is None
    assert list(tmp_path.iterdir()) == []


def test_secrets_stay_masked_and_formulas_are_not_run(qtbot: Any, tmp_path: Path) -> None:
    register_secret("s3cret-pw-export")
    monitor = LogMonitor(Text("zh"))
    qtbot.addWidget(monitor)
    monitor.update_rows(
        [
            LogData(gateway_name="DEMO", msg="login failed for s3cret-pw-export"),
            LogData(gateway_name="DEMO", msg="retry with password=hunter2 now"),
            LogData(gateway_name="DEMO", msg='=HYPERLINK("http://127.0.0.1/x","click")'),
            LogData(gateway_name="DEMO", msg="-12.5"),
        ]
    )
    assert all("s3cret-pw-export" not in row["信息"] for row in rows(monitor))  # masked on screen too
    answer_dialog(monitor, tmp_path / "log.csv")
    export_and_wait(qtbot, monitor)
    text = (tmp_path / "log.csv").read_text(encoding="utf-8-sig")
    assert "s3cret-pw-export" not in text and "hunter2" not in text
    messages = [row[2] for row in read_csv(tmp_path / "log.csv")[1:]]
    assert messages == [  # newest on top, as the log monitor shows them
        "-12.5",
        '\'=HYPERLINK("http://127.0.0.1/x","click")',
        f"retry with password={MASK} now",
        f"login failed for {MASK}",
    ]


def test_a_failed_export_is_reported_in_the_window(
    qtbot: Any, window: MainWindow, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monitor = window.account_monitor
    monitor.update_rows(CASES[AccountMonitor][0])
    target = tmp_path / "missing-folder" / "account.csv"
    answer_dialog(monitor, target)
    with caplog.at_level(logging.WARNING, logger="vtcore.ui"):
        path, count, error = export_and_wait(qtbot, monitor)
    assert (path, count) == (str(target), 0)
    assert error
    assert not target.exists()
    assert window.statusBar().currentMessage().startswith(f"无法保存 {target}")
    qtbot.waitUntil(
        lambda: any("无法保存" in row["信息"] for row in rows(window.log_monitor)), timeout=WAIT_MS
    )


def test_export_runs_off_the_gui_and_engine_threads(
    qtbot: Any, window: MainWindow, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the file is being written (held here until released), the engine keeps dispatching and the
    window keeps showing what it dispatches."""
    main_engine, _, gateway = engine
    connect_demo(qtbot, window, gateway)
    monitor = window.log_monitor
    qtbot.waitUntil(
        lambda: any("connected as alice" in row["信息"] for row in rows(monitor)), timeout=WAIT_MS
    )
    rows_before = len(rows(monitor))

    writing = threading.Event()
    release = threading.Event()
    writer_threads: list[threading.Thread] = []
    real_write = export.write_csv

    def held_write(path: Any, headers: Sequence[str], table: Sequence[Sequence[str]]) -> int:
        writer_threads.append(threading.current_thread())
        writing.set()
        assert release.wait(WAIT_MS / 1000)
        return real_write(path, headers, table)

    monkeypatch.setattr(export, "write_csv", held_write)
    target = tmp_path / "log.csv"
    answer_dialog(monitor, target)
    # Opened from the context menu, as the user does.
    monitor.view.customContextMenuRequested.emit(QtCore.QPoint(5, 5))
    qtbot.waitUntil(monitor.context_menu.isVisible, timeout=WAIT_MS)
    with qtbot.waitSignal(monitor.export_finished, timeout=WAIT_MS) as finished:
        monitor.save_action.trigger()
        monitor.context_menu.close()
        running = monitor.exports[:]
        assert len(running) == 1
        qtbot.waitUntil(writing.is_set, timeout=WAIT_MS)
        # The writer is held: the engine still dispatches and the window still shows what it dispatches.
        gateway.write_log("logged while exporting")
        qtbot.waitUntil(
            lambda: any(row["信息"] == "logged while exporting" for row in rows(monitor)), timeout=WAIT_MS
        )
        assert main_engine.get_all_accounts()
        release.set()
    assert finished.args[2] == ""
    assert writer_threads[0] is not threading.main_thread()
    table = read_csv(target)
    assert len(table) == 1 + rows_before  # the rows shown when Save was chosen
    assert all("logged while exporting" not in row for row in table)
    assert window.statusBar().currentMessage() == f"已保存 {rows_before} 行到 {target}"
    assert monitor.exports == []
    assert running[0].wait(WAIT_MS / 1000)
