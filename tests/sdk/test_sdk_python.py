"""The Python half of the SDK kit (vtcore.gateways._sdk) on its own: finding libraries, the build's record of
an SDK, and decoding a binding's messages into typed views."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from vtcore.errors import SdkUnavailableError
from vtcore.gateways._sdk import build
from vtcore.gateways._sdk.library import LibrarySpec, find_libraries

SPEC = LibrarySpec("DEMO", {"md": "libdemo_md", "td": "libdemo_td"}, "VTCORE_DEMO_LIB_DIR")


def test_libraries_by_setting_then_environment_plain_or_hashed_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setting, env = tmp_path / "setting", tmp_path / "env"
    for folder in (setting, env):
        folder.mkdir()
    (setting / "libdemo_md.so").write_bytes(b"")
    (setting / "libdemo_td-0a1b2c3d.so").write_bytes(b"")  # auditwheel's hashed name
    (env / "libdemo_md.so").write_bytes(b"")
    (env / "libdemo_td.so").write_bytes(b"")
    monkeypatch.setenv(SPEC.env, str(env))
    assert find_libraries(SPEC, str(setting)) == {
        "md": setting / "libdemo_md.so",
        "td": setting / "libdemo_td-0a1b2c3d.so",
    }
    assert find_libraries(SPEC) == {"md": env / "libdemo_md.so", "td": env / "libdemo_td.so"}
    (env / "libdemo_td.so").unlink()
    missing = rf"no libdemo_td\*\.so in {env} \(from \$VTCORE_DEMO_LIB_DIR\)"
    with pytest.raises(SdkUnavailableError, match=missing):
        find_libraries(SPEC)
    monkeypatch.delenv(SPEC.env)
    with pytest.raises(SdkUnavailableError, match=r"set the gateway setting library_dir or \$VTCORE_DEMO"):
        find_libraries(SPEC)


def test_build_record_of_an_unknown_sdk_says_why() -> None:
    info = build.build_info("nosuchsdk")
    assert info["found"] is False and "nosuchsdk.json is missing" in info["unavailable_reason"]
    with pytest.raises(SdkUnavailableError, match="not available in this build"):
        build.load_binding("nosuchsdk")
    assert {"ctp", "mini"} <= set(build.known_sdks())


def test_messages_decode_lazily_into_typed_views() -> None:
    types = pytest.importorskip("vtcore.gateways.mini._mini_types", reason="built without CTP-Mini")
    from vtcore.gateways._sdk.messages import Decoder  # noqa: PLC0415

    decoder = Decoder(types)
    order = types.Order(InstrumentID="rb2601", OrderStatus="3", StatusMsg="未成交", CustomOrderRef=7)
    info = types.RspInfo(ErrorID=0)
    message = decoder.decode(types.TRADER_OnRtnOrder, 0, True, struct.pack("<I", 1) + bytes(order))
    assert message.name == "OnRtnOrder" and message.error is None
    assert isinstance(message.data, types.Order)
    data = message.data
    assert (data.InstrumentID, data.StatusMsg, data.CustomOrderRef) == ("rb2601", "未成交", 7)
    failed = types.RspInfo(ErrorID=3, ErrorMsg="不合法的登录")
    login = types.RspUserLogin(TradingDay="20261130")
    flags = struct.pack("<I", 3)
    answer = decoder.decode(types.TRADER_OnRspUserLogin, 5, True, flags + bytes(login) + bytes(failed))
    assert answer.error_text == "code 3: 不合法的登录" and answer.request_id == 5
    ok = decoder.decode(types.TRADER_OnRspUserLogin, 5, True, flags + bytes(login) + bytes(info))
    assert ok.error is None and ok.data is not None and ok.data.TradingDay == "20261130"
    with pytest.raises(ValueError, match="expected"):
        decoder.decode(types.TRADER_OnRtnOrder, 0, True, struct.pack("<I", 1) + bytes(order)[:-1])
    with pytest.raises(KeyError):
        decoder.decode(0xDEAD, 0, True, b"")


def test_front_dispatches_each_callback_to_its_snake_case_handler() -> None:
    """OnRtnOrder -> on_rtn_order(message) with a typed view; a callback without a handler that carries an
    error is logged, not lost silently; an undecodable message is logged."""
    types = pytest.importorskip("vtcore.gateways.mini._mini_types", reason="built without CTP-Mini")
    from vtcore.gateways._sdk.front import Front, handler_name  # noqa: PLC0415
    from vtcore.gateways._sdk.messages import Decoder, Message  # noqa: PLC0415

    assert handler_name("OnRspUserLogin") == "on_rsp_user_login"
    assert handler_name("OnErrRtnOrderInsert") == "on_err_rtn_order_insert"
    assert handler_name("OnRspQryInvestorPosition") == "on_rsp_qry_investor_position"
    assert handler_name("OnAPIReady") == "on_api_ready"  # TAP
    assert handler_name("OnRspDSUserCertification") == "on_rsp_ds_user_certification"  # FEMAS

    class Gateway:
        gateway_name = "DEMO"
        event_engine = None

        def __init__(self) -> None:
            self.logs: list[str] = []

        def write_log(self, msg: str, level: int = 0) -> None:
            self.logs.append(msg)

    class DemoFront(Front):
        name = "td"

        def __init__(self) -> None:
            super().__init__(gateway, Decoder(types), types.TRADER_REQUESTS)  # type: ignore[arg-type]
            self.seen: list[Message] = []

        def on_rtn_order(self, message: Message) -> None:
            self.seen.append(message)

    gateway = Gateway()
    front = DemoFront()
    order = types.Order(InstrumentID="rb2601", OrderStatus="3")
    front.on_message(types.TRADER_OnRtnOrder, 0, True, struct.pack("<I", 1) + bytes(order))
    assert [m.data.OrderStatus for m in front.seen] == ["3"]  # type: ignore[union-attr]
    failed = types.RspInfo(ErrorID=7, ErrorMsg="no")
    action = types.InputOrderAction(OrderRef="9")
    payload = struct.pack("<I", 3) + bytes(action) + bytes(failed)
    front.on_message(types.TRADER_OnRspOrderAction, 4, True, payload)
    front.on_message(types.TRADER_OnRtnOrder, 0, True, b"\x01\x00\x00\x00short")
    assert gateway.logs[0] == "td front: OnRspOrderAction failed: code 7: no"
    assert gateway.logs[1].startswith("td front: undecodable message")
    assert len(front.seen) == 1


def test_a_reader_gives_the_fields_as_their_properties_do() -> None:
    types = pytest.importorskip("vtcore.gateways.mini._mini_types", reason="built without CTP-Mini")
    order = types.Order.unchecked(
        FrontID=3, SessionID=-7, OrderRef="  12", OrderStatus="3", StatusMsg="未成交", LimitPrice=3500.5
    )
    view = types.Order.view(b"\0" * 4 + bytes(order), 4)
    names = ("StatusMsg", "FrontID", "OrderSubmitStatus", "OrderRef", "SessionID", "LimitPrice")
    names += ("OrderStatus",)
    assert types.Order.reader(*names)(view) == tuple(getattr(view, name) for name in names)
    assert types.Order.reader(*names)(view) == ("未成交", 3, "", "  12", -7, 3500.5, "3")
    with pytest.raises(TypeError, match="no scalar or text field 'Nope'"):
        types.Order.reader("Nope")
