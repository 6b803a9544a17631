"""BINANCE_LINEAR (USDⓈ-M, `/fapi`) and BINANCE_INVERSE (COIN-M, `/dapi`).

Futures specifics (venues.md §2): market data on two routed sockets for USDⓈ-M (`/public` for bookTicker and
depth, `/market` for aggTrade: a stream on the wrong path is silently never delivered), one socket for COIN-M;
user data through a listenKey kept alive by PUT and renewed when the venue lets it lapse; stop orders through
the algo-order endpoint (`/algoOrder`, `ALGO_UPDATE` events) since `/order` refuses conditional types (-4120).
The USDⓈ-M perpetual `BTCUSDT` is named `BTCUSDT_SWAP` here so that it cannot collide with the spot symbol.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, ClassVar

import msgspec

from vtcore.constant import Direction, OrderType, Product, Status
from vtcore.gateways._transport import RateLimit, RequestRejectedError, WebSocketClient
from vtcore.gateways._transport.gateway import DIRECTION_SIDE, format_step, ms_to_datetime
from vtcore.gateways.binance import schemas
from vtcore.gateways.binance.common import (
    BinanceGatewayBase,
    BinanceUrls,
)
from vtcore.log import register_secret
from vtcore.object import CancelRequest, ContractData, OrderData, OrderRequest, PositionData

_depth = msgspec.json.Decoder(schemas.Combined[schemas.FuturesDepth], strict=False)
_user_event = msgspec.json.Decoder(schemas.FuturesUserEvent)
#: what an algo order's own status says of the vt order; TRIGGERING, TRIGGERED and FINISHED say nothing,
#: since the order placed on trigger reports its fills and its end under the same client id
ALGO_STATUS = {
    "NEW": Status.NOTTRADED,
    "CANCELED": Status.CANCELLED,
    "EXPIRED": Status.CANCELLED,
    "REJECTED": Status.REJECTED,
}
PERPETUAL_SUFFIX = "_SWAP"


class BinanceFuturesGatewayBase(BinanceGatewayBase):
    api_root: ClassVar[str]  # "/fapi" / "/dapi"
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
        self._stream_opened = False
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
        depth = _depth.decode(raw).data
        self.update_depth(self.vt_symbol_of(depth.s), ms_to_datetime(depth.E), depth.b, depth.a)

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
        params = {
            "algoType": "CONDITIONAL",
            "symbol": self.venue_symbol(req.symbol),
            "side": DIRECTION_SIDE[req.direction],
            "type": "STOP_MARKET",
            "quantity": format_step(req.volume, self.steps.get(req.symbol, ("", ""))[1]),
            "triggerPrice": format_step(req.price, self.steps.get(req.symbol, ("", ""))[0]),
            "clientAlgoId": order.orderid,
        }
        reply: schemas.AlgoOrder = await self.call(
            "POST", f"{self.rest_prefix}/algoOrder", params, signed=True, orders=1, type_=schemas.AlgoOrder
        )
        self.algo_ids[reply.clientAlgoId] = reply.algoId
        self.update_order(order.orderid, status=ALGO_STATUS.get(reply.algoStatus, Status.NOTTRADED))

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
        status = ALGO_STATUS.get(reply.algoStatus)
        if status is not None:
            self.update_order(order.orderid, status=status)

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

    def user_stream_url(self, listen_key: str) -> str:
        raise NotImplementedError

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
        if self._stream_opened:
            self.submit(self.reconcile(), "reconcile orders")
        self._stream_opened = True

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
            event = _user_event.decode(raw)
        except msgspec.ValidationError:
            self.logger.debug("%s: user-data event not used: %r", self.gateway_name, raw[:80])
            return
        except msgspec.DecodeError as error:
            self.malformed_messages += 1
            self.logger.warning("%s: malformed user-data event dropped: %s", self.gateway_name, error)
            return
        if isinstance(event, schemas.OrderTradeUpdate):
            self.apply_order_event(event.o, event.o.c)
        elif isinstance(event, schemas.AccountUpdate):
            for balance in event.a.B:
                self.push_account(balance.a, float(balance.wb), 0.0)
            for position in event.a.P:
                self.push_position(position.s, position.pa, position.ep, position.up)
        elif isinstance(event, schemas.AlgoUpdate):
            status = ALGO_STATUS.get(event.o.X)
            if status is not None:
                reason = event.o.rm
                if status == Status.REJECTED and not reason:
                    reason = "the venue rejected the stop order"
                self.update_order(event.o.caid, status=status, reason=reason or None)
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
