"""`HtxGatewayBase`: what HTX's spot (HUOBI) and futures (HBDM) gateways share, on the venue base: Signature
v2
on REST and on the private streams' auth messages, gzip-compressed market streams whose JSON pings the gateway
answers (`{"ping": ts}` -> `{"pong": ts}`, `{"op": "ping"}` -> `{"op": "pong"}`, `{"action": "ping"}` ->
`{"action": "pong", "data": {"ts": ...}}`), and ticks merged from a 5-level book, the trade feed and the 24 h
statistics (venues.md §4). `markets.py` holds the two gateways."""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import msgspec

from vtcore.constant import Exchange
from vtcore.gateways._transport import Heartbeat, RateLimit, RestRequest, TransportError, WebSocketClient
from vtcore.gateways._venue import VenueGateway, http_to_ws, leading_string, parse_common_settings
from vtcore.gateways._venue.settings import BASE_URL_SETTING
from vtcore.gateways.htx import parse

# the market path's functions bound once (a frame costs no module-attribute lookups)
_inflate, _DECODE_ERRORS = parse.inflate, parse.DECODE_ERRORS
_decode_book, _decode_trades, _decode_detail = parse.BOOK.decode, parse.TRADES.decode, parse.DETAIL.decode
_BOOK_KINDS = ("mbp.refresh", "depth.")


_Row = TypeVar("_Row")


@dataclass(frozen=True)
class HtxUrls:
    rest: str
    ws: str


class HtxGatewayBase(VenueGateway):
    exchange: ClassVar[Exchange] = Exchange.HTX
    exchanges: ClassVar[list[Exchange]] = [Exchange.HTX]
    default_setting: ClassVar[dict[str, Any]] = {
        "key": "",
        "secret": "",
        "session_number": 3,
        "proxy_host": "",
        "proxy_port": 0,
        "base_url": "",
    }
    optional_setting: ClassVar[Mapping[str, str]] = BASE_URL_SETTING
    real_urls: ClassVar[HtxUrls]
    #: each subscribed symbol's market state is a C `TickBuilder` (`self.builders`, by the topic's symbol)
    builds_ticks_in_c: ClassVar[bool] = True
    #: the venue pings every 5 s (spot /ws/v2: 20 s); a stream silent for this long is replaced
    venue_idle_limit: ClassVar[float] = 30.0

    def __init__(self, event_engine: Any, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.urls: HtxUrls | None = None
        self._host = ""
        #: pongs and other replies that could not be sent (the stream was closing), for tests and stats
        self.unsent_replies = 0

    # ---- settings and REST

    def apply_setting(self, setting: dict[str, Any]) -> None:
        common = parse_common_settings(setting)
        if common.server != "REAL":
            raise ValueError("setting 'server' must be REAL (HTX runs no public test venue)")
        self.apply_common_settings(common)
        self.urls = (
            HtxUrls(common.base_url, http_to_ws(common.base_url)) if common.base_url else self.real_urls
        )
        # what the signature names: the host the requests address (with its port when one is given)
        self._host = urllib.parse.urlsplit(self.urls.rest).netloc.lower()

    def rest_url(self) -> str:
        assert self.urls is not None
        return self.urls.rest

    def rate_limits(self) -> dict[str, RateLimit]:
        # HTX: 100 requests / 10 s per key for private spot calls, 72 / 3 s on the futures API
        return {"public": RateLimit(50, 1.0), "private": RateLimit(10, 1.0)}

    def sign_request(self, request: RestRequest) -> None:
        business = request.params or {} if request.method == "GET" else {}
        request.query_string = parse.signed_query(
            self._key, self._secret, request.method, self._host, request.path, business, self.clock.now_ms()
        )

    async def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, *, signed: bool = False
    ) -> bytes:
        """One REST call; returns the answer's `data` as raw JSON (the envelope is checked by parse_error)."""
        assert self.rest is not None
        is_get = method == "GET"
        request = RestRequest(
            method,
            path,
            params=params if is_get else None,
            data=None if is_get else (params or {}),
            json_body=True,
            signed=signed,
            costs={"private" if signed else "public": 1},
        )
        raw = await self.rest.request_raw(request)
        return self.envelope_data(raw)

    def envelope_data(self, raw: bytes) -> bytes:
        envelope = parse.SPOT_ENVELOPE.decode(raw)
        return bytes(envelope.data)

    def apply_answer(self, apply: Callable[[_Row], None], row: _Row) -> None:
        """Apply the venue's REST row of an order (what asking about it returns). A row whose state is unknown
        here is counted as malformed (a warning) and the order's status left as it was: never guessed, and
        the order not asked about again (this is the venue's answer)."""
        try:
            apply(row)
        except parse.UnknownOrderStateError as error:
            self.drop_malformed("order answer", f"{error}; the order's status is left as it was")

    def apply_pushed(self, apply: Callable[[_Row], None], row: _Row, orderid: str) -> None:
        """Apply an order push. One whose state is unknown here is counted as malformed (a warning) and the
        order asked of the venue: its status is never guessed (the fills it carried are in)."""
        try:
            apply(row)
        except parse.UnknownOrderStateError as error:
            self.reconcile_unreadable("order push", f"{error}; asked of the venue", [orderid])

    async def reconcile(self) -> None:
        """After a private stream comes back: the orders (the base's reconciliation), and the balances and
        positions whose pushes were lost with the stream."""
        await super().reconcile()
        await self.fetch_account()
        await self.fetch_positions()

    # ---- streams

    def stream_heartbeat(self, idle_limit: float | None = None) -> Heartbeat:
        # the venue pings; the gateway answers in `on_*_message` and replaces a stream silent for too long
        return Heartbeat(idle_timeout=self.timing.ws_idle_timeout or idle_limit or self.venue_idle_limit)

    def reply(self, socket: WebSocketClient | None, message: Any) -> None:
        """Send `message` on `socket` from a message handler (loop thread), without waiting."""
        if socket is None:
            return

        async def send() -> None:
            try:
                await socket.send(message)
            except TransportError:
                self.unsent_replies += 1

        asyncio.get_running_loop().create_task(send())

    def build_market_subscribe(self, topics: list[str], subscribe: bool) -> list[dict[str, Any]]:
        verb = "sub" if subscribe else "unsub"
        return [{verb: topic, "id": topic} for topic in topics]

    def on_market_frame(self, socket: WebSocketClient | None, raw: bytes) -> None:
        """A market-stream frame: gunzip, answer a ping, merge a push into the symbol's tick (a `TickBuilder`:
        a book push's five levels are read in C from the decoded frame's raw sides, so a 150-level
        `depth.step0` costs about what a 5-level book does)."""
        try:
            text = _inflate(raw)
        except _DECODE_ERRORS as error:
            self.drop_malformed("market frame", error)
            return
        topic = leading_string(text, b'{"ch":"')
        if topic is None or not topic.startswith("market."):
            self.on_market_control(socket, text)
            return
        _, symbol, kind = topic.split(".", 2)
        # a market topic names the symbol as vtcore does (spot lower case, contracts upper case)
        state = self.builders.get(symbol)
        try:
            if kind.startswith(_BOOK_KINDS):
                push = _decode_book(text)
                if state is not None:
                    self.on_tick(state.json_levels(push.tick.bids, push.tick.asks, push.ts))
            elif kind == "trade.detail":
                trades = _decode_trades(text)
                if trades.tick.data and state is not None:
                    last = trades.tick.data[-1]
                    self.on_tick(state.last(last.price, last.amount, last.ts or trades.ts))
            elif kind == "detail":
                detail = _decode_detail(text)
                if state is not None:
                    day = detail.tick
                    self.on_tick(state.stats(day.open, day.high, day.low, day.amount, day.vol, detail.ts))
        except _DECODE_ERRORS as error:
            self.drop_malformed(f"{kind} push", error)

    def on_market_control(self, socket: WebSocketClient | None, text: bytes) -> None:
        try:
            frame = parse.FRAME.decode(text)
        except parse.DECODE_ERRORS as error:
            self.drop_malformed("market frame", error)
            return
        if frame.ping is not None:
            self.reply(socket, {"pong": frame.ping})
        elif frame.status == "error":
            self.write_log(f"market stream error {frame.err_code}: {frame.err_msg}", logging.WARNING)

    def log_venue_error(self, what: str, code: Any, message: Any) -> None:
        self.write_log(f"{what}: {code} {message}", logging.WARNING)


def decode_rows(raw: bytes, row_type: Any) -> Any:
    return msgspec.json.decode(raw, type=row_type)


def venue_error_text(frame: Mapping[str, Any]) -> str:
    return str(frame.get("err-msg") or frame.get("message") or frame)
