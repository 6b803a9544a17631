"""`OkxGatewayBase`: OKX v5, whatever the market, on the venue base: `OK-ACCESS-*` signing, the clock,
contracts, the public/private WebSocket streams (login, text ping), order operations over the private socket
with the integer `instIdCode` (venues.md §3, required since 2026-02-03) and klines. OKEX (spot) and OKEXF
(swaps and futures) are subclasses in `markets.py` that name their instrument types and trade mode."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec

from vtcore.constant import Exchange, Interval, OrderType
from vtcore.gateways._transport import (
    ClockSkewError,
    Heartbeat,
    RateLimit,
    RequestRejectedError,
    RestRequest,
    VenueConnectionError,
    VenueError,
    VenueUnavailableError,
    WebSocketClient,
)
from vtcore.gateways._venue import (
    VenueGateway,
    format_step,
    http_to_ws,
    parse_common_settings,
)
from vtcore.gateways.okx import parse, schemas
from vtcore.gateways.okx.parse import (
    BOOKS,
    BOOKS5_PREFIX,
    DECODE_ERRORS,
    MARKET_CHANNELS,
    TICKERS_PREFIX,
    TRADES,
    TRADES_PREFIX,
    tickers,
)
from vtcore.object import BarData, CancelRequest, HistoryRequest, OrderData, OrderRequest
from vtcore.time import INTERVAL_STEP


def sign_message(secret: bytes, message: str) -> str:
    return base64.b64encode(hmac.new(secret, message.encode(), hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class OkxUrls:
    rest: str
    ws: str


class OkxGatewayBase(VenueGateway):
    builds_ticks_in_c = True
    exchange: ClassVar[Exchange] = Exchange.OKX
    supported_order_types = frozenset(parse.ORDER_TYPE_VT2OKX)
    exchanges: ClassVar[list[Exchange]] = [Exchange.OKX]
    servers: ClassVar[dict[str, OkxUrls]] = {
        "REAL": OkxUrls("https://www.okx.com", "wss://ws.okx.com:8443"),
        "DEMO": OkxUrls("https://www.okx.com", "wss://wspap.okx.com:8443"),
    }
    inst_types: ClassVar[tuple[str, ...]]
    trade_mode: ClassVar[str]  # tdMode: "cash" (spot) / "cross"
    #: the venue drops a connection idle for 30 s; ping well inside that
    venue_ping_interval: ClassVar[float] = 20.0
    venue_idle_limit: ClassVar[float] = 30.0

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.public_socket: WebSocketClient | None = None
        self.private_socket: WebSocketClient | None = None
        self._passphrase = ""
        self._demo = False
        self.urls: OkxUrls | None = None
        self.inst_codes: dict[str, int] = {}
        self._op_ids = itertools.count(1)
        #: orders asked of the venue after a report with an unknown state, until a readable report comes
        self._unknown_state_asked: set[str] = set()

    # ---- settings and connection

    def apply_setting(self, setting: dict[str, Any]) -> None:
        common = parse_common_settings(setting)
        if common.server not in self.servers:
            raise ValueError(f"setting 'server' must be one of {', '.join(self.servers)}")
        passphrase = setting.get("passphrase", "")
        if not isinstance(passphrase, str):
            raise ValueError("setting 'passphrase' must be text")
        self.apply_common_settings(common)
        self._passphrase = passphrase
        self._demo = common.server == "DEMO"
        self.urls = (
            OkxUrls(common.base_url, http_to_ws(common.base_url))
            if common.base_url
            else self.servers[common.server]
        )

    def rest_url(self) -> str:
        assert self.urls is not None
        return self.urls.rest

    def rest_headers(self) -> dict[str, str]:
        return {"x-simulated-trading": "1"} if self._demo else {}

    def rate_limits(self) -> dict[str, RateLimit]:
        return {"public": RateLimit(20, 2.0), "private": RateLimit(10, 2.0)}

    def parse_error(self, status: int, raw: bytes, headers: Mapping[str, str]) -> Any:
        return parse.parse_error(status, raw, headers)

    def open_public_streams(self) -> None:
        assert self.urls is not None
        self.public_socket = self.open_socket(
            "public",
            f"{self.urls.ws}/ws/v5/public",
            self.stream_heartbeat(),
            on_message=self.on_public_message,
            build_subscribe=self.build_subscribe,
        )

    def open_private_streams(self) -> None:
        assert self.urls is not None
        self.private_socket = self.open_socket(
            "private",
            f"{self.urls.ws}/ws/v5/private",
            self.stream_heartbeat(),
            on_message=self.on_private_message,
            on_open=self.login,
            build_subscribe=self.build_subscribe,
            topics=self.private_topics(),
        )

    def sockets(self) -> list[WebSocketClient]:
        return [socket for socket in (self.public_socket, self.private_socket) if socket is not None]

    def stream_heartbeat(self) -> Heartbeat:
        interval = self.timing.ws_ping_interval or self.venue_ping_interval
        return Heartbeat(
            ping_interval=interval,
            text_ping="ping",
            idle_timeout=self.timing.ws_idle_timeout or self.venue_idle_limit,
        )

    # ---- REST

    def sign_request(self, request: RestRequest) -> None:
        stamp = parse.iso_timestamp(self.clock.now_ms())
        message = stamp + request.method + request.path_with_query + request.body
        request.headers.update(
            {
                "OK-ACCESS-KEY": self._key,
                "OK-ACCESS-SIGN": sign_message(self._secret, message),
                "OK-ACCESS-TIMESTAMP": stamp,
                "OK-ACCESS-PASSPHRASE": self._passphrase,
            }
        )

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        signed: bool = False,
        row_type: Any = Any,
    ) -> Any:
        assert self.rest is not None
        is_get = method == "GET"
        request = RestRequest(
            method,
            path,
            params=params if is_get else None,
            data=None if is_get else params,
            json_body=True,
            signed=signed,
            costs={"private" if signed else "public": 1},
        )
        envelope: schemas.Envelope = await self.rest.request(request, schemas.Envelope)
        return msgspec.json.decode(envelope.data, type=list[row_type])

    async def fetch_server_time(self) -> int:
        rows: list[schemas.ServerTime] = await self.call(
            "GET", "/api/v5/public/time", row_type=schemas.ServerTime
        )
        return int(rows[0].ts)

    # ---- contracts

    async def load_contracts(self) -> None:
        for inst_type in self.inst_types:
            rows: list[schemas.Instrument] = await self.call(
                "GET", "/api/v5/public/instruments", {"instType": inst_type}, row_type=schemas.Instrument
            )
            for row in rows:
                if row.state not in ("live", ""):
                    continue
                if row.instIdCode is not None:
                    self.inst_codes[row.instId] = row.instIdCode
                self.steps[row.instId] = (row.tickSz, row.lotSz)
                self.add_contract(parse.contract(row, gateway_name=self.gateway_name, exchange=self.exchange))
        self.write_log(f"{len(self.contracts)} contracts loaded")

    # ---- streams

    def build_subscribe(self, topics: list[str], subscribe: bool) -> list[dict[str, Any]]:
        args = []
        for topic in topics:
            channel, _, rest = topic.partition(":")
            key, _, value = rest.partition("=")
            args.append({"channel": channel, key: value} if key else {"channel": channel})
        return [{"op": "subscribe" if subscribe else "unsubscribe", "args": args}]

    def private_topics(self) -> list[str]:
        return [f"orders:instType={inst_type}" for inst_type in self.inst_types] + ["account"]

    async def subscribe_market(self, symbol: str) -> None:
        assert self.public_socket is not None
        await self.public_socket.subscribe([f"{c}:instId={symbol}" for c in MARKET_CHANNELS])

    async def unsubscribe_market(self, symbol: str) -> None:
        assert self.public_socket is not None
        await self.public_socket.unsubscribe([f"{c}:instId={symbol}" for c in MARKET_CHANNELS])

    def decode_frame(self, raw: bytes) -> schemas.WsFrame | None:
        if raw == b"pong":
            return None
        try:
            return parse.FRAME.decode(raw)
        except DECODE_ERRORS as error:
            self.drop_malformed("frame", error)
            return None

    def explain_connect_failure(self, error: BaseException) -> str:
        # OKX tells a wrong passphrase apart from a wrong key or signature: say which setting to fix
        if isinstance(error, VenueError) and str(error.code) in parse.PASSPHRASE_CODES:
            return (
                f"OKX refused the passphrase ({error.code}: {error.venue_message}); "
                "check the 'passphrase' setting (it is the one chosen when the API key was made)"
            )
        return super().explain_connect_failure(error)

    def on_venue_event(self, frame: schemas.WsFrame) -> None:
        if frame.event == "error":
            self.write_log(f"venue error {frame.code}: {frame.msg}", logging.WARNING)

    def on_public_message(self, raw: bytes) -> None:
        # a market push names its channel in its first bytes: that picks the typed decoder (one pass)
        if raw.startswith(TICKERS_PREFIX):
            channel = "tickers"
        elif raw.startswith(BOOKS5_PREFIX):
            channel = "books5"
        elif raw.startswith(TRADES_PREFIX):
            channel = "trades"
        else:
            frame = self.decode_frame(raw)  # events, errors, pong, or keys in another order
            if frame is None:
                return
            if frame.event is not None:
                self.on_venue_event(frame)
                return
            if frame.arg is None or frame.arg.channel not in MARKET_CHANNELS:
                return
            channel = frame.arg.channel
        try:
            if channel == "tickers":  # the hottest OKX push: the state is updated here, not through a helper
                for t in tickers(raw):
                    state = self.builders.get(t.instId)
                    if state is not None:
                        self.on_tick(
                            state.summary(
                                t.last,
                                t.lastSz,
                                t.bidPx,
                                t.bidSz,
                                t.askPx,
                                t.askSz,
                                t.open24h,
                                t.high24h,
                                t.low24h,
                                t.vol24h,
                                t.volCcy24h,
                                t.ts,
                            )
                        )
            elif channel == "books5":
                push = BOOKS.decode(raw)
                state = self.builders.get(push.arg.instId)
                if state is not None:
                    for book in push.data:
                        self.on_tick(state.levels(book.bids, book.asks, book.ts))
            else:
                for trade in TRADES.decode(raw).data:
                    state = self.builders.get(trade.instId)
                    if state is not None:
                        self.on_tick(state.last(trade.px, trade.sz, trade.ts))
        except DECODE_ERRORS as error:
            self.drop_malformed(f"{channel} push", error)

    # ---- private stream

    async def login(self, socket: WebSocketClient) -> None:
        """Log the private socket in (again after every reconnect), then let its topics be replayed."""
        for attempt in range(2):
            stamp = str(self.clock.now_ms() // 1000)
            sign = sign_message(self._secret, stamp + "GET" + "/users/self/verify")
            reply: schemas.WsFrame = await socket.request(
                "login",
                {
                    "op": "login",
                    "args": [
                        {
                            "apiKey": self._key,
                            "passphrase": self._passphrase,
                            "timestamp": stamp,
                            "sign": sign,
                        }
                    ],
                },
            )
            if reply.event == "login" and reply.code == "0":
                break
            error = parse.classify(reply.code or "", reply.msg, 0)
            if isinstance(error, ClockSkewError) and attempt == 0:
                await self.sync_clock()
                continue
            raise error
        self.write_log("private stream logged in")
        self.private_stream_opened(socket)

    def on_private_message(self, raw: bytes) -> None:
        frame = self.decode_frame(raw)
        if frame is None:
            return
        socket = self.private_socket
        if frame.event in ("login", "error") and socket is not None and socket.resolve("login", frame):
            return
        if frame.id is not None and frame.op is not None:
            if socket is not None:
                socket.resolve(frame.id, frame)
            return
        if frame.event is not None:
            self.on_venue_event(frame)
            return
        if frame.arg is None or not frame.data:
            return
        try:
            if frame.arg.channel == "orders":
                for order in parse.ORDERS.decode(frame.data):
                    self.apply_order(order)
            elif frame.arg.channel == "account":
                for balance in parse.BALANCES.decode(frame.data):
                    self.apply_balance(balance)
            elif frame.arg.channel == "positions":
                for position in parse.POSITIONS.decode(frame.data):
                    self.on_position(
                        parse.position(position, gateway_name=self.gateway_name, exchange=self.exchange)
                    )
        except DECODE_ERRORS as error:
            self.drop_malformed(f"{frame.arg.channel} push", error)

    def apply_order(self, row: schemas.Order) -> None:
        try:
            order, reason = parse.order(row, gateway_name=self.gateway_name, exchange=self.exchange)
        except parse.UnknownOrderStateError as error:
            self.on_unknown_order_state(row, error)
            return
        self._unknown_state_asked.discard(order.orderid)
        self.orders.update(
            order.orderid,
            order.status,
            traded=order.traded,
            moment=parse.order_moment(row),
            reason=reason,
            template=order,
        )
        trade = parse.order_fill(row, order.orderid, gateway_name=self.gateway_name, exchange=self.exchange)
        if trade is not None:
            self.orders.trade(trade)

    def on_unknown_order_state(self, row: schemas.Order, error: parse.UnknownOrderStateError) -> None:
        """An order report whose state is unknown here: its status is not guessed. It is counted as malformed,
        the fill it carries (a real one) is kept, and the order is asked of the venue, once until a readable
        report of it comes (the venue's own answer may carry the same state)."""
        orderid = row.clOrdId or row.ordId
        trade = parse.order_fill(row, orderid, gateway_name=self.gateway_name, exchange=self.exchange)
        if trade is not None:
            self.orders.trade(trade)
        if orderid in self._unknown_state_asked:
            self.drop_malformed("order report", error)
            return
        self._unknown_state_asked.add(orderid)
        self.reconcile_unreadable("order report", f"{error}; asked of the venue", [row.clOrdId, row.ordId])

    def apply_balance(self, balance: schemas.Balance) -> None:
        for detail in balance.details:
            self.push_account(detail.ccy, parse.number(detail.eq), parse.number(detail.frozenBal))

    # ---- orders over the private socket

    async def operation(self, op: str, args: dict[str, Any]) -> schemas.OpResult:
        socket = await self.order_socket(lambda: self.private_socket)
        request_id = f"{op[0]}{next(self._op_ids)}"
        reply: schemas.WsFrame = await socket.request(
            request_id, {"id": request_id, "op": op, "args": [args]}
        )
        results = parse.OP_RESULTS.decode(reply.data) if reply.data else []
        if results:
            result = results[0]
            if result.sCode != "0":
                raise parse.classify(result.sCode, result.sMsg, 0)
            return result
        raise parse.classify(reply.code or "", reply.msg or "no result", 0)

    def order_args(self, order: OrderData, req: OrderRequest) -> dict[str, Any]:
        code = self.inst_codes.get(req.symbol)
        if code is None:
            raise ValueError(f"unknown symbol {req.symbol} (no instIdCode among the loaded instruments)")
        args: dict[str, Any] = {
            "instIdCode": code,
            "clOrdId": order.orderid,
            "side": parse.SIDE_VT2OKX[req.direction],
            "ordType": parse.ORDER_TYPE_VT2OKX[req.type],
            "sz": format_step(req.volume, self.steps.get(req.symbol, ("", ""))[1]),
            "tdMode": self.trade_mode,
        }
        if req.type != OrderType.MARKET:
            args["px"] = format_step(req.price, self.steps.get(req.symbol, ("", ""))[0])
        return args

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        await self.prepare_order(req)
        try:
            await self.operation("order", self.order_args(order, req))
        except (VenueConnectionError, VenueUnavailableError) as error:
            # sent, then no answer: the venue may have the order. After a dropped line it is asked once the
            # stream is back; after a reply that did not come in time (the line is up) at once, over REST
            await self.order_answer_lost(order, error, ask_now=isinstance(error, VenueUnavailableError))

    async def prepare_order(self, req: OrderRequest) -> None:
        return None

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        code = self.inst_codes.get(req.symbol)
        if code is None:
            raise RequestRejectedError(f"unknown symbol {req.symbol}")
        await self.operation("cancel-order", {"instIdCode": code, "clOrdId": req.orderid})

    async def load_open_orders(self) -> None:
        rows: list[schemas.Order] = await self.call(
            "GET", "/api/v5/trade/orders-pending", signed=True, row_type=schemas.Order
        )
        self.load_open_order_rows(
            (row for row in rows if row.instType in self.inst_types),
            self.apply_order,
            lambda row: row.clOrdId or row.ordId,
        )

    async def ask_venue(self, order: OrderData) -> str:
        try:
            rows: list[schemas.Order] = await self.call(
                "GET",
                "/api/v5/trade/order",
                {"instId": order.symbol, "clOrdId": order.orderid},
                signed=True,
                row_type=schemas.Order,
            )
        except RequestRejectedError as error:
            if error.code == "51603":  # order does not exist
                return f"{error.code}: {error.venue_message}"
            raise
        for row in rows:
            if float(row.accFillSz) > order.traded:
                await self.fetch_order_fills(order, row)
            self.apply_order(msgspec.structs.replace(row, fillSz="0", tradeId=""))
        return ""

    async def fetch_order_fills(self, order: OrderData, row: schemas.Order) -> None:
        fills: list[schemas.Fill] = await self.call(
            "GET",
            "/api/v5/trade/fills",
            {"instType": row.instType, "instId": row.instId, "ordId": row.ordId},
            signed=True,
            row_type=schemas.Fill,
        )
        for fill in sorted(fills, key=lambda item: int(item.tradeId)):
            self.orders.trade(
                parse.fill(fill, order.orderid, gateway_name=self.gateway_name, exchange=self.exchange)
            )

    # ---- account

    async def fetch_account(self) -> None:
        balances: list[schemas.Balance] = await self.call(
            "GET", "/api/v5/account/balance", signed=True, row_type=schemas.Balance
        )
        for balance in balances:
            self.apply_balance(balance)

    async def fetch_positions(self) -> None:
        return None

    # ---- history

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        bar = parse.INTERVAL_VT2OKX.get(interval)
        if bar is None:
            raise ValueError(f"interval {interval.value} is not available from OKX")
        start_ms = int(req.start.timestamp() * 1000)
        end_ms = int((req.end or dt.datetime.now(dt.timezone.utc)).timestamp() * 1000)
        step = int(INTERVAL_STEP[interval].total_seconds() * 1000)
        after = end_ms + step  # OKX pages backwards: rows earlier than `after`
        found: dict[int, BarData] = {}
        while True:
            rows: list[schemas.Candle] = await self.call(
                "GET",
                "/api/v5/market/candles",
                {"instId": req.symbol, "bar": bar, "after": after, "limit": 300},
                row_type=schemas.Candle,
            )
            if not rows:
                break
            for row in rows:
                stamp = int(row[0])
                if start_ms <= stamp <= end_ms:
                    found[stamp] = parse.bar(
                        row,
                        gateway_name=self.gateway_name,
                        exchange=self.exchange,
                        symbol=req.symbol,
                        interval=interval,
                    )
            oldest = int(rows[-1][0])
            if oldest <= start_ms:
                break
            after = oldest
            await asyncio.sleep(0)
        return [found[stamp] for stamp in sorted(found)]
