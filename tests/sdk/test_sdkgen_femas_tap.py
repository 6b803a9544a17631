"""tools/sdkgen's USTP (FEMAS) and TAP dialects on the real headers: the facts vendor-sdks.md established, and
what the emitters make of TAP's shapes (requests whose id the SDK assigns, errors as int codes, 'Y'/'N' last
flags, data behind a pointer, struct constructors' defaults, the headers' error texts). Layouts and vtables of
both header sets are compared with g++ in test_sdkgen.py (HEADER_SETS)."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest
from sdkgen import emit_binding, emit_python, emit_sim
from sdkgen.dialects import SDKS, TAP_QUOTE, TAP_TRADE, USTP
from sdkgen.model import HeaderModel
from sdkgen.parse import parse_sdk, parse_text

from _ctp_sdk import sdk_dir


@pytest.fixture(scope="module")
def femas() -> HeaderModel:
    return parse_sdk(sdk_dir("3.02", "femas") / "include", USTP)


@pytest.fixture(scope="module")
def quote() -> HeaderModel:
    return parse_sdk(sdk_dir("9.3", "tap") / "include", TAP_QUOTE)


@pytest.fixture(scope="module")
def trade() -> HeaderModel:
    return parse_sdk(sdk_dir("9.3", "tap") / "include", TAP_TRADE)


def generated(unit: str, model: HeaderModel) -> ModuleType:
    module = ModuleType(f"_{unit}_types")
    exec(compile(emit_python.emit_python(SDKS[unit], model, "9.3"), module.__name__, "exec"), module.__dict__)
    return module


def test_ustp_dialect_facts(femas: HeaderModel) -> None:
    """FEMAS is CTP-shaped with its own names: the 520-byte DepthMarketData (no ExchangeID), USTP sections,
    GetVersion(int&, int&), SubMarketData, a declaration over two lines, no ProductClass."""
    assert femas.layout("CUstpFtdcDepthMarketDataField").size == 520
    assert "ExchangeID" not in [f.name for f in femas.structs["CUstpFtdcDepthMarketDataField"].fields]
    assert "ProductClass" not in [f.name for f in femas.structs["CUstpFtdcRspInstrumentField"].fields]
    status = femas.defines["USTP_FTDC_OS_AcceptedNoReply"]
    assert (status.value, status.type_name) == ("6", "TUstpFtdcOrderStatusType")
    md = femas.classes["CUstpFtdcMduserApi"]
    assert [p.type for p in md.method("GetVersion").params] == ["int", "int"]
    assert all(p.is_reference for p in md.method("GetVersion").params)
    assert md.method("SubMarketData").params[0].is_array
    assert len(md.method("RegisterCertificateFile").params) == 4  # declared over two lines
    assert USTP.role("CUstpFtdcMduserApi") == "Md" and USTP.role("CUstpFtdcTraderSpi") == "Trader"
    sdk = SDKS["femas"]
    requests = emit_binding.requests(sdk, femas, "CUstpFtdcTraderApi")
    assert {"ReqOrderInsert", "ReqDSUserCertification", "ReqQryUserInvestor"} <= {
        r.method.name for r in requests
    }
    names = [c.method.name for c in emit_binding.callbacks(sdk, femas, "CUstpFtdcTraderSpi")]
    assert "OnPackageStart" not in names and "OnRspDSUserCertification" in names  # framing is not delivered


def test_tap_parse_facts(quote: HeaderModel, trade: HeaderModel) -> None:
    """TAP's headers: structs packed to 1 with nested structs, typed `const` constants, the trade set in
    namespace ITapTrade with qualified types, a struct constructor, pointer members, calling-convention
    macros."""
    assert quote.structs["TapAPIQuoteWhole"].pack == 1
    assert quote.layout("TapAPIQuoteWhole").size > 900
    flat = [f.name for f in quote.flat_fields(quote.structs["TapAPIContract"])]
    assert flat[:3] == ["Commodity_ExchangeNo", "Commodity_CommodityType", "Commodity_CommodityNo"]
    assert (
        quote.defines["APIYNFLAG_YES"].value == "Y"
        and quote.defines["APIYNFLAG_YES"].type_name == "TAPIYNFLAG"
    )
    assert trade.namespaces == ["ITapTrade"]
    login = trade.classes["ITapTradeAPINotify"].method("OnRspLogin")
    assert [p.type for p in login.params] == ["TAPIINT32", "TapAPITradeLoginRspInfo"]  # ITapTrade:: dropped
    assert trade.classes["ITapTradeAPI"].method("InsertOrder").return_type == "TAPIINT32"  # TAP_CDECL dropped
    defaults = dict(trade.structs["TapAPINewOrder"].defaults)
    assert defaults["CallOrPutFlag"] == "TAPI_CALLPUT_FLAG_NONE" and defaults["OrderMinQty"] == "1"
    notice = trade.structs["TapAPIOrderInfoNotice"]
    assert [(f.name, f.type) for f in notice.fields][-1] == ("OrderInfo", "void *")
    assert trade.layout("TapAPIAccQryReq").size == 1  # an empty struct, as C++ sizes it
    assert trade.constant_comments["TAPIERROR_ORDERINSERT_NOTENOUGHFUND"] == "下单资金不足"


def test_tap_binding_sources(quote: HeaderModel, trade: HeaderModel) -> None:
    """Requests write the SDK's session id to `session`; callbacks take their request id from sessionID, their
    last flag from isLast == 'Y' and push errorCode as vtcore::sdk::ErrorCode; OnRtnOrder's hook pushes the
    order its notice points at; hand-wrapped requests' structs get terminator checks."""
    sdk = SDKS["tapquote"]
    source = emit_binding.emit_requests(sdk, quote, "9.3")
    assert "int request_id, unsigned int& session)" in source
    assert "return api.QryContract(&session, &request);" in source
    assert "return api.QryCommodity(&session);" in source
    assert "const char* unterminated(const TapAPIQuoteLoginAuth& s) noexcept" in source
    spi = emit_binding.emit_spi(sdk, quote, "9.3")
    assert re.search(
        r"OnRspQryContract\(.*static_cast<int>\(sessionID\), \(isLast == APIYNFLAG_YES\), info, &code\)", spi
    )
    assert "virtual bool hook_OnRtnQuote(const TapAPIQuoteWhole *info) = 0;" in spi
    trade_spi = emit_binding.emit_spi(SDKS["taptrade"], trade, "9.3")
    assert "virtual void hook_OnRtnOrder(const TapAPIOrderInfoNotice *info) = 0;" in trade_spi
    assert "kKind_OnRtnOrder" in trade_spi and re.search(
        r"OnConnect\(const TAPISTR_40 ?\) override \{\}", trade_spi
    )
    requests = emit_binding.requests(SDKS["taptrade"], trade, "ITapTradeAPI")
    names = {r.method.name: r.struct for r in requests}
    assert names["QryOrder"] == "TapAPIOrderQryReq" and names["CancelOrder"] == "TapAPIOrderCancelReq"
    assert "InsertOrder" not in names and "Login" not in names  # other shapes: wrapped by hand


def test_tap_python_module(quote: HeaderModel, trade: HeaderModel) -> None:
    """The typed module: ErrorCode as the error struct, the headers' error texts, constructor defaults applied
    to a new struct, message tables with the hooked callbacks' real data struct."""
    module = generated("taptrade", trade)
    assert module.ERROR_STRUCT is module.ErrorCode and module.ErrorCode.SIZE == 4
    assert module.ERROR_TEXTS[60051] == "下单资金不足"
    order = module.NewOrder(OrderQty=2, RefString="v1")
    assert (order.CallOrPutFlag, order.TimeInForce, order.OrderMinQty, order.OrderQty) == ("N", "0", 1, 2)
    name, data, has_error = module.CALLBACKS[module.TRADE_OnRtnOrder]
    assert (name, data, has_error) == ("OnRtnOrder", module.OrderInfo, True)
    with pytest.raises(ValueError, match=r"NewOrder\.RefString is too long \(51 bytes; at most 50 fit\)"):
        module.NewOrder(RefString="x" * 51)
    quotes = generated("tapquote", quote)
    assert quotes.QUOTE_REQUESTS["SubscribeQuote"][1] is quotes.Contract
    assert quotes.ERROR_TEXTS[-14] == "授权码不合法"


def test_tap_simulator_stubs(trade: HeaderModel, tmp_path: Path) -> None:
    """Every pure virtual method of TAP's API answers with an error code unless the front-end writes it."""
    text = emit_sim.emit_stubs(SDKS["taptrade"], trade, "ITapTradeAPI", "TradeApiStubs")
    assert (
        "TAPIINT32 QryBill(TAPIUINT32 *, const TapAPIBillQryReq *) override "
        '{ return not_supported("QryBill"); }' in text
    )
    assert "virtual int not_supported(const char* method) = 0;" in text


def test_constructor_defaults_refuse_what_they_cannot_read() -> None:
    header = """
typedef char TFlag;
struct TapAPIThing
{
    TFlag Flag;
public:
    TapAPIThing()
    {
        memset(this, 0, sizeof(TapAPIThing));
        Flag = 'Y';
    }
};
struct TapAPIOther
{
    TFlag Flag;
    TapAPIOther() { launch(); }
};
"""
    with pytest.raises(Exception, match=r"TapAPIOther\(\): cannot parse 'launch\(\);'"):
        parse_text([header], TAP_QUOTE)
    model = parse_text([header.split("struct TapAPIOther", maxsplit=1)[0]], TAP_QUOTE)
    assert model.structs["TapAPIThing"].defaults == (("Flag", "'Y'"),)
    assert model.default_value("'Y'") == "Y"
