"""BINANCE_SPOT (alias BINANCE): Binance spot through `/api/v3`, the combined market stream and, for account
and order updates, the WS API user-data subscription (`userDataStream.subscribe.signature`; listenKeys are
gone on spot since 2026-02-20)."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import msgspec

from vtcore.constant import OrderType, Product
from vtcore.gateways._transport import (
    ClockSkewError,
    RateLimit,
    SignatureError,
    VenueError,
    WebSocketClient,
)
from vtcore.gateways.binance import schemas
from vtcore.gateways.binance.common import (
    BinanceGatewayBase,
    BinanceUrls,
    sign_payload,
)
from vtcore.object import ContractData

_api_frame = msgspec.json.Decoder(schemas.ApiFrame)
_user_event = msgspec.json.Decoder(schemas.SpotUserEvent)
_depth = msgspec.json.Decoder(schemas.Combined[schemas.PartialDepth], strict=False)


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
        depth = _depth.decode(raw).data  # spot partial depth names no symbol: take it from the stream
        self.update_depth(self.vt_symbol_of(stream.partition("@")[0].upper()), None, depth.bids, depth.asks)

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
            error_class = SignatureError if reply.error.code in (-1022, -2014, -2015) else VenueError
            if reply.error.code == -1021:
                error_class = ClockSkewError
            raise error_class(reply.error.msg, status=reply.status, code=reply.error.code)
        self.write_log("user data stream subscribed")
        if self._user_stream_opened:
            self.submit(self.reconcile(), "reconcile orders")
        self._user_stream_opened = True

    def on_api_message(self, raw: bytes) -> None:
        try:
            frame = _api_frame.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            self.malformed_messages += 1
            self.logger.warning("%s: malformed user-data frame dropped: %s", self.gateway_name, error)
            return
        if frame.event:
            self.on_user_event(frame.event)
        elif frame.id is not None and self.user_socket is not None:
            self.user_socket.resolve(str(frame.id), frame)

    def on_user_event(self, raw: msgspec.Raw) -> None:
        try:
            event = _user_event.decode(raw)
        except msgspec.ValidationError:
            self.logger.debug("%s: user-data event not used: %r", self.gateway_name, bytes(raw)[:80])
            return
        except msgspec.DecodeError as error:
            self.malformed_messages += 1
            self.logger.warning("%s: malformed user-data event dropped: %s", self.gateway_name, error)
            return
        if isinstance(event, schemas.ExecutionReport):
            self.on_execution_report(event)
        elif isinstance(event, schemas.OutboundAccountPosition):
            for balance in event.B:
                free, locked = float(balance.f), float(balance.l)
                self.push_account(balance.a, free + locked, locked)
        elif isinstance(event, schemas.EventStreamTerminated):
            self.write_log("the venue ended the user data stream; re-subscribing", logging.WARNING)
            if self.user_socket is not None:
                self.submit(self.user_socket.reconnect(), "reconnect user data")

    def on_execution_report(self, report: schemas.ExecutionReport) -> None:
        # a cancel's `c` is the cancel request's own id; the order's id is then in `C`
        self.apply_order_event(report, report.C if report.x == "CANCELED" and report.C else report.c)


#: vn.py 2.x's name for the spot gateway
BinanceGateway = BinanceSpotGateway
