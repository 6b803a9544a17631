"""TigerGateway: Tiger Brokers' open API spoken directly, on the shared transport loop.

- HTTP (`gateway_url`): every call is one signed JSON POST (`method`, `biz_content`, `tiger_id`, `timestamp`,
  ... and `sign` = RSA-SHA1 over the sorted parameters, `parse.sign_content`); answers are
  `{"code": 0, "data": ...}` and a non-zero code carries Tiger's own `message`, which a refused order keeps as
  its `extra["reason"]`.
- Push (`push_address`, `push.PushStream`): quotes (BASIC/BBO/ALL `QuoteData` into TickData), order status,
  fills, assets and positions as varint-framed protobuf. A frame that does not decode is logged and counted
  (`malformed_messages`) and the connection kept: the framing is intact, only that body is lost.
- Orders go through the shared `OrderTracker`. Each order carries its local id as Tiger's `user_mark`, which
  every status push echoes, so a push that overtakes the HTTP answer still finds its order; fills name only
  Tiger's order id and wait (`_parked`) until that id is known. After the push socket comes back, active
  orders are fetched over HTTP with their fills (the pushes sent during the outage are gone); the tracker
  keeps that from moving an order backwards or pushing a fill twice.

Why not the `tigeropen` SDK as the client: its push client runs a receiver thread, a heartbeat thread and a
callback pool, its HTTP calls block (each would need a thread), quote answers are pandas DataFrames, its
config looks up Tiger's "dynamic domains" on the internet unless told not to, and its package import sets a
process-wide protobuf switch. The protocol is small (one signed POST, one framed socket), so vtcore speaks it
on the loop every venue gateway shares; tigeropen stays what checks the local peer (tests/venues/fidelity).
Nothing here looks anything up: the URLs are the setting's or Tiger's documented ones.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from google.protobuf.message import DecodeError

from vtcore import __version__ as _vtcore_version
from vtcore.constant import Direction, Exchange, Interval, OrderType, Product, Status
from vtcore.gateways._transport import RateLimit, RestRequest, VenueError, WebSocketClient
from vtcore.gateways._venue import VenueGateway
from vtcore.gateways._venue.ticks import TICK_INDEX, TickState
from vtcore.gateways.tiger import parse, proto
from vtcore.gateways.tiger.push import PushConfig, PushStream
from vtcore.object import (
    AccountData,
    BarData,
    CancelRequest,
    ContractData,
    HistoryRequest,
    OrderData,
    OrderRequest,
    PositionData,
    SubscribeRequest,
    TradeData,
)

SERVERS = {
    # Tiger's documented endpoints (tigeropen tiger_open_config.py); PAPER = Tiger's sandbox
    "REAL": ("https://openapi.tigerfintech.com/gateway", "ssl://openapi.tigerfintech.com:9883"),
    "PAPER": (
        "https://openapi-sandbox.tigerfintech.com/gateway",
        "ssl://openapi-sandbox.tigerfintech.com:9885",
    ),
}
#: the price step of a market's stocks until a contract's own is known (the symbol list carries none)
MARKET_TICK = {"US": 0.01, "HK": 0.001, "CN": 0.01}

_LAST, _VOLUME, _TURNOVER = TICK_INDEX["last_price"], TICK_INDEX["volume"], TICK_INDEX["turnover"]
_OPEN, _HIGH, _LOW, _PRE = (
    TICK_INDEX["open_price"],
    TICK_INDEX["high_price"],
    TICK_INDEX["low_price"],
    TICK_INDEX["pre_close"],
)
_BID, _ASK = TICK_INDEX["bid_price_1"], TICK_INDEX["ask_price_1"]
_BID_V, _ASK_V = TICK_INDEX["bid_volume_1"], TICK_INDEX["ask_volume_1"]
_OI = TICK_INDEX["open_interest"]


@dataclass(slots=True)
class TigerOrderRequest(OrderRequest):
    """An OrderRequest with Tiger's extra: `stop_price`, the trigger of a STOP_LIMIT order (a STOP order's
    trigger is its `price`), and `time_in_force` (DAY or GTC)."""

    stop_price: float = 0.0
    time_in_force: str = "DAY"


class TigerGateway(VenueGateway):
    """Settings (the user's page): `tiger_id` (用户ID), `account` (环球账户, the global account),
    `standard_account` (标准账户), `private_key` (秘钥: the developer's RSA key, PKCS#1 or PKCS#8, base64 or
    PEM; it only ever signs, it is never logged) and `server` REAL or PAPER. Orders, assets and positions use
    `account` when it is set, else `standard_account` (a Tiger login trades one account per connection)."""

    default_name: ClassVar[str] = "TIGER"
    default_setting: ClassVar[dict[str, Any]] = {
        "tiger_id": "",
        "account": "",
        "standard_account": "",
        "private_key": "",
        "server": ["REAL", "PAPER"],
        "gateway_url": "",
        "push_address": "",
        "markets": "US,HK",
    }
    optional_setting: ClassVar[dict[str, str]] = {
        "server": "REAL (Tiger's production gateway) or PAPER (Tiger's sandbox) (default REAL)",
        "gateway_url": "the HTTP gateway URL (default: the server's)",
        "push_address": "the push socket as ssl://host:port or tcp://host:port (default: the server's)",
        "markets": "markets whose symbols become contracts, comma-separated US, HK, CN (default US,HK)",
    }
    #: vn.py 2.0's 服务器 choices: 标准 and 环球 (standard, global account) trade live, 仿真 is the sandbox
    setting_values: ClassVar[dict[str, dict[str, str]]] = {
        "server": {"标准": "REAL", "环球": "REAL", "仿真": "PAPER"},
    }
    exchange: ClassVar[Exchange] = Exchange.SMART
    exchanges: ClassVar[list[Exchange]] = [Exchange.SMART, Exchange.SEHK, Exchange.SSE, Exchange.SZSE]
    supported_order_types = frozenset(parse.ORDER_TYPE_VT2TIGER)

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.tiger_id = ""
        self.account = ""
        self.gateway_url = ""
        self.push_address = ""
        self.markets: list[str] = []
        self._private_key: Any = None
        self._device_id = uuid.uuid4().hex[:12]
        self.push: PushStream | None = None
        #: Tiger's global order id <-> the local order id (the order's user_mark)
        self.venue_ids: dict[int, str] = {}
        self.local_ids: dict[str, int] = {}
        #: fills whose order id is not known yet, by Tiger's order id
        self._parked: dict[int, list[Any]] = {}
        self._cancel_when_known: set[str] = set()
        self.markets_of: dict[str, str] = {}  # symbol -> Tiger market

    # ---- settings and HTTP

    def apply_setting(self, setting: dict[str, Any]) -> None:
        def text(name: str) -> str:
            value = setting.get(name, "")
            if not isinstance(value, str):
                raise ValueError(f"setting {name!r} must be text")
            return value.strip()

        self.tiger_id = text("tiger_id")
        if not self.tiger_id:
            raise ValueError("setting 'tiger_id' is empty")
        self.account = text("account") or text("standard_account")
        if not self.account:
            raise ValueError("setting 'account' (or 'standard_account') is empty")
        server = text("server") or "REAL"
        if server not in SERVERS:
            raise ValueError(f"setting 'server' must be one of {', '.join(SERVERS)}")
        self._private_key = parse.load_private_key(text("private_key"))
        url, address = SERVERS[server]
        self.gateway_url = text("gateway_url") or url
        if not self.gateway_url.startswith(("http://", "https://")):
            raise ValueError("setting 'gateway_url' must start with http:// or https://")
        self.push_address = text("push_address") or address
        _split_address(self.push_address)  # ValueError names the setting
        self.markets = [
            market.strip().upper() for market in (text("markets") or "US,HK").split(",") if market.strip()
        ]
        unknown = [market for market in self.markets if market not in MARKET_TICK]
        if unknown:
            raise ValueError(f"setting 'markets': unknown market {unknown[0]!r} (US, HK, CN)")
        self._key = self.tiger_id  # has_credentials: Tiger has no anonymous access

    def rest_url(self) -> str:
        return self.gateway_url

    def rate_limits(self) -> dict[str, RateLimit]:
        return {"rest": RateLimit(120, 60.0)}  # Tiger's high-frequency bucket: 120 calls a minute

    def sign_request(self, request: RestRequest) -> None:
        params = dict(request.data or {})
        params.update(
            tiger_id=self.tiger_id,
            charset="UTF-8",
            sign_type="RSA",
            timestamp=dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            device_id=self._device_id,
        )
        params["sign"] = parse.rsa_sign(self._private_key, parse.sign_content(params))
        request.body = json.dumps(params, ensure_ascii=False)
        request.headers["Content-Type"] = "application/json;charset=UTF-8"

    parse_error = staticmethod(parse.parse_error)

    async def call(
        self, method: str, biz: Mapping[str, Any], *, version: str = "2.0", retry: bool = True
    ) -> Any:
        """One signed call; returns the answer's `data`."""
        assert self.rest is not None
        biz_content = json.dumps(
            {k: v for k, v in biz.items() if v is not None},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        request = RestRequest(
            "POST",
            "",
            data={"method": method, "version": version, "biz_content": biz_content},
            signed=True,
            json_body=True,
            costs={"rest": 1},
            idempotent=retry,
        )
        return parse.answer_data(await self.rest.request_raw(request))

    async def fetch_server_time(self) -> int:
        # Tiger signs with the local time as its SDK does; there is no clock to align to
        return int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)

    # ---- contracts

    async def load_contracts(self) -> None:
        for market in self.markets:
            data = await self.call("all_symbol_names", {"market": market, "lang": "en_US"})
            count = 0
            for item in parse.items(data):
                symbol = str(item.get("symbol") or "")
                exchange = parse.exchange_of(market, symbol)
                if not symbol or exchange is None or symbol.startswith("."):
                    continue  # ".DJI" etc. are indexes
                self.markets_of[symbol] = market
                self.add_contract(
                    ContractData(
                        gateway_name=self.gateway_name,
                        symbol=symbol,
                        exchange=exchange,
                        name=str(item.get("name") or symbol),
                        product=Product.EQUITY,
                        size=1,
                        pricetick=MARKET_TICK[market],
                        stop_supported=True,
                        net_position=True,
                        history_data=True,
                    )
                )
                count += 1
            self.write_log(f"{market}: {count} contracts")

    # ---- push socket

    def open_public_streams(self) -> None:
        scheme, host, port = _split_address(self.push_address)
        sign = parse.rsa_sign(self._private_key, self.tiger_id)
        self.push = PushStream(
            PushConfig(
                host=host,
                port=port,
                tiger_id=self.tiger_id,
                sign=sign,
                name=f"{self.gateway_name}.push",
                use_tls=scheme == "ssl",
                backoff=self.timing.backoff,
                open_timeout=self.timing.open_timeout,
                sdk_version=f"vtcore-{_vtcore_version}",
            ),
            on_message=self.on_push,
            on_open=self._on_push_open,
            on_state=lambda up, why: self.state("push", "connected" if up else "disconnected", why),
            on_malformed=lambda why: self.drop_malformed("push stream", why),
        )
        self.push.start()

    def open_private_streams(self) -> None:
        """The push socket carries both (opened with the public streams)."""

    def sockets(self) -> list[WebSocketClient]:
        return []

    async def _on_push_open(self) -> None:
        push = self.push
        assert push is not None
        for data_type in (proto.ORDER_STATUS, proto.ORDER_TRANSACTION, proto.ASSET, proto.POSITION):
            push.subscribe_account(data_type, self.account)
        self.private_stream_opened()

    async def start(self) -> None:
        await super().start()
        push = self.push
        if push is not None and not await push.wait_ready(self.timing.open_timeout):
            why = push.refused or "not up yet; it keeps retrying"
            self.write_log(f"push socket: {why}", logging.ERROR if push.refused else logging.WARNING)

    async def stop(self) -> None:
        if self.push is not None:
            await self.push.close()
        await super().stop()

    def subscribe(self, req: SubscribeRequest) -> None:
        self.submit(self._subscribe_quote(req), f"subscribe {req.vt_symbol}")

    async def _subscribe_quote(self, req: SubscribeRequest) -> None:
        if self.contracts_ready is None:
            self.contracts_ready = asyncio.Event()
        await self.contracts_ready.wait()
        contract = self.contracts.get(req.symbol)
        if contract is None or contract.exchange != req.exchange:
            self.write_log(f"subscribe: unknown symbol {req.vt_symbol}", logging.WARNING)
            return
        if req.symbol not in self.ticks:
            self.ticks[req.symbol] = TickState(
                req.symbol, contract.exchange, self.gateway_name, contract.name
            )
        await self.subscribe_market(req.symbol)

    async def subscribe_market(self, symbol: str) -> None:
        if self.push is not None:
            self.push.subscribe_quotes(proto.QUOTE, [symbol])

    async def unsubscribe_market(self, symbol: str) -> None:
        if self.push is not None:
            self.push.subscribe_quotes(proto.QUOTE, [symbol], subscribe=False)

    def on_push(self, body: bytes) -> None:
        """One push frame (loop thread)."""
        try:
            response = proto.Response.FromString(body)
        except DecodeError as error:
            self.drop_malformed("push frame", error)
            return
        command = response.command
        if command == proto.MESSAGE:
            if response.code:
                if (
                    response.code in (proto.SUBSCRIBE_RESULT, proto.UNSUBSCRIBE_RESULT)
                    and "false" in response.msg
                ):
                    self.write_log(f"push subscription refused: {response.msg}", logging.WARNING)
                return
            data = response.body
            kind = data.dataType
            if kind in (proto.QUOTE, proto.FUTURE, proto.OPTION):
                self.on_quote(data.quoteData)
            elif kind == proto.ORDER_STATUS:
                self.on_order_status(data.orderStatusData)
            elif kind == proto.ORDER_TRANSACTION:
                self.on_transaction(data.orderTransactionData)
            elif kind == proto.ASSET:
                asset = data.assetData
                self.push_asset(asset.account, asset.netLiquidation, asset.availableFunds)
            elif kind == proto.POSITION:
                position = data.positionData
                self.push_position(
                    position.symbol,
                    position.market,
                    position.positionQty or parse.scaled(position.position, position.positionScale),
                    position.averageCost,
                    position.unrealizedPnl,
                )
        elif command == proto.ERROR:
            self.write_log(f"push error {response.code}: {response.msg}", logging.ERROR)

    def on_quote(self, quote: Any) -> None:
        """BASIC (last, volume, day's prices), BBO (best bid/ask) or ALL (both) into the symbol's tick."""
        state = self.ticks.get(quote.symbol)
        if state is None:
            return
        values = state.values
        kind = quote.type
        if kind != proto.BBO:
            values[_LAST] = quote.latestPrice
            values[_VOLUME] = float(quote.volume)
            values[_TURNOVER] = quote.amount
            if quote.open:
                values[_OPEN], values[_HIGH], values[_LOW] = quote.open, quote.high, quote.low
            values[_PRE] = quote.preClose
            values[_OI] = float(quote.openInt)
        if kind != proto.BASIC:
            values[_BID], values[_BID_V] = quote.bidPrice, float(quote.bidSize)
            values[_ASK], values[_ASK_V] = quote.askPrice, float(quote.askSize)
        self.emit_tick(state, parse.ms_time(quote.timestamp))

    # ---- orders

    def on_order_status(self, data: Any) -> None:
        self.apply_order(parse.order_from_push(data))

    def on_transaction(self, data: Any) -> None:
        fill = parse.fill_from_push(data)
        orderid = self.venue_ids.get(fill.venue_order_id)
        if orderid is None:
            self._parked.setdefault(fill.venue_order_id, []).append(fill)
            return
        self.push_fill(orderid, fill)

    def apply_order(self, report: parse.OrderReport) -> None:
        """One order report (a push or an answer) through the tracker; an order first heard of here (placed
        in Tiger's app, or before this session) is taken in with its local id = Tiger's id."""
        status = report.status
        if not report.venue_id or status is None:
            self.write_log(f"order {report.venue_id}: unknown status {report.status_text!r}", logging.WARNING)
            return
        orderid = self._local_id(report.venue_id, report.mark)
        template = None
        if self.orders.get(orderid) is None:
            template = self._order_data(orderid, report)
            if template is None:
                return
        self.orders.update(
            orderid,
            status,
            traded=report.traded,
            moment=parse.ms_time(report.update_ms),
            reason=report.reason if status in (Status.REJECTED, Status.CANCELLED) else "",
            template=template,
        )

    def push_fill(self, orderid: str, fill: parse.FillReport) -> None:
        exchange = self._exchange(fill.symbol, fill.market)
        if exchange is None:
            return
        self.orders.trade(
            TradeData(
                gateway_name=self.gateway_name,
                symbol=fill.symbol,
                exchange=exchange,
                orderid=orderid,
                tradeid=fill.tradeid,
                direction=parse.DIRECTION_TIGER2VT.get(fill.action),
                price=fill.price,
                volume=fill.volume,
                datetime=parse.ms_time(fill.time_ms),
            )
        )

    def _local_id(self, venue_id: int, mark: str) -> str:
        """The local id of Tiger's order `venue_id` (learning it from the order's user mark); fills that
        waited for it are pushed now."""
        orderid = self.venue_ids.get(venue_id)
        if orderid is None:
            orderid = mark or str(venue_id)
            self._learn(venue_id, orderid)
        return orderid

    def _learn(self, venue_id: int, orderid: str) -> None:
        self.venue_ids[venue_id] = orderid
        self.local_ids[orderid] = venue_id
        parked = self._parked.pop(venue_id, [])
        if parked:
            self.submit(self._after_learning(orderid, parked), f"fills of order {orderid}")
        elif orderid in self._cancel_when_known:
            self.submit(self._after_learning(orderid, []), f"cancel order {orderid}")

    async def _after_learning(self, orderid: str, parked: list[Any]) -> None:
        for fill in parked:  # after the status the order's own push brought (this runs on the next turn)
            self.push_fill(orderid, fill)
        if orderid in self._cancel_when_known:
            self._cancel_when_known.discard(orderid)
            await self._cancel_venue(orderid)

    def _exchange(self, symbol: str, market: str) -> Exchange | None:
        contract = self.contracts.get(symbol)
        if contract is not None:
            return contract.exchange
        return parse.exchange_of(market or self.markets_of.get(symbol, "US"), symbol)

    def _order_data(self, orderid: str, report: parse.OrderReport) -> OrderData | None:
        exchange = self._exchange(report.symbol, report.market)
        direction = parse.DIRECTION_TIGER2VT.get(report.action)
        if exchange is None or direction is None:
            self.write_log(f"order {orderid}: cannot map {report.symbol} {report.market} {report.action}")
            return None
        return OrderData(
            gateway_name=self.gateway_name,
            symbol=report.symbol,
            exchange=exchange,
            orderid=orderid,
            type=parse.ORDER_TYPE_TIGER2VT.get(report.order_type, OrderType.LIMIT),
            direction=direction,
            price=report.price,
            volume=report.volume,
            datetime=parse.ms_time(report.open_ms),
        )

    async def load_open_orders(self) -> None:
        data = await self.call("active_orders", {"account": self.account})
        self.load_open_order_rows(
            parse.items(data),
            lambda item: self.apply_order(parse.order_from_item(item)),
            lambda item: item.get("id"),
        )

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        market = self.markets_of.get(order.symbol) or parse.EXCHANGE_MARKET.get(order.exchange, "US")
        if order.direction is None:
            raise ValueError("an order needs a direction (LONG or SHORT)")
        total, scale = _quantity(order.volume)
        order_type = parse.ORDER_TYPE_VT2TIGER[order.type]
        limit = aux = None
        if order.type == OrderType.LIMIT:
            limit = order.price
        elif order.type == OrderType.STOP:
            aux = order.price
        elif order.type == OrderType.STOP_LIMIT:
            stop = float(getattr(req, "stop_price", 0.0) or 0.0)
            if stop <= 0:
                raise ValueError("a STOP_LIMIT order needs TigerOrderRequest.stop_price")
            limit, aux = order.price, stop
        data = await self.call(
            "place_order",
            {
                "account": self.account,
                "symbol": order.symbol,
                "sec_type": "STK",
                "currency": {"US": "USD", "HK": "HKD", "CN": "CNH"}[market],
                "action": parse.DIRECTION_VT2TIGER[order.direction],
                "order_type": order_type,
                "total_quantity": total,
                "total_quantity_scale": scale or None,
                "limit_price": limit,
                "aux_price": aux,
                "time_in_force": getattr(req, "time_in_force", "DAY"),
                "user_mark": order.orderid,
            },
            retry=False,  # a repeated order is worse than a failed one
        )
        if isinstance(data, dict) and str(data.get("code", "0")) not in ("0", ""):
            raise VenueError(str(data.get("message") or "order refused"), code=data.get("code"))
        # Tiger has taken the order: an id that cannot be read must not undo that. The order keeps its own
        # id (the user_mark), and Tiger's is learnt from the order's status push, which names it.
        answered = data.get("id") if isinstance(data, dict) else None
        try:
            venue_id = int(answered or 0)
        except (TypeError, ValueError):
            venue_id = 0
            self.drop_malformed(
                "order answer",
                f"order {order.orderid} was placed, but its Tiger id {str(answered)[:40]!r} is not a number; "
                "the order's status push will name it",
            )
        if venue_id and venue_id not in self.venue_ids:
            self._learn(venue_id, order.orderid)
        current = self.orders.get(order.orderid)
        if current is not None and current.status == Status.SUBMITTING:
            self.orders.update(order.orderid, Status.NOTTRADED)

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        if req.orderid not in self.local_ids:
            self._cancel_when_known.add(req.orderid)  # cancelled as soon as Tiger's id is known
            return
        await self._cancel_venue(req.orderid)

    async def _cancel_venue(self, orderid: str) -> None:
        try:
            await self.call(
                "cancel_order", {"account": self.account, "id": self.local_ids[orderid]}, retry=False
            )
        except VenueError as error:
            self.write_log(f"cancel {orderid} refused: {error.venue_message}", logging.WARNING)

    async def reconcile_order(self, order: OrderData) -> None:
        venue_id = self.local_ids.get(order.orderid)
        if venue_id is None:
            return  # never acknowledged: its status push (user mark) will name it
        data = await self.call("orders", {"account": self.account, "id": venue_id})
        for item in parse.items(data):
            self.apply_order(parse.order_from_item(item))
        await self.fetch_fills(venue_id, order.orderid)

    async def fetch_fills(self, venue_id: int, orderid: str) -> None:
        data = await self.call(
            "order_transactions", {"account": self.account, "order_id": venue_id, "limit": 100}
        )
        for item in parse.items(data):
            self.push_fill(orderid, parse.fill_from_item(item, venue_id))

    async def reconcile(self) -> None:
        # an order that finished during the outage is no longer active at Tiger: ask for each we think is
        await super().reconcile()
        await self.fetch_account()
        await self.fetch_positions()

    # ---- account

    def push_asset(self, account: str, balance: float, available: float) -> None:
        data = AccountData(
            gateway_name=self.gateway_name,
            accountid=account or self.account,
            balance=balance,
            frozen=max(0.0, balance - available),
        )
        self.on_account(data)

    def push_position(self, symbol: str, market: str, volume: float, price: float, pnl: float) -> None:
        exchange = self._exchange(symbol, market)
        if exchange is None:
            return
        self.on_position(
            PositionData(
                gateway_name=self.gateway_name,
                symbol=symbol,
                exchange=exchange,
                direction=Direction.NET,
                volume=volume,
                price=price,
                pnl=pnl,
            )
        )

    async def fetch_account(self) -> None:
        data = await self.call("assets", {"account": self.account, "segment": False, "market_value": False})
        for item in parse.items(data):
            balance = float(item.get("netLiquidation") or 0)
            self.push_asset(
                str(item.get("account") or ""), balance, float(item.get("availableFunds") or balance)
            )

    async def fetch_positions(self) -> None:
        data = await self.call("positions", {"account": self.account, "sec_type": "STK"})
        for item in parse.items(data):
            volume = float(item.get("positionQty") or 0) or parse.quantity(item, "position")
            self.push_position(
                str(item.get("symbol") or ""),
                str(item.get("market") or ""),
                volume,
                float(item.get("averageCost") or 0),
                float(item.get("unrealizedPnl") or 0),
            )

    # ---- history

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        period = parse.PERIODS.get(req.interval.value if req.interval else "")
        if period is None:
            raise ValueError(f"interval {req.interval} is not available from Tiger (1m, 1h, d, w)")
        begin = int(req.start.timestamp() * 1000)
        end = int((req.end or dt.datetime.now(dt.timezone.utc)).timestamp() * 1000)
        bars: list[BarData] = []
        page_token: str | None = None
        interval = Interval(req.interval.value) if req.interval else Interval.DAILY
        for _ in range(50):  # pages of up to 1000 bars
            data = await self.call(
                "kline",
                {
                    "symbols": [req.symbol],
                    "period": period,
                    "begin_time": begin,
                    "end_time": end,
                    "right": "br",
                    "limit": 1000,
                    "page_token": page_token,
                },
            )
            page_token = None
            for entry in parse.items(data):
                for bar in entry.get("items") or []:
                    moment = parse.ms_time(bar.get("time"))
                    if moment is None:
                        continue
                    bars.append(
                        BarData(
                            gateway_name=self.gateway_name,
                            symbol=req.symbol,
                            exchange=req.exchange,
                            datetime=moment,
                            interval=interval,
                            volume=float(bar.get("volume") or 0),
                            turnover=float(bar.get("amount") or 0),
                            open_price=float(bar.get("open") or 0),
                            high_price=float(bar.get("high") or 0),
                            low_price=float(bar.get("low") or 0),
                            close_price=float(bar.get("close") or 0),
                        )
                    )
                page_token = entry.get("nextPageToken") or page_token
            if not page_token:
                break
        bars.sort(key=lambda bar: bar.datetime or dt.datetime.min.replace(tzinfo=dt.timezone.utc))
        return bars


def _split_address(address: str) -> tuple[str, str, int]:
    """ "ssl://host:port" / "tcp://host:port" -> (scheme, host, port)."""
    scheme, sep, rest = address.partition("://")
    host, _, port = rest.rpartition(":")
    if not sep or scheme not in ("ssl", "tcp") or not host or not port.isdigit():
        raise ValueError("setting 'push_address' must look like ssl://host:port or tcp://host:port")
    return scheme, host, int(port)


def _quantity(volume: float) -> tuple[int, int]:
    """An order size as Tiger's integer quantity and decimal scale (1.5 shares: 15, scale 1)."""
    exponent = Decimal(str(volume)).normalize().as_tuple().exponent
    scale = max(0, -int(exponent))
    return round(volume * 10**scale), scale
