"""The two HTX gateways.

- HUOBI (spot): REST v1, the gzip market stream `/ws` (5-level book `mbp.refresh.5`, trades, 24 h detail) and
  the authenticated text stream `/ws/v2` (`orders#*`, `trade.clearing#*#0` for fills with fees,
  `accounts.update#1`). Order types: limit, market (a market buy spends volume x the best ask: HTX sizes it in
  the quote currency), FAK (`ioc`), FOK (`limit-fok`), post-only (`limit-maker`).
- HBDM (futures): the three contract families of `api.hbdm.com` in one gateway, each on its own streams:
  coin-margined delivery futures (`/api/v1/contract_*`, `/ws`, `/notification`), coin-margined swaps
  (`/swap-api/v1/swap_*`, `/swap-ws`, `/swap-notification`) and USDT-margined swaps on the 2026 v5 API
  (`/v5/...`, `/linear-swap-ws`, `/ws/v5/notification`). Coin-margined orders name an offset (open/close,
  two-way
  positions) and a leverage; USDT-margined ones are one-way (a CLOSE is `reduce_only`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec

from vtcore.constant import Direction, Interval, Offset, OrderType, Status
from vtcore.gateways._transport import RequestRejectedError, RestRequest, TransportError, WebSocketClient
from vtcore.gateways._venue import format_step
from vtcore.gateways.htx import parse, schemas
from vtcore.gateways.htx.gateway import HtxGatewayBase, HtxUrls
from vtcore.object import BarData, CancelRequest, HistoryRequest, OrderData, OrderRequest
from vtcore.time import ms_to_datetime

#: HBDM's answers for a client order id it has no order under: 1017 from v1 `order_info`, 1061 from v5
NO_SUCH_ORDER_CODES = frozenset({"1017", "1061"})


def decimals_step(precision: int) -> str:
    """The step "0.01" of a precision of 2 decimals, as text for `format_step`."""
    return "1" if precision <= 0 else "0." + "0" * (precision - 1) + "1"


class HuobiGateway(HtxGatewayBase):
    default_name: ClassVar[str] = "HUOBI"
    real_urls: ClassVar[HtxUrls] = HtxUrls("https://api.huobi.pro", "wss://api.huobi.pro")
    supported_order_types = frozenset(parse.SPOT_TYPE_VT2HTX)

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.market_socket: WebSocketClient | None = None
        self.private_socket: WebSocketClient | None = None
        self.account_id: int | None = None
        #: balance and available per currency, as `accounts.update#1` sends them piecewise
        self.balances: dict[str, list[float]] = {}

    # ---- REST basics

    def parse_error(self, status: int, raw: bytes, headers: Any) -> Any:
        return parse.parse_spot_error(status, raw, headers)

    async def fetch_server_time(self) -> int:
        return int(msgspec.json.decode(await self.call("GET", "/v1/common/timestamp")))

    async def load_contracts(self) -> None:
        rows = msgspec.json.decode(
            await self.call("GET", "/v1/common/symbols"), type=list[schemas.SpotSymbol]
        )
        for row in rows:
            if row.state != "online":
                continue
            self.steps[row.symbol] = (decimals_step(row.price_precision), decimals_step(row.amount_precision))
            self.add_contract(parse.spot_contract(row, gateway_name=self.gateway_name))
        self.write_log(f"{len(self.contracts)} contracts loaded")

    # ---- streams

    def open_public_streams(self) -> None:
        assert self.urls is not None
        self.market_socket = self.open_socket(
            "market",
            f"{self.urls.ws}/ws",
            self.stream_heartbeat(),
            on_message=lambda raw: self.on_market_frame(self.market_socket, raw),
            build_subscribe=self.build_market_subscribe,
        )

    def open_private_streams(self) -> None:
        assert self.urls is not None
        self.private_socket = self.open_socket(
            "private",
            f"{self.urls.ws}/ws/v2",
            self.stream_heartbeat(60.0),  # /ws/v2 pings every 20 s
            on_message=self.on_private_message,
            on_open=self.authenticate,
            build_subscribe=lambda topics, sub: [
                {"action": "sub" if sub else "unsub", "ch": topic} for topic in topics
            ],
            topics=["orders#*", "trade.clearing#*#0", "accounts.update#1"],
        )

    def sockets(self) -> list[WebSocketClient]:
        return [s for s in (self.market_socket, self.private_socket) if s is not None]

    async def subscribe_market(self, symbol: str) -> None:
        assert self.market_socket is not None
        await self.market_socket.subscribe(self.market_topics(symbol))

    async def unsubscribe_market(self, symbol: str) -> None:
        assert self.market_socket is not None
        await self.market_socket.unsubscribe(self.market_topics(symbol))

    @staticmethod
    def market_topics(symbol: str) -> list[str]:
        return [f"market.{symbol}.mbp.refresh.5", f"market.{symbol}.trade.detail", f"market.{symbol}.detail"]

    async def authenticate(self, socket: WebSocketClient) -> None:
        message = parse.stream_auth(
            self._key, self._secret, self._host, "/ws/v2", self.clock.now_ms(), v2=True
        )
        reply: schemas.Frame = await socket.request("auth", message)
        if reply.code != 200:
            raise parse.classify(reply.code or "", reply.message or "authentication refused", 0)
        self.write_log("private stream authenticated")
        self.private_stream_opened(socket)

    def on_private_message(self, raw: bytes) -> None:
        try:
            text = parse.inflate(raw)
            frame = parse.FRAME.decode(text)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("private frame", error)
            return
        channel = frame.ch or ""
        if frame.action == "ping":
            data = msgspec.json.decode(frame.data)
            stamp = data.get("ts") if isinstance(data, dict) else None
            self.reply(self.private_socket, {"action": "pong", "data": {"ts": stamp}})
        elif channel == "auth":
            if self.private_socket is not None:
                self.private_socket.resolve("auth", frame)
        elif frame.action == "push":
            try:
                if channel.startswith("orders#"):
                    self.apply_order_update(parse.ORDER_PUSH.decode(text).data)
                elif channel.startswith("trade.clearing#"):
                    fill = parse.CLEARING_PUSH.decode(text).data
                    orderid = fill.clientOrderId or str(fill.orderId)
                    self.orders.trade(parse.spot_trade(fill, orderid, gateway_name=self.gateway_name))
                elif channel.startswith("accounts.update#"):
                    self.apply_balance(parse.ACCOUNT_PUSH.decode(text).data)
            except parse.DECODE_ERRORS as error:
                self.drop_malformed(f"{channel} push", error)
        elif frame.code not in (None, 200):
            self.write_log(
                f"private stream {frame.action} {channel}: {frame.code} {frame.message}", logging.WARNING
            )

    def apply_order_update(self, update: schemas.OrderUpdate) -> None:
        status, traded = parse.spot_update(update)
        orderid = update.clientOrderId or str(update.orderId)
        if status is None:
            # a state this gateway does not know: never guessed; counted, and the order asked of the venue
            self.reconcile_unreadable(
                "order update",
                f"order {orderid}: unknown orderStatus {update.orderStatus!r}; asked of the venue",
                [orderid],
            )
            return
        direction, order_type = parse.spot_kind(update.type)
        template = OrderData(
            gateway_name=self.gateway_name,
            symbol=update.symbol,
            exchange=self.exchange,
            orderid=orderid,
            type=order_type,
            direction=direction,
            price=parse.number(update.orderPrice),
            volume=parse.number(update.orderSize),
            traded=traded or 0.0,
            status=status,
        )
        moment = update.tradeTime or update.lastActTime or update.orderCreateTime
        self.orders.update(
            orderid,
            status,
            traded=traded,
            moment=ms_to_datetime(moment) if moment else None,
            template=template,
        )

    def apply_balance(self, update: schemas.AccountUpdate) -> None:
        state = self.balances.setdefault(update.currency, [0.0, 0.0])
        if update.balance is not None:
            state[0] = float(update.balance)
        if update.available is not None:
            state[1] = float(update.available)
        self.push_account(update.currency, state[0], max(0.0, state[0] - state[1]))

    # ---- orders

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        if self.account_id is None:
            raise TransportError("no spot account (the account query failed)")
        price_step, volume_step = self.steps.get(req.symbol, ("", ""))
        amount = format_step(req.volume, volume_step)
        if req.type == OrderType.MARKET and req.direction == Direction.LONG:
            # HTX sizes a market buy in the quote currency: spend volume x the best ask (or the given price)
            state = self.builders.get(req.symbol)
            reference = (state.latest.ask_price_1 if state is not None else 0.0) or req.price
            if reference <= 0:
                raise ValueError("a market buy needs the best ask: subscribe to the symbol or give a price")
            amount = format_step(req.volume * reference, "0.00000001")
        params: dict[str, Any] = {
            "account-id": str(self.account_id),
            "symbol": req.symbol,
            "type": f"{parse.SIDE_VT2HTX[req.direction]}-{parse.SPOT_TYPE_VT2HTX[req.type]}",
            "amount": amount,
            "source": "spot-api",
            "client-order-id": order.orderid,
        }
        if req.type != OrderType.MARKET:
            params["price"] = format_step(req.price, price_step)
        try:
            await self.call("POST", "/v1/order/orders/place", params, signed=True)
        except TransportError as error:
            if not self.answer_lost(error):
                raise
            # a timeout or a 5xx: HTX may have placed it; its client order id tells (`ask_venue`)
            await self.order_answer_lost(order, error)
            return
        self.orders.update(order.orderid, Status.NOTTRADED)

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        result = msgspec.json.decode(
            await self.call(
                "POST",
                "/v1/order/orders/submitCancelClientOrder",
                {"client-order-id": req.orderid},
                signed=True,
            )
        )
        if result == -1:
            raise RequestRejectedError("the venue does not know this order", code=-1)
        if result == 0:
            raise RequestRejectedError("the order can no longer be cancelled", code=0)

    async def load_open_orders(self) -> None:
        params = {"account-id": str(self.account_id)} if self.account_id is not None else {}
        rows = msgspec.json.decode(
            await self.call("GET", "/v1/order/openOrders", params, signed=True), type=list[schemas.SpotOrder]
        )
        self.load_open_order_rows(rows, self.apply_order_row, lambda row: row.client_order_id or row.id)

    def apply_order_row(self, row: schemas.SpotOrder) -> None:
        order = parse.spot_order(row, gateway_name=self.gateway_name)
        self.orders.update(order.orderid, order.status, traded=order.traded, template=order)

    async def ask_venue(self, order: OrderData) -> str:
        try:
            raw = await self.call(
                "GET", "/v1/order/orders/getClientOrder", {"clientOrderId": order.orderid}, signed=True
            )
        except RequestRejectedError as error:
            if error.code == "base-record-invalid":  # HTX's answer for a client order id it does not know
                return f"{error.code}: {error.venue_message}"
            raise
        row = msgspec.json.decode(raw, type=schemas.SpotOrder)
        if parse.number(row.filled_amount) > order.traded:
            fills = msgspec.json.decode(
                await self.call("GET", f"/v1/order/orders/{row.id}/matchresults", signed=True),
                type=list[schemas.SpotFill],
            )
            for fill in sorted(fills, key=lambda item: item.trade_id):
                self.orders.trade(parse.spot_fill(fill, order.orderid, gateway_name=self.gateway_name))
        self.apply_answer(self.apply_order_row, row)
        return ""

    # ---- account and history

    async def fetch_account(self) -> None:
        accounts = msgspec.json.decode(
            await self.call("GET", "/v1/account/accounts", signed=True), type=list[schemas.SpotAccount]
        )
        spot = [account for account in accounts if account.type == "spot"]
        if not spot:
            self.write_log("no spot account on this key", logging.WARNING)
            return
        self.account_id = spot[0].id
        balance = msgspec.json.decode(
            await self.call("GET", f"/v1/account/accounts/{self.account_id}/balance", signed=True),
            type=schemas.SpotBalance,
        )
        totals: dict[str, list[float]] = {}
        for row in balance.rows:
            state = totals.setdefault(row.currency, [0.0, 0.0])
            state[0 if row.type == "trade" else 1] += float(row.balance)
        for currency, (available, frozen) in totals.items():
            self.balances[currency] = [available + frozen, available]
            self.push_account(currency, available + frozen, frozen)

    async def fetch_positions(self) -> None:
        return None  # spot holds balances, not positions

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        interval = req.interval or Interval.MINUTE
        period = parse.INTERVAL_VT2HTX.get(interval)
        if period is None:
            raise ValueError(f"interval {interval.value} is not available from HTX")
        # HTX serves only the latest 2000 bars of a period (no start/end): fetch them and keep the range
        rows = msgspec.json.decode(
            await self.call(
                "GET", "/market/history/kline", {"symbol": req.symbol, "period": period, "size": 2000}
            ),
            type=list[schemas.Kline],
        )
        start = req.start.timestamp()
        end = (req.end or dt.datetime.now(dt.timezone.utc)).timestamp()
        bars = [
            parse.bar(row, gateway_name=self.gateway_name, symbol=req.symbol, interval=interval)
            for row in rows
            if start <= row.id <= end
        ]
        return sorted(bars, key=lambda item: item.datetime)


# ------------------------------------------------------------------------------------------- HBDM


@dataclass(frozen=True)
class Family:
    """One contract family of `api.hbdm.com` and where its calls and streams live."""

    name: str
    info_path: str
    market_prefix: str
    market_path: str
    notify_path: str
    rest_prefix: str = ""  # v1 trading calls: "/api/v1/contract_" or "/swap-api/v1/swap_" ("" for v5)
    matchresults_path: str = ""  # v1 fills (v5: /v5/trade/order/details)

    @property
    def v5(self) -> bool:
        return not self.rest_prefix


FAMILIES = (
    Family(
        "future",
        "/api/v1/contract_contract_info",
        "",
        "/ws",
        "/notification",
        "/api/v1/contract_",
        "/api/v3/contract_matchresults_exact",
    ),
    Family(
        "swap",
        "/swap-api/v1/swap_contract_info",
        "/swap-ex",
        "/swap-ws",
        "/swap-notification",
        "/swap-api/v1/swap_",
        "/swap-api/v3/swap_matchresults_exact",
    ),
    Family(
        "linear",
        "/linear-swap-api/v1/swap_contract_info",
        "/linear-swap-ex",
        "/linear-swap-ws",
        "/ws/v5/notification",
    ),
)


class HbdmGateway(HtxGatewayBase):
    default_name: ClassVar[str] = "HBDM"
    real_urls: ClassVar[HtxUrls] = HtxUrls("https://api.hbdm.com", "wss://api.hbdm.com")
    default_setting: ClassVar[dict[str, Any]] = {**HtxGatewayBase.default_setting, "leverage": 5}
    optional_setting: ClassVar[Mapping[str, str]] = {
        **HtxGatewayBase.optional_setting,
        "leverage": "the lever rate set per contract before its first order (default 5)",
    }
    supported_order_types = frozenset(parse.CONTRACT_TYPE_VT2HTX)

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.leverage = 5
        self.family_of: dict[str, Family] = {}
        self.market_sockets: dict[str, WebSocketClient] = {}
        self.notify_sockets: dict[str, WebSocketClient] = {}

    def apply_setting(self, setting: dict[str, Any]) -> None:
        super().apply_setting(setting)
        try:
            leverage = int(setting.get("leverage", 5))
        except (TypeError, ValueError):
            raise ValueError("setting 'leverage' must be an integer") from None
        if not 1 <= leverage <= 125:
            raise ValueError("setting 'leverage' must be 1-125")
        self.leverage = leverage

    def parse_error(self, status: int, raw: bytes, headers: Any) -> Any:
        return parse.parse_futures_error(status, raw, headers)

    def envelope_data(self, raw: bytes) -> bytes:
        return bytes(parse.FUTURES_ENVELOPE.decode(raw).data)

    async def fetch_server_time(self) -> int:
        assert self.rest is not None
        raw = await self.rest.request_raw(RestRequest("GET", "/api/v1/timestamp", costs={"public": 1}))
        return parse.FUTURES_ENVELOPE.decode(raw).ts

    async def load_contracts(self) -> None:
        for family in FAMILIES:
            rows = msgspec.json.decode(
                await self.call("GET", family.info_path), type=list[schemas.ContractInfo]
            )
            for row in rows:
                if row.contract_status != 1:
                    continue
                self.family_of[row.contract_code] = family
                self.steps[row.contract_code] = (
                    format(row.price_tick, "f").rstrip("0").rstrip(".") or "1",
                    "1",
                )
                self.add_contract(parse.futures_contract(row, gateway_name=self.gateway_name))
        self.write_log(f"{len(self.contracts)} contracts loaded")

    # ---- streams

    def open_public_streams(self) -> None:
        assert self.urls is not None
        for family in FAMILIES:
            self.market_sockets[family.name] = self.open_socket(
                f"market-{family.name}",
                f"{self.urls.ws}{family.market_path}",
                self.stream_heartbeat(),
                on_message=functools.partial(self.on_family_market_frame, family.name),
                build_subscribe=self.build_market_subscribe,
            )

    def open_private_streams(self) -> None:
        assert self.urls is not None
        for family in FAMILIES:
            topics = (
                ["orders:*", "trade:*", "account:*", "positions:*"]
                if family.v5
                else [
                    "orders.*",
                    "accounts.*",
                    "positions.*",
                ]
            )
            self.notify_sockets[family.name] = self.open_socket(
                f"notify-{family.name}",
                f"{self.urls.ws}{family.notify_path}",
                self.stream_heartbeat(),
                on_message=functools.partial(self.on_notify_message, family),
                on_open=functools.partial(self.authenticate, family),
                build_subscribe=self.build_notify_subscribe,
                topics=topics,
            )

    def on_family_market_frame(self, family: str, raw: bytes) -> None:
        self.on_market_frame(self.market_sockets.get(family), raw)

    def build_notify_subscribe(self, topics: list[str], subscribe: bool) -> list[dict[str, Any]]:
        op = "sub" if subscribe else "unsub"
        messages = []
        for topic in topics:
            name, colon, code = topic.partition(":")
            message: dict[str, Any] = {"op": op, "cid": topic, "topic": name}
            if colon:
                message["contract_code"] = code
            messages.append(message)
        return messages

    def sockets(self) -> list[WebSocketClient]:
        return [*self.market_sockets.values(), *self.notify_sockets.values()]

    def market_topics(self, symbol: str) -> list[str]:
        return [f"market.{symbol}.depth.step6", f"market.{symbol}.trade.detail", f"market.{symbol}.detail"]

    async def subscribe_market(self, symbol: str) -> None:
        await self.market_sockets[self.family_of[symbol].name].subscribe(self.market_topics(symbol))

    async def unsubscribe_market(self, symbol: str) -> None:
        await self.market_sockets[self.family_of[symbol].name].unsubscribe(self.market_topics(symbol))

    async def authenticate(self, family: Family, socket: WebSocketClient) -> None:
        message = parse.stream_auth(
            self._key, self._secret, self._host, family.notify_path, self.clock.now_ms(), v2=False
        )
        reply: schemas.Frame = await socket.request("auth", message)
        if reply.err_code not in (0, "0"):
            raise parse.classify(reply.err_code or "", reply.err_msg or "authentication refused", 0)
        self.private_stream_opened(socket)

    def on_notify_message(self, family: Family, raw: bytes) -> None:
        try:
            text = parse.inflate(raw)
            frame = parse.FRAME.decode(text)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("notification frame", error)
            return
        socket = self.notify_sockets.get(family.name)
        if frame.op == "ping":
            self.reply(socket, {"op": "pong", "ts": frame.ts})
        elif frame.op == "auth":
            if socket is not None:
                socket.resolve("auth", frame)
        elif frame.op == "notify":
            topic = frame.topic or ""
            try:
                self.apply_notify(family, topic, text)
            except parse.DECODE_ERRORS as error:
                self.drop_malformed(f"{topic} notification", error)
        elif frame.err_code not in (None, 0, "0"):
            self.write_log(
                f"{family.name} stream {frame.op} {frame.topic}: {frame.err_code} {frame.err_msg}",
                logging.WARNING,
            )

    def apply_notify(self, family: Family, topic: str, text: bytes) -> None:
        name = topic.split(".", 1)[0]
        if family.v5:
            if name == "orders":
                linear = parse.LINEAR_ORDER_NOTIFY.decode(text).data
                self.apply_pushed(self.apply_linear_order, linear, linear.client_order_id or linear.order_id)
            elif name == "trade":
                for row in parse.LINEAR_TRADE_NOTIFY.decode(text).data:
                    orderid = row.client_order_id or row.order_id
                    self.orders.trade(parse.linear_trade(row, orderid, gateway_name=self.gateway_name))
            elif name == "account":
                for detail in parse.LINEAR_ACCOUNT_NOTIFY.decode(text).data.details:
                    equity = parse.number(detail.equity)
                    self.push_account(
                        detail.currency, equity, max(0.0, equity - parse.number(detail.available))
                    )
            elif name == "positions":
                for position in parse.LINEAR_POSITIONS_NOTIFY.decode(text).data:
                    self.on_position(parse.linear_position(position, gateway_name=self.gateway_name))
        elif name == "orders":
            pushed = parse.CONTRACT_ORDER.decode(text)
            self.apply_pushed(self.apply_contract_order, pushed, parse.contract_orderid(pushed))
        elif name == "accounts":
            for account in parse.ACCOUNTS_NOTIFY.decode(text).data:
                self.apply_contract_account(family, account)
        elif name == "positions":
            for held in parse.POSITIONS_NOTIFY.decode(text).data:
                self.on_position(parse.contract_position(held, gateway_name=self.gateway_name))

    def apply_contract_order(self, row: schemas.ContractOrder) -> None:
        """Raises parse.UnknownOrderStateError for a status unknown here, once the fills it carries are in."""
        # the fills first: a FILLED order's trades must not arrive after it is final
        for trade in parse.contract_trades(row, parse.contract_orderid(row), gateway_name=self.gateway_name):
            self.orders.trade(trade)
        order = parse.contract_order(row, gateway_name=self.gateway_name)
        moment = ms_to_datetime(row.ts) if row.ts else order.datetime
        self.orders.update(order.orderid, order.status, traded=order.traded, moment=moment, template=order)

    def apply_linear_order(self, row: schemas.LinearOrder) -> None:
        order = parse.linear_order(row, gateway_name=self.gateway_name)
        moment = ms_to_datetime(int(row.updated_time)) if row.updated_time else order.datetime
        self.orders.update(order.orderid, order.status, traded=order.traded, moment=moment, template=order)

    def apply_contract_account(self, family: Family, row: schemas.ContractAccount) -> None:
        self.push_account(
            f"{row.symbol}_{family.name.upper()}", row.margin_balance, row.margin_frozen + row.margin_position
        )

    # ---- orders

    def family(self, symbol: str) -> Family:
        family = self.family_of.get(symbol)
        if family is None:
            raise ValueError(f"unknown contract {symbol}")
        return family

    async def place_order(self, order: OrderData, req: OrderRequest) -> None:
        family = self.family(req.symbol)
        price_step = self.steps.get(req.symbol, ("", ""))[0]
        volume = format_step(req.volume, "1")
        if float(volume) < 1:
            raise ValueError("HBDM orders are in whole contracts (volume >= 1)")
        if family.v5:
            kind, time_in_force = parse.LINEAR_TYPE_VT2HTX[req.type]
            params: dict[str, Any] = {
                "contract_code": req.symbol,
                "margin_mode": "cross",
                "position_side": "both",
                "side": parse.SIDE_VT2HTX[req.direction],
                "type": kind,
                "time_in_force": time_in_force,
                "volume": volume,
                "client_order_id": order.orderid,
            }
            if req.offset in (Offset.CLOSE, Offset.CLOSETODAY, Offset.CLOSEYESTERDAY):
                params["reduce_only"] = 1
            if req.type != OrderType.MARKET:
                params["price"] = format_step(req.price, price_step)
            path = "/v5/trade/order"
        else:
            offset = parse.OFFSET_VT2HTX.get(req.offset)
            if offset is None:
                raise ValueError("coin-margined HBDM orders need an offset: OPEN or CLOSE")
            params = {
                "contract_code": req.symbol,
                "client_order_id": int(order.orderid),
                "volume": int(float(volume)),
                "direction": parse.SIDE_VT2HTX[req.direction],
                "offset": offset,
                "lever_rate": self.leverage,
                "order_price_type": parse.CONTRACT_TYPE_VT2HTX[req.type],
            }
            if req.type != OrderType.MARKET:
                params["price"] = float(format_step(req.price, price_step))
            path = f"{family.rest_prefix}order"
        try:
            await self.call("POST", path, params, signed=True)
        except TransportError as error:
            if not self.answer_lost(error):
                raise
            # a timeout or a 5xx: HTX may have placed it; its client order id tells (`ask_venue`)
            await self.order_answer_lost(order, error)
            return
        self.orders.update(order.orderid, Status.NOTTRADED)

    def order_key(self, family: Family, symbol: str) -> dict[str, Any]:
        """How a v1 trading call names the contract: delivery futures by coin, swaps by contract code."""
        if family.name == "future":
            contract = self.contracts.get(symbol)
            return {"symbol": symbol.rstrip("0123456789") if contract else symbol}
        return {"contract_code": symbol}

    async def cancel_venue_order(self, req: CancelRequest) -> None:
        family = self.family(req.symbol)
        if family.v5:
            await self.call(
                "POST",
                "/v5/trade/cancel_order",
                {"contract_code": req.symbol, "client_order_id": req.orderid},
                signed=True,
            )
            return
        raw = await self.call(
            "POST",
            f"{family.rest_prefix}cancel",
            {**self.order_key(family, req.symbol), "client_order_id": req.orderid},
            signed=True,
        )
        result = msgspec.json.decode(raw, type=schemas.CancelResult)
        if result.errors:
            error = result.errors[0]
            raise RequestRejectedError(error.err_msg, code=error.err_code)

    async def load_open_orders(self) -> None:
        for family in FAMILIES:
            if family.v5:
                rows = msgspec.json.decode(
                    await self.call("GET", "/v5/trade/order/opens", signed=True),
                    type=list[schemas.LinearOrder],
                )
                self.load_open_order_rows(rows, self.apply_linear_order)
                continue
            for symbol in [s for s, f in self.family_of.items() if f is family]:
                raw = await self.call(
                    "POST", f"{family.rest_prefix}openorders", self.order_key(family, symbol), signed=True
                )
                self.load_open_order_rows(
                    (
                        r
                        for r in msgspec.json.decode(raw, type=schemas.OpenOrders).orders
                        if r.contract_code == symbol
                    ),
                    self.apply_contract_order,
                )

    async def ask_venue(self, order: OrderData) -> str:
        family = self.family(order.symbol)
        try:
            if family.v5:
                raw = await self.call(
                    "GET",
                    "/v5/trade/order",
                    {"contract_code": order.symbol, "margin_mode": "cross", "client_order_id": order.orderid},
                    signed=True,
                )
                row = msgspec.json.decode(raw, type=schemas.LinearOrder)
                if parse.number(row.trade_volume) > order.traded:
                    await self.fetch_linear_fills(order, row.order_id)
                self.apply_answer(self.apply_linear_order, row)
                return ""
            raw = await self.call(
                "POST",
                f"{family.rest_prefix}order_info",
                {**self.order_key(family, order.symbol), "client_order_id": order.orderid},
                signed=True,
            )
        except RequestRejectedError as error:
            if str(error.code) in NO_SUCH_ORDER_CODES:
                return f"{error.code}: {error.venue_message}"
            raise
        for contract_row in msgspec.json.decode(raw, type=list[schemas.ContractOrder]):
            if contract_row.trade_volume > order.traded:
                await self.fetch_contract_fills(family, order, contract_row.order_id)
            self.apply_answer(self.apply_contract_order, contract_row)
        return ""

    async def fetch_linear_fills(self, order: OrderData, venue_id: str) -> None:
        raw = await self.call(
            "GET",
            "/v5/trade/order/details",
            {"contract_code": order.symbol, "order_id": venue_id},
            signed=True,
        )
        fills = msgspec.json.decode(raw, type=list[schemas.LinearFill])
        for fill in sorted(fills, key=lambda item: int(item.trade_id)):
            if fill.order_id == venue_id:
                self.orders.trade(parse.linear_fill(fill, order.orderid, gateway_name=self.gateway_name))

    async def fetch_contract_fills(self, family: Family, order: OrderData, venue_id: int) -> None:
        params: dict[str, Any] = {"contract": order.symbol, "trade_type": 0}
        if family.name == "future":
            params.update(self.order_key(family, order.symbol))
        raw = await self.call("POST", family.matchresults_path, params, signed=True)
        fills = msgspec.json.decode(raw, type=schemas.ContractFills).trades
        for fill in sorted(fills, key=lambda item: item.match_id):
            if fill.order_id == venue_id:
                self.orders.trade(parse.contract_fill(fill, order.orderid, gateway_name=self.gateway_name))

    # ---- account, positions, history

    async def fetch_account(self) -> None:
        for family in FAMILIES:
            if family.v5:
                raw = await self.call("GET", "/v5/account/balance", signed=True)
                for detail in msgspec.json.decode(raw, type=schemas.LinearAccount).details:
                    equity = parse.number(detail.equity)
                    self.push_account(
                        detail.currency, equity, max(0.0, equity - parse.number(detail.available))
                    )
            else:
                raw = await self.call("POST", f"{family.rest_prefix}account_info", {}, signed=True)
                for row in msgspec.json.decode(raw, type=list[schemas.ContractAccount]):
                    self.apply_contract_account(family, row)

    async def fetch_positions(self) -> None:
        for family in FAMILIES:
            if family.v5:
                raw = await self.call("GET", "/v5/trade/position/opens", signed=True)
                for position in msgspec.json.decode(raw, type=list[schemas.LinearPosition]):
                    self.on_position(parse.linear_position(position, gateway_name=self.gateway_name))
            else:
                raw = await self.call("POST", f"{family.rest_prefix}position_info", {}, signed=True)
                for row in msgspec.json.decode(raw, type=list[schemas.ContractPosition]):
                    self.on_position(parse.contract_position(row, gateway_name=self.gateway_name))

    async def fetch_history(self, req: HistoryRequest) -> list[BarData]:
        family = self.family(req.symbol)
        interval = req.interval or Interval.MINUTE
        period = parse.INTERVAL_VT2HTX.get(interval)
        if period is None:
            raise ValueError(f"interval {interval.value} is not available from HTX")
        seconds = parse.INTERVAL_SECONDS[period]
        start = int(req.start.timestamp())
        end = int((req.end or dt.datetime.now(dt.timezone.utc)).timestamp())
        key = "symbol" if family.name == "future" else "contract_code"
        found: dict[int, BarData] = {}
        while start <= end:
            chunk_end = min(end, start + seconds * 1999)  # at most 2000 bars per call
            raw = await self.call(
                "GET",
                f"{family.market_prefix}/market/history/kline",
                {key: req.symbol, "period": period, "from": start, "to": chunk_end},
            )
            for row in msgspec.json.decode(raw, type=list[schemas.Kline]):
                found[row.id] = parse.bar(
                    row, gateway_name=self.gateway_name, symbol=req.symbol, interval=interval
                )
            start = chunk_end + seconds
            await asyncio.sleep(0)
        return [found[stamp] for stamp in sorted(found)]
