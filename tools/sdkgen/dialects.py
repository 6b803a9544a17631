"""Header families: what differs between the Thost (CTP, CTP-Mini), USTP (FEMAS), XTP, TORA and TAP headers.

The parser (`sdkgen.parse`) and the emitters ask a `Dialect` everything that is a family's spelling; everything
else is shared. A dialect says:

* which header files hold the data types, the structs and the API/SPI classes (`headers`), in parse order;
* how a struct's C name becomes its Python class name (`short_name`: `CThostFtdcOrderField` -> `Order`);
* how a header marks the typedef that a run of character `#define`s belongs to (`section_type`: Thost writes
  `///TFtdcOrderStatusType是一个报单状态类型` above the defines of `TThostFtdcOrderStatusType`);
* which classes are SPIs (callbacks, each with an api code for the message kind) and which are APIs;
* which struct carries a response's error (`rsp_info`) and how a request method is shaped (`request_struct`:
  Thost's `int Req*(Field*, int nRequestID)` or `int Req*(int nRequestID)`);
* which callbacks a binding handles in C++ before (or instead of) pushing a message (`hooks`).

Adding a family is one more subclass and an entry in `DIALECTS`; an SDK (`SDKS`) names its dialect, the file
stems of its libraries and the namespace and module its generated code lives in. USTP (FEMAS) fits the Thost
shape with other prefixes. A dialect may also say:

* which scalar callback parameters a message does not carry (`ignored_params`: XTP's `uint64_t session_id`,
  one per logged-in account) and which callbacks are not delivered at all (`ignored`: callbacks whose other
  scalars do not fit a message, e.g. XTP's page queries; a callback with such scalars that is neither hooked
  nor ignored is a HeaderError, never silently cut);
* how a request is called (`request_args`, `call_context`: XTP's `QueryOrders(&request, session, request_id)`
  gets the session from the binding) and which other pure virtual methods a simulator stubs (`stub_body`);
* the error struct's id and message fields (`error_fields`).

TORA ships three independent header sets (stock trader, stock-option trader, XMd market data), each in its own
C++ namespace with the same struct names: each is its own `Sdk` here (`tora`, `torasp`, `toraxmd`: one
generated unit each), and one binding module may be built from several units (cmake `vtcore_sdk_binding(...
UNITS ...)`). TAP's `TAPIUINT32* sessionID` out-parameters are wrapped by hand in its binding on top of the
generated structs, SPI and layout checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sdkgen.model import SCALARS, Method, Param


@dataclass(frozen=True)
class Dialect:
    name: str
    #: header file names in parse order: data types first, then structs, then API headers
    data_type_headers: tuple[str, ...]
    struct_headers: tuple[str, ...]
    api_headers: tuple[str, ...]
    #: `struct` names: a regex whose group 1 is the Python class name
    struct_pattern: str
    #: the error struct of responses, or None when the family reports errors otherwise
    rsp_info: str | None
    #: SPI class -> api code (the high 16 bits of a message kind)
    spi_classes: dict[str, int]
    #: API class -> the SPI class it calls back
    api_classes: dict[str, str]
    #: API/SPI class names: a regex whose group 1 is the role ("Md", "Trader") naming generated C++ classes
    role_pattern: str = r"(\w+)"
    #: callbacks (SPI class -> names) whose generated override first calls a hand-written hook
    hooks: dict[str, frozenset[str]] = field(default_factory=dict)
    #: callbacks (SPI class -> names) that push nothing (documented in the generated override)
    ignored: dict[str, frozenset[str]] = field(default_factory=dict)
    #: scalar callback parameters a message does not carry
    ignored_params: frozenset[str] = frozenset()
    #: extra C++ parameters of the generated `Requests::call` after `request_id` (", std::uint64_t session")
    call_context: str = ""
    #: the error struct's id and message fields (Python reads them to tell an error from "no error")
    error_fields: tuple[str, str] = ("ErrorID", "ErrorMsg")
    #: words in API/SPI declarations that expand to nothing on Linux (TAP's calling convention `TAP_CDECL`)
    macros: tuple[str, ...] = ()
    #: the callback argument that is a response's request id when it has another name (TAP: "sessionID")
    session_param: str | None = None
    #: an int callback argument that is the callback's error code (TAP reports errors so, not in a struct): the
    #: message carries it as the 4-byte error struct `vtcore::sdk::ErrorCode` (Python: `ErrorCode.ErrorID`)
    error_code_param: str | None = None
    #: (argument, C++ value) of a last-answer flag that is not a bool (TAP: isLast == APIYNFLAG_YES)
    last_param: tuple[str, str] | None = None
    #: callback -> the struct its message carries, for callbacks whose struct only points at the data (TAP's
    #: OnRtnOrder gets {SessionID, ErrorCode, TapAPIOrderInfo*}): a hand-written `hook_<Name>` pushes it
    message_data: dict[str, str] = field(default_factory=dict)
    #: integer constants whose header comment is an error's text (TAP: "TAPIERROR_"): `ERROR_TEXTS`
    error_prefix: str = ""
    #: the names of requests the simulator's stubs answer "not implemented" (each must be request-shaped);
    #: other pure virtual methods get the dialect's `stub_body` (TAP: none; every method returns an error code)
    request_prefixes: tuple[str, ...] = ("Req", "Query")
    #: how the SDK encodes text (the Thost family, TORA, TAP: GB18030; XTP: UTF-8)
    text_encoding: str = "gb18030"
    #: structs that cross through hand-wrapped calls (XTP's InsertOrder takes an XTPOrderInsertInfo; TAP's Login
    #: and InsertOrder): they get typed Python classes, terminator checks and layout checks like every request's
    #: struct
    extra_structs: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return self.data_type_headers + self.struct_headers + self.api_headers

    def role(self, class_name: str) -> str:
        """`CThostFtdcTraderApi` -> `Trader`: generated classes are `Generated<role>Spi`, `<role>Requests`."""
        match = re.fullmatch(self.role_pattern, class_name)
        if not match:
            raise ValueError(f"{class_name} does not match the {self.name} class pattern")
        return match.group(1)

    def short_name(self, struct_name: str) -> str:
        match = re.fullmatch(self.struct_pattern, struct_name)
        return match.group(1) if match else struct_name

    def is_struct_type(self, type_name: str) -> bool:
        return re.fullmatch(self.struct_pattern, type_name) is not None

    def section_type(self, comment: str) -> str | None:
        """The typedef a comment line opens a section for (its defines precede the typedef), else None."""
        return None

    def is_callback(self, method: Method) -> bool:
        return method.is_virtual

    def is_request(self, method: Method) -> bool:
        return self.request_struct(method) is not False

    def request_struct(self, method: Method) -> str | None | bool:
        """The struct a request sends (None for a request without one); False when `method` is no request."""
        return False

    def struct_params(self, method: Method) -> tuple[Param, ...]:
        return tuple(p for p in method.params if p.pointer == 1 and self.is_struct_type(p.type))

    def request_args(self, method: Method) -> list[str]:
        """The C++ arguments of the generated call of request `method` (`request` is the copied struct)."""
        return [
            "&request" if p.pointer == 1 and self.is_struct_type(p.type) else "request_id" for p in method.params
        ]

    def stub_body(self, method: Method) -> str | None:
        """A simulator stub's body for a pure virtual method that is not a request, or None (hand-written)."""
        return None


class ThostDialect(Dialect):
    """CTP and CTP-Mini: `CThostFtdc*Field` structs, `TThostFtdc*Type` typedefs, `Req*(Field*, int)` requests."""

    def section_type(self, comment: str) -> str | None:
        section = re.match(r"\s*TFtdc([A-Za-z0-9_]+)Type", comment)
        return f"TThostFtdc{section.group(1)}Type" if section else None

    def request_struct(self, method: Method) -> str | None | bool:
        if not (method.is_virtual and method.name.startswith("Req") and method.return_type == "int"):
            return False
        params = method.params
        if not params or params[-1].type != "int" or params[-1].pointer:
            return False
        if len(params) == 1:
            return None
        if len(params) == 2 and params[0].pointer == 1 and self.is_struct_type(params[0].type):
            return params[0].type
        return False


class ToraDialect(ThostDialect):
    """TORA: `CTORATstp*Field` structs, `TTORATstp*Type` typedefs with `const char` constants, Thost-shaped
    requests, classes in a namespace per API. The XMd API's dozens of `Subscribe*(char**, int, exchange)`
    variants are stubbed for the simulator ("not supported": -1) except those the front-end writes."""

    def section_type(self, comment: str) -> str | None:
        section = re.match(r"\s*(TTORATstp[A-Za-z0-9_]+Type)是", comment)
        return section.group(1) if section else None

    def stub_body(self, method: Method) -> str | None:
        if method.return_type == "int" and re.match(r"(?:Un)?Subscribe", method.name):
            return f'return not_supported("{method.name}");'
        return None


class XtpDialect(Dialect):
    """XTP: `XTP*` structs (often named through typedef aliases: XTPMD, XTPRI), classes in `XTP::API`,
    callbacks that carry the session id, `Query*(param*, session_id, request_id)` requests; Login, InsertOrder,
    CancelOrder and subscriptions are wrapped by hand in the binding (they return ids or block)."""

    def is_struct_type(self, type_name: str) -> bool:
        return re.fullmatch(r"XTP[A-Za-z]\w*", type_name) is not None and type_name not in SCALARS

    def request_struct(self, method: Method) -> str | None | bool:
        if not (method.is_virtual and method.name.startswith("Query") and method.return_type == "int"):
            return False
        params = method.params
        if len(params) < 2 or params[-1].type != "int" or params[-2].type != "uint64_t" or params[-2].pointer:
            return False
        if len(params) == 2:
            return None
        if len(params) == 3 and params[0].pointer == 1 and self.is_struct_type(params[0].type):
            return params[0].type
        return False

    def request_args(self, method: Method) -> list[str]:
        names = {"uint64_t": "session", "int": "request_id"}
        return ["&request" if p.pointer == 1 else names[p.type] for p in method.params]

    def stub_body(self, method: Method) -> str | None:
        if method.return_type == "int":
            return f'return not_supported("{method.name}");'
        if method.return_type == "uint64_t":
            return f'return not_supported_id("{method.name}");'
        return None


THOST = ThostDialect(
    name="thost",
    data_type_headers=("ThostFtdcUserApiDataType.h",),
    struct_headers=("ThostFtdcUserApiStruct.h",),
    api_headers=("ThostFtdcMdApi.h", "ThostFtdcTraderApi.h"),
    struct_pattern=r"CThostFtdc(\w+)Field",
    rsp_info="CThostFtdcRspInfoField",
    spi_classes={"CThostFtdcMdSpi": 1, "CThostFtdcTraderSpi": 2},
    api_classes={"CThostFtdcMdApi": "CThostFtdcMdSpi", "CThostFtdcTraderApi": "CThostFtdcTraderSpi"},
    role_pattern=r"CThostFtdc(\w+?)(?:Spi|Api)",
    hooks={"CThostFtdcMdSpi": frozenset({"OnRtnDepthMarketData", "OnRspUserLogin"})},
)

class UstpDialect(ThostDialect):
    """FEMAS (USTP, a CTP relative): `CUstpFtdc*Field` structs, `TUstpFtdc*Type` typedefs whose sections the
    headers mark `///TFtdcUstp<Name>Type是...`, Thost-shaped `Req*(Field*, int)` requests. The market-data
    classes are `CUstpFtdcMduserApi`/`Spi` (role "Md", as in the Thost family)."""

    def section_type(self, comment: str) -> str | None:
        section = re.match(r"\s*TFtdcUstp([A-Za-z0-9_]+)Type", comment)
        return f"TUstpFtdc{section.group(1)}Type" if section else None


class TapDialect(Dialect):
    """TAP (Esunny 9.x): `TapAPI*` structs packed to 1, APIs with C factories (`CreateTapQuoteAPI`, ...) and pure
    virtual notify classes, requests shaped `TAPIINT32 Qry*(TAPIUINT32* sessionID[, const Struct*])` whose request
    id (the session) the SDK assigns through the out-parameter (`call_context`: the generated call writes it to
    `session`), callbacks `On*(sessionID, errorCode, isLast, const Struct*)`. Requests of other shapes (Login,
    InsertOrder) are wrapped by hand; the simulator's unimplemented requests answer with an error code."""

    def request_struct(self, method: Method) -> str | None | bool:
        if not (method.is_virtual and method.return_type == "TAPIINT32"):
            return False
        params = method.params
        if not params or params[0].name != "sessionID" or params[0].pointer != 1:
            return False
        if len(params) == 1:
            return None
        if len(params) == 2 and params[1].pointer == 1 and self.is_struct_type(params[1].type):
            return params[1].type
        return False

    def request_args(self, method: Method) -> list[str]:
        return ["&session" if p.name == "sessionID" else "&request" for p in method.params]

    def stub_body(self, method: Method) -> str | None:
        return f'return not_supported("{method.name}");' if method.return_type == "TAPIINT32" else None


_TAP_COMMON = {
    "struct_headers": (),
    "struct_pattern": r"TapAPI(\w+)",
    "rsp_info": None,
    "macros": ("TAP_CDECL",),
    "call_context": ", unsigned int& session",
    "session_param": "sessionID",
    "error_code_param": "errorCode",
    "last_param": ("isLast", "APIYNFLAG_YES"),
    "error_prefix": "TAPIERROR_",
    "request_prefixes": (),
}
TAP_QUOTE = TapDialect(
    name="tapquote",
    data_type_headers=("TapAPICommDef.h", "TapQuoteAPIDataType.h", "TapAPIError.h"),
    api_headers=("TapQuoteAPI.h",),
    spi_classes={"ITapQuoteAPINotify": 1},
    api_classes={"ITapQuoteAPI": "ITapQuoteAPINotify"},
    role_pattern=r"ITap(Quote)API(?:Notify)?",
    hooks={"ITapQuoteAPINotify": frozenset({"OnRtnQuote", "OnRspSubscribeQuote"})},
    extra_structs=("TapAPIQuoteLoginAuth", "TapAPIContract"),
    **_TAP_COMMON,  # type: ignore[arg-type]
)
TAP_TRADE = TapDialect(
    name="taptrade",
    data_type_headers=("iTapAPICommDef.h", "iTapTradeAPIDataType.h", "iTapAPIError.h"),
    api_headers=("iTapTradeAPI.h",),
    spi_classes={"ITapTradeAPINotify": 2},
    api_classes={"ITapTradeAPI": "ITapTradeAPINotify"},
    role_pattern=r"ITap(Trade)API(?:Notify)?",
    # strings as arguments (host address, contact info, reserved info, expiry date): nothing a gateway uses
    ignored={"ITapTradeAPINotify": frozenset({
        "OnConnect", "OnRtnContactInfo", "OnExpriationDate", "OnRspSetReservedInfo", "OnRtnPositionProfit",
    })},
    message_data={"OnRtnOrder": "TapAPIOrderInfo", "OnRspOrderAction": "TapAPIOrderInfo"},
    extra_structs=("TapAPITradeLoginAuth", "TapAPINewOrder"),
    **_TAP_COMMON,  # type: ignore[arg-type]
)

USTP = UstpDialect(
    name="ustp",
    data_type_headers=("USTPFtdcUserApiDataType.h",),
    struct_headers=("USTPFtdcUserApiStruct.h",),
    api_headers=("USTPFtdcMduserApi.h", "USTPFtdcTraderApi.h"),
    struct_pattern=r"CUstpFtdc(\w+)Field",
    rsp_info="CUstpFtdcRspInfoField",
    spi_classes={"CUstpFtdcMduserSpi": 1, "CUstpFtdcTraderSpi": 2},
    api_classes={"CUstpFtdcMduserApi": "CUstpFtdcMduserSpi", "CUstpFtdcTraderApi": "CUstpFtdcTraderSpi"},
    role_pattern=r"CUstpFtdc(Md|Trader)(?:user)?(?:Spi|Api)",
    hooks={"CUstpFtdcMduserSpi": frozenset({"OnRtnDepthMarketData", "OnRspUserLogin"})},
    # a packet's start and end (topic and sequence number) frame the callbacks between them: nothing to deliver
    ignored={spi: frozenset({"OnPackageStart", "OnPackageEnd"}) for spi in ("CUstpFtdcMduserSpi", "CUstpFtdcTraderSpi")},
)


_TORA_CLASSES = r"CTORATstp(\w+?)(?:Spi|Api)"
TORA = ToraDialect(
    name="tora",
    data_type_headers=("TORATstpUserApiDataType.h",),
    struct_headers=("TORATstpUserApiStruct.h",),
    api_headers=("TORATstpTraderApi.h",),
    struct_pattern=r"CTORATstp(\w+)Field",
    rsp_info="CTORATstpRspInfoField",
    spi_classes={"CTORATstpTraderSpi": 2},
    api_classes={"CTORATstpTraderApi": "CTORATstpTraderSpi"},
    role_pattern=_TORA_CLASSES,
)
TORA_XMD = ToraDialect(
    name="toraxmd",
    data_type_headers=("TORATstpXMdApiDataType.h",),
    struct_headers=("TORATstpXMdApiStruct.h",),
    api_headers=("TORATstpXMdApi.h",),
    struct_pattern=r"CTORATstp(\w+)Field",
    rsp_info="CTORATstpRspInfoField",
    spi_classes={"CTORATstpXMdSpi": 1},
    api_classes={"CTORATstpXMdApi": "CTORATstpXMdSpi"},
    role_pattern=_TORA_CLASSES,
    hooks={"CTORATstpXMdSpi": frozenset({"OnRtnMarketData", "OnRtnSPMarketData"})},
)
TORA_SP = ToraDialect(
    name="torasp",
    data_type_headers=("TORATstpSPUserApiDataType.h",),
    struct_headers=("TORATstpSPUserApiStruct.h",),
    api_headers=("TORATstpSPTraderApi.h",),
    struct_pattern=r"CTORATstpSP(\w+)Field",
    rsp_info="CTORATstpSPRspInfoField",
    spi_classes={"CTORATstpSPTraderSpi": 3},
    api_classes={"CTORATstpSPTraderApi": "CTORATstpSPTraderSpi"},
    role_pattern=_TORA_CLASSES,
)
_XTP_PAGES = frozenset({
    "OnQueryOrderByPage", "OnQueryOrderByPageEx", "OnQueryTradeByPage", "OnQueryOptionCombinedOrdersByPage",
    "OnQueryOptionCombinedOrdersByPageEx", "OnQueryOptionCombinedTradesByPage", "OnQueryCreditAssetDebtInfo",
})
XTP = XtpDialect(
    name="xtp",
    data_type_headers=("xtp_api_data_type.h",),
    struct_headers=(
        "xtp_api_struct_common.h", "xquote_api_struct.h", "xoms_api_struct.h", "xoms_api_fund_struct.h"
    ),
    api_headers=("xtp_quote_api.h", "xtp_trader_api.h"),
    struct_pattern=r"(?:XTP)?(\w+?)(?:Struct)?",
    rsp_info="XTPRI",
    spi_classes={"QuoteSpi": 1, "TraderSpi": 2},
    api_classes={"QuoteApi": "QuoteSpi", "TraderApi": "TraderSpi"},
    role_pattern=r"(\w+?)(?:Spi|Api)",
    hooks={"QuoteSpi": frozenset({"OnDepthMarketData"})},
    ignored={"TraderSpi": _XTP_PAGES},
    ignored_params=frozenset({"session_id"}),
    call_context=", std::uint64_t session",
    error_fields=("error_id", "error_msg"),
    extra_structs=("XTPOrderInsertInfo",),
    text_encoding="utf-8",
)

DIALECTS: dict[str, Dialect] = {
    d.name: d for d in (THOST, USTP, TAP_QUOTE, TAP_TRADE, TORA, TORA_XMD, TORA_SP, XTP)
}


@dataclass(frozen=True)
class Sdk:
    """One vendor SDK as vtcore builds it: its dialect and where its generated code goes."""

    id: str  # "ctp", "mini": the manifest's sdk key, the C++ namespace vtcore::<id>, the module vtcore._<id>
    dialect: Dialect
    title: str  # for messages: "CTP", "CTP-Mini"
    #: api class -> library file stem (for messages and the simulator)
    libraries: dict[str, str]

    @property
    def namespace(self) -> str:
        return f"vtcore::{self.id}"

    @property
    def types_module(self) -> str:
        return f"_{self.id}_types"


SDKS: dict[str, Sdk] = {
    "ctp": Sdk(
        "ctp",
        THOST,
        "CTP",
        {"CThostFtdcMdApi": "libthostmduserapi_se", "CThostFtdcTraderApi": "libthosttraderapi_se"},
    ),
    "mini": Sdk(
        "mini",
        THOST,
        "CTP-Mini",
        {"CThostFtdcMdApi": "libthostmduserapi", "CThostFtdcTraderApi": "libthosttraderapi"},
    ),
    # No Linux library exists in any registry artifact: these are the names vtcore looks for in the folder the
    # user brings (the Windows DLLs are USTPmduserapiAF.dll / USTPtraderapiAF.dll).
    "femas": Sdk(
        "femas",
        USTP,
        "FEMAS",
        {"CUstpFtdcMduserApi": "libUSTPmduserapiAF", "CUstpFtdcTraderApi": "libUSTPtraderapiAF"},
    ),
    # TAP's quote and trade APIs are two header sets (the trade one in namespace ITapTrade, with struct names the
    # quote one also uses): two sdkgen units of the one SDK "tap" (cmake `UNITS tapquote taptrade`)
    "tapquote": Sdk("tapquote", TAP_QUOTE, "TAP quote", {"ITapQuoteAPI": "libTapQuoteAPI"}),
    "taptrade": Sdk("taptrade", TAP_TRADE, "TAP trade", {"ITapTradeAPI": "libiTapTradeAPI"}),
    "xtp": Sdk("xtp", XTP, "XTP", {"QuoteApi": "libxtpquoteapi", "TraderApi": "libxtptraderapi"}),
    "tora": Sdk("tora", TORA, "TORA", {"CTORATstpTraderApi": "libtraderapi"}),
    "toraxmd": Sdk("toraxmd", TORA_XMD, "TORA XMd", {"CTORATstpXMdApi": "libxmdapi"}),
    "torasp": Sdk("torasp", TORA_SP, "TORA SP", {"CTORATstpSPTraderApi": "libsptraderapi"}),
}
