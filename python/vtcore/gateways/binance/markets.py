"""The three Binance markets on the Binance base (`gateway.py`), each naming its paths, URLs, streams and
user-data flavour (venues.md §1-2):

- BINANCE_SPOT (alias BINANCE): `/api/v3`, one combined market stream and, for account and order updates,
  the WS API user-data subscription (`userDataStream.subscribe.signature`; spot listenKeys are gone since
  2026-02-20);
- BINANCE_LINEAR (USDⓈ-M, `/fapi`) and BINANCE_INVERSE (COIN-M, `/dapi`): market data on two routed sockets
  for USDⓈ-M (`/public` for bookTicker and depth, `/market` for aggTrade: a stream on the wrong path is
  silently never delivered), one socket for COIN-M; user data through a listenKey kept alive by PUT and
  renewed when the venue lets it lapse; stop orders through the algo-order endpoint (`/algoOrder`,
  `ALGO_UPDATE` events) since `/order` refuses conditional types (-4120). The USDⓈ-M perpetual `BTCUSDT` is
  named `BTCUSDT_SWAP` here so that it cannot collide with the spot symbol.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import abstractmethod
from typing import Any, ClassVar

import msgspec

from vtcore.constant import Direction, OrderType, Product, Status
from vtcore.gateways._transport import RateLimit, RequestRejectedError, WebSocketClient
from vtcore.gateways._venue import format_step
from vtcore.gateways.binance import parse, schemas
from vtcore.gateways.binance.gateway import BinanceGatewayBase, BinanceUrls, sign_payload
from vtcore.gateways.binance.parse import FUTURES_DEPTH, SPOT_DEPTH
from vtcore.log import register_secret
from vtcore.object import CancelRequest, ContractData, OrderData, OrderRequest, PositionData

PERPETUAL_SUFFIX = "_SWAP"


class BinanceSpotGateway(BinanceGatewayBase):
    default_name: ClassVar[str] = "BINANCE_SPOT"
    servers: ClassVar[dict[str, BinanceUrls]] = {
        "REAL": BinanceUrls(
            "https://api.binance.com", "wss://stream.binance.com:9443", "wss://ws-api.binance.com:443"
        ),
        "TESTNET": BinanceUrls(
            "https://testnet.binance.vision",
            "wss://stream.testnet.binance.vision",
            "wss://ws-api.testnet.binance.vision",
        ),
    }
    rest_prefix: ClassVar[str] = "/api/v3"
    trades_path: ClassVar[str] = "/api/v3/myTrades"
    weight_limits: ClassVar[dict[str, RateLimit]] = {
        "REQUEST_WEIGHT": RateLimit(6000, 60.0),
        "ORDERS": RateLimit(50, 10.0),
    }
    venue_ping_interval: ClassVar[float] = 20.0
    messages_per_second: ClassVar[float | None] = 5.0
    supported_order_types = frozenset(
        {OrderType.LIMIT, OrderType.MARKET, OrderType.FAK, OrderType.FOK, OrderType.POST_ONLY, OrderType.STOP}
    )
    # Binance spot triggers STOP_LOSS when the last price reaches stopPrice from below for a buy and from
    # above for a sell (TAKE_PROFIT is the other way round): vn.py's stop order, either way
    stop_order_type: ClassVar[str | None] = "STOP_LOSS"

    def make_contract(self, item: schemas.SymbolInfo) -> ContractData | None:
        if item.status not in ("TRADING", "CANCEL_ONLY"):
            return None
        contract = self.base_contract(item, Product.SPOT, 1.0)
        contract.stop_supported = "STOP_LOSS" in item.orderTypes
        return contract

    def post_only_order(self) -> tuple[str, str | None]:
        return "LIMIT_MAKER", None

    # ---- market streams: one combined socket

    def open_public_streams(self) -> None:
        assert self.urls is not None
        self.market_sockets = [self.market_socket("market", f"{self.urls.ws}/stream")]

    def socket_topics(self, symbol: str) -> list[tuple[WebSocketClient, list[str]]]:
        lower = self.venue_symbol(symbol).lower()
        return [(self.market_sockets[0], [f"{lower}@bookTicker", f"{lower}@depth5@100ms", f"{lower}@trade"])]

    def on_depth(self, stream: str, raw: bytes) -> None:
        depth = SPOT_DEPTH.decode(raw).data  # spot partial depth names no symbol: take it from the stream
        state = self.builders.get(stream.partition("@")[0].upper())
        if state is not None:
            self.on_tick(state.levels(depth.bids, depth.asks, 0))

    # ---- account

    async def fetch_account(self) -> None:
        account: schemas.SpotAccount = await self.call(
            "GET",
            "/api/v3/account",
            {"omitZeroBalances": "true"},
            signed=True,
            weight=20,
            type_=schemas.SpotAccount,
        )
        for balance in account.balances:
            free, locked = float(balance.free), float(balance.locked)
            self.push_account(balance.asset, free + locked, locked)

    async def fetch_positions(self) -> None:
        return None  # spot has balances, not positions

    # ---- user data through the WS API

    def open_private_streams(self) -> None:
        assert self.urls is not None
        self.user_socket = self.open_socket(
            "user",
            f"{self.urls.ws_api}/ws-api/v3",
            self.stream_heartbeat(),
            on_message=self.on_api_message,
            on_open=self.subscribe_user_data,
        )

    async def subscribe_user_data(self, socket: WebSocketClient) -> None:
        """The private stream's (re-)authentication: subscribe to user data with a signed request."""
        for attempt in range(2):
            params: dict[str, Any] = {"apiKey": self._key, "timestamp": self.clock.now_ms()}
            payload = "&".join(f"{key}={params[key]}" for key in sorted(params))
            params["signature"] = sign_payload(self._secret, payload)
            request_id = f"uds{next(self._request_ids)}"
            reply: schemas.ApiFrame = await socket.request(
                request_id,
                {"id": request_id, "method": "userDataStream.subscribe.signature", "params": params},
            )
            if reply.error is None:
                break
            if reply.error.code == -1021 and attempt == 0:
                self.write_log("user data: timestamp rejected, resyncing the clock", logging.WARNING)
                await self.sync_clock()
                continue
            raise parse.api_error(reply.error.code, reply.error.msg, reply.status)
        self.write_log("user data stream subscribed")
        self.private_stream_opened()

    def on_api_message(self, raw: bytes) -> None:
        try:
            frame = parse.API_FRAME.decode(raw)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("user-data frame", error)
            return
        if frame.event:
            self.on_user_event(frame.event)
        elif frame.id is not None and self.user_socket is not None:
            self.user_socket.resolve(str(frame.id), frame)

    def on_user_event(self, raw: msgspec.Raw) -> None:
        try:
            event = parse.SPOT_USER_EVENT.decode(raw)
        except msgspec.ValidationError as error:
            self.on_unread_user_event(bytes(raw), error, parse.SPOT_USER_TAGS)
            return
        except msgspec.DecodeError as error:
            self.drop_malformed("user-data event", error)
            return
        if isinstance(event, schemas.ExecutionReport):
            # a cancel's `c` is the cancel request's own id; the order's id is then in `C`
            self.apply_order_event(event, event.C if event.x == "CANCELED" and event.C else event.c)
        elif isinstance(event, schemas.OutboundAccountPosition):
            for balance in event.B:
                free, locked = float(balance.f), float(balance.l)
                self.push_account(balance.a, free + locked, locked)
        elif isinstance(event, schemas.EventStreamTerminated):
            self.write_log("the venue ended the user data stream; re-subscribing", logging.WARNING)
            if self.user_socket is not None:
                self.submit(self.user_socket.reconnect(), "reconnect user data")


#: vn.py 2.x's name for the spot gateway
BinanceGateway = BinanceSpotGateway


class BinanceFuturesGatewayBase(BinanceGatewayBase):
    account_path: ClassVar[str]
    position_path: ClassVar[str]
    routed_streams: ClassVar[bool]
    venue_ping_interval: ClassVar[float] = 180.0
    kline_limit: ClassVar[int] = 1500
    weight_limits: ClassVar[dict[str, RateLimit]] = {
        "REQUEST_WEIGHT": RateLimit(2400, 60.0),
        "ORDERS": RateLimit(300, 10.0),
    }
    supported_order_types = frozenset(
        {OrderType.LIMIT, OrderType.MARKET, OrderType.FAK, OrderType.FOK, OrderType.STOP, OrderType.POST_ONLY}
    )

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.listen_key = ""
        self._keepalive: asyncio.Task[None] | None = None
        self._vt_names: dict[str, str] = {}  # venue symbol -> vtcore symbol
        self._venue_names: dict[str, str] = {}
        self.algo_ids: dict[str, int] = {}

    # ---- symbols and contracts

    def venue_symbol(self, symbol: str) -> str:
        return self._venue_names.get(symbol, symbol)

    def vt_symbol_of(self, venue_symbol: str) -> str:
        return self._vt_names.get(venue_symbol, venue_symbol)

    def make_contract(self, item: schemas.SymbolInfo) -> ContractData | None:
        status = item.contractStatus or item.status
        if status != "TRADING":
            return None
        perpetual = item.contractType == "PERPETUAL"
        name = item.symbol
        if perpetual and "_" not in name:  # USDⓈ-M perpetuals share the spot symbol
            name = f"{item.symbol}{PERPETUAL_SUFFIX}"
        self._vt_names[item.symbol], self._venue_names[name] = name, item.symbol
        size = item.contractSize or 1.0
        contract = self.base_contract(item, Product.SWAP if perpetual else Product.FUTURES, size)
        contract.stop_supported = True
        return contract

    def post_only_order(self) -> tuple[str, str | None]:
        return "LIMIT", "GTX"

    # ---- market data

    def open_public_streams(self) -> None:
        assert self.urls is not None
        if self.routed_streams:
            self.market_sockets = [
                self.market_socket("public", f"{self.urls.ws}/public/stream"),
                self.market_socket("market", f"{self.urls.ws}/market/stream"),
            ]
        else:
            self.market_sockets = [self.market_socket("market", f"{self.urls.ws}/stream")]

    def socket_topics(self, symbol: str) -> list[tuple[WebSocketClient, list[str]]]:
        lower = self.venue_symbol(symbol).lower()
        book = [f"{lower}@bookTicker", f"{lower}@depth5@100ms"]
        trades = [f"{lower}@aggTrade"]
        if self.routed_streams:
            return [(self.market_sockets[0], book), (self.market_sockets[1], trades)]
        return [(self.market_sockets[0], book + trades)]

    def on_depth(self, stream: str, raw: bytes) -> None:
        depth = FUTURES_DEPTH.decode(raw).data
        state = self.builders.get(depth.s)
        if state is not None:
            self.on_tick(state.levels(depth.b, depth.a, depth.E))

    # ---- account and positions

    async def fetch_account(self) -> None:
        account: schemas.FuturesAccount = await self.call(
            "GET", self.account_path, signed=True, weight=5, type_=schemas.FuturesAccount
        )
        for asset in account.assets:
            balance = float(asset.walletBalance)
            self.push_account(asset.asset, balance, max(0.0, balance - float(asset.availableBalance)))

    async def fetch_positions(self) -> None:
        rows: list[schemas.PositionRisk] = await self.call(
            "GET", self.position_path, signed=True, weight=5, type_=list[schemas.PositionRisk]
        )
        for row in rows:
            self.push_position(row.symbol, row.positionAmt, row.entryPrice, row.unRealizedProfit)

    def push_position(self, venue_symbol: str, amount: str, entry: str, pnl: str) -> None:
        if self.vt_symbol_of(venue_symbol) not in self.contracts:
            return
        self.on_position(
            PositionData(
                gateway_name=self.gateway_name,
                symbol=self.vt_symbol_of(venue_symbol),
                exchange=self.exchange,
                direction=Direction.NET,
                volume=float(amount),
                price=float(entry),
                pnl=float(pnl),
            )
        )

    # ---- stop orders through the algo-order endpoint

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        if req.type != OrderType.STOP:
            await super().place_order(order, req)
            return
        price_step, volume_step = self.steps.get(req.symbol, ("", ""))
        params = {
            "algoType": "CONDITIONAL",
            "symbol": self.venue_symbol(req.symbol),
            "side": parse.SIDE_VT2BINANCE[req.direction],
            "type": "STOP_MARKET",
            "quantity": format_step(req.volume, volume_step),
            "triggerPrice": format_step(req.price, price_step),
            "clientAlgoId": order.orderid,
        }
        reply: schemas.AlgoOrder = await self.call(
            "POST", f"{self.rest_prefix}/algoOrder", params, signed=True, orders=1, type_=schemas.AlgoOrder
        )
        self.algo_ids[reply.clientAlgoId] = reply.algoId
        self.orders.update(
            order.orderid, parse.ALGO_STATUS_BINANCE2VT.get(reply.algoStatus, Status.NOTTRADED)
        )

    async def reconcile_order(self, order: OrderData) -> None:
        """An algo order is invisible to `/order` until it triggers: ask the algo service first; once
        triggered, the order it placed answers under the same client id."""
        algo_id = self.algo_ids.get(order.orderid)
        if algo_id is None:
            await super().reconcile_order(order)
            return
        try:
            reply: schemas.AlgoOrder = await self.call(
                "GET",
                f"{self.rest_prefix}/algoOrder",
                {"algoId": algo_id},
                signed=True,
                type_=schemas.AlgoOrder,
            )
        except RequestRejectedError as error:
            self.write_log(f"reconcile {order.orderid}: {error.venue_message}", logging.WARNING)
            return
        if reply.algoStatus in ("TRIGGERING", "TRIGGERED", "FINISHED"):
            await super().reconcile_order(order)
            return
        status = parse.ALGO_STATUS_BINANCE2VT.get(reply.algoStatus)
        if status is not None:
            self.orders.update(order.orderid, status)

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        if req.orderid not in self.algo_ids:
            await super().cancel_venue_order(req)
            return
        try:
            await self.call(
                "DELETE", f"{self.rest_prefix}/algoOrder", {"algoId": self.algo_ids[req.orderid]}, signed=True
            )
        except RequestRejectedError:
            # triggered already: what is left is an ordinary order under the same client id
            await super().cancel_venue_order(req)

    # ---- user data through a listenKey

    async def new_listen_key(self) -> str:
        reply: schemas.ListenKey = await self.call(
            "POST", f"{self.rest_prefix}/listenKey", keyed=True, type_=schemas.ListenKey
        )
        self.listen_key = reply.listenKey
        register_secret(reply.listenKey)  # it is in the stream URL, which connection errors quote
        return reply.listenKey

    @abstractmethod
    def user_stream_url(self, listen_key: str) -> str:
        """The user-data stream URL for a listenKey."""

    def open_private_streams(self) -> None:
        assert self.urls is not None
        self.user_socket = self.open_socket(
            "user", "", self.stream_heartbeat(), on_message=self.on_user_message, on_open=self.on_user_open
        )

        async def url() -> str:
            return self.user_stream_url(await self.new_listen_key())

        self.user_socket.url_provider = url
        self._keepalive = asyncio.get_running_loop().create_task(self.keep_listen_key_alive())

    async def on_user_open(self, socket: WebSocketClient) -> None:
        self.write_log("user data stream connected")
        self.private_stream_opened(socket)

    async def keep_listen_key_alive(self) -> None:
        while True:
            await asyncio.sleep(self.timing.keepalive_interval)
            if not self.listen_key:
                continue
            try:
                await self.call(
                    "PUT", f"{self.rest_prefix}/listenKey", {"listenKey": self.listen_key}, keyed=True
                )
            except RequestRejectedError as error:
                self.write_log(
                    f"listenKey keepalive refused ({error.venue_message}); renewing", logging.WARNING
                )
                if self.user_socket is not None:
                    await self.user_socket.reconnect()

    async def after_streams_closed(self) -> None:
        task, self._keepalive = self._keepalive, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.listen_key:
            with contextlib.suppress(Exception):
                await self.call(
                    "DELETE", f"{self.rest_prefix}/listenKey", {"listenKey": self.listen_key}, keyed=True
                )
            self.listen_key = ""

    def on_user_message(self, raw: bytes) -> None:
        try:
            event = parse.FUTURES_USER_EVENT.decode(raw)
        except msgspec.ValidationError as error:
            self.on_unread_user_event(raw, error, parse.FUTURES_USER_TAGS)
            return
        except msgspec.DecodeError as error:
            self.drop_malformed("user-data event", error)
            return
        if isinstance(event, schemas.OrderTradeUpdate):
            self.apply_order_event(event.o, event.o.c)
        elif isinstance(event, schemas.AccountUpdate):
            for balance in event.a.B:
                self.push_account(balance.a, float(balance.wb), 0.0)
            for position in event.a.P:
                self.push_position(position.s, position.pa, position.ep, position.up)
        elif isinstance(event, schemas.AlgoUpdate):
            status = parse.ALGO_STATUS_BINANCE2VT.get(event.o.X)
            if status is not None:
                reason = event.o.rm
                if status == Status.REJECTED and not reason:
                    reason = "the venue rejected the stop order"
                self.orders.update(event.o.caid, status, reason=reason)
        elif isinstance(event, schemas.ListenKeyExpired):
            self.write_log("the venue let the listenKey lapse; renewing it", logging.WARNING)
            self.listen_key = ""
            if self.user_socket is not None:
                self.submit(self.user_socket.reconnect(), "reconnect user data")


class BinanceLinearGateway(BinanceFuturesGatewayBase):
    default_name: ClassVar[str] = "BINANCE_LINEAR"
    servers: ClassVar[dict[str, BinanceUrls]] = {
        "REAL": BinanceUrls("https://fapi.binance.com", "wss://fstream.binance.com"),
        "TESTNET": BinanceUrls("https://demo-fapi.binance.com", "wss://fstream.binancefuture.com"),
    }
    rest_prefix: ClassVar[str] = "/fapi/v1"
    trades_path: ClassVar[str] = "/fapi/v1/userTrades"
    account_path: ClassVar[str] = "/fapi/v3/account"
    position_path: ClassVar[str] = "/fapi/v3/positionRisk"
    routed_streams: ClassVar[bool] = True

    def user_stream_url(self, listen_key: str) -> str:
        assert self.urls is not None
        events = "ORDER_TRADE_UPDATE/ACCOUNT_UPDATE/ALGO_UPDATE"
        return f"{self.urls.ws}/private/ws?listenKey={listen_key}&events={events}"


class BinanceInverseGateway(BinanceFuturesGatewayBase):
    default_name: ClassVar[str] = "BINANCE_INVERSE"
    servers: ClassVar[dict[str, BinanceUrls]] = {
        "REAL": BinanceUrls("https://dapi.binance.com", "wss://dstream.binance.com"),
        "TESTNET": BinanceUrls("https://testnet.binancefuture.com", "wss://dstream.binancefuture.com"),
    }
    rest_prefix: ClassVar[str] = "/dapi/v1"
    trades_path: ClassVar[str] = "/dapi/v1/userTrades"
    account_path: ClassVar[str] = "/dapi/v1/account"
    position_path: ClassVar[str] = "/dapi/v1/positionRisk"
    routed_streams: ClassVar[bool] = False

    def user_stream_url(self, listen_key: str) -> str:
        assert self.urls is not None
        return f"{self.urls.ws}/ws/{listen_key}"
