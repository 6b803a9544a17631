"""Local Binance futures venues: USDⓈ-M (`/fapi`) and COIN-M (`/dapi`), from venues.md §2.

Beyond what the spot venue checks: LIMIT/MARKET only on `/order` (conditional types get -4120 and belong on
`/algoOrder`, whose orders are invisible to `/order` and `/openOrders` and report through `ALGO_UPDATE`); GTX
(post-only) that would take is refused (-5022); user data through a listenKey (`POST/PUT/DELETE
.../listenKey`, API key header only) on `/private/ws?listenKey=..&events=..` (USDⓈ-M) or `/ws/<listenKey>`
(COIN-M), with `listenKeyExpired` when a key lapses; USDⓈ-M market data routed by path (`/public` for
bookTicker and depth, `/market` for aggTrade, kline and markPrice; a stream on the wrong path is accepted and
never delivered); futures payload shapes (`bookTicker` with `e`, depth as `depthUpdate` with `b`/`a`,
`aggTrade`). Positions are one-way (`positionSide` BOTH).

Conditional (algo) orders wait in the venue's algo service until their trigger price is reached by the
contract's last trade price (`workingType` CONTRACT_PRICE, the default) or its mark price (MARK_PRICE, set by
a test with `set_mark_price`): STOP/STOP_MARKET buys when the price rises to `triggerPrice`, sells when it
falls to it; TAKE_PROFIT/TAKE_PROFIT_MARKET the other way round. A trigger the price has already reached is
refused (-2021). On trigger the venue reports ALGO_UPDATE TRIGGERING, then TRIGGERED with the id of the
order it places in the matching engine (`ai`: MARKET for the _MARKET types, else LIMIT at `price`), whose
ORDER_TRADE_UPDATEs carry the client algo id as `c` and the algo type as `ot`, and FINISHED once that order
has ended; one whose margin check fails then ends REJECTED with the reason in `rm`. Orders need margin: the
open orders' and positions' notional over the leverage (20) must fit the wallet, else -2019.
"""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal
from typing import Any

from aiohttp import web

from vtcore.peers.base import Session, decimal_text
from vtcore.peers.binance import BinanceError, BinanceVenueBase, SymbolSpec
from vtcore.peers.matching import Execution, SimOrder

CONDITIONAL_TYPES = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET")
TRIGGERED_TYPES = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET")  # what this venue triggers
WORKING_TYPES = {"CONTRACT_PRICE": "last", "MARK_PRICE": "mark"}
LEVERAGE = 20
ACCOUNT_ALIAS = "SgsR"  # COIN-M user events name the account by an alias
MAKER_RATE, TAKER_RATE = Decimal("0.0002"), Decimal("0.0005")
FUNDING_RATE = Decimal("0.00010000")
MIN_NOTIONAL = Decimal("5")  # USDⓈ-M MIN_NOTIONAL filter
MAX_QTY = Decimal("1000")  # LOT_SIZE maxQty
PUBLIC_ROUTE_STREAMS = ("bookTicker", "depth", "trade")  # "trade" is not "aggTrade": that one is /market


class BinanceFuturesVenue(BinanceVenueBase):
    futures = True
    ping_interval = 180.0
    pong_timeout = 600.0
    weight_limit = 2400
    coin_margined = False

    def __init__(self) -> None:
        super().__init__()
        self.api_root = "/dapi" if self.coin_margined else "/fapi"
        self.rest_prefix = f"{self.api_root}/v1"
        self.listen_keys: dict[str, bool] = {}  # key -> alive
        self.wallet: dict[str, Decimal] = (
            {"BTC": Decimal("2")} if self.coin_margined else {"USDT": Decimal("10000")}
        )
        self.positions: dict[str, tuple[Decimal, Decimal]] = {}
        self.algo_orders: dict[int, dict[str, Any]] = {}
        self.mark_prices: dict[str, Decimal] = {}

    @property
    def symbols(self) -> tuple[SymbolSpec, ...]:  # type: ignore[override]
        if self.coin_margined:
            return (
                SymbolSpec("BTCUSD_PERP", "BTC", "USD", "0.1", "1", "1", "PERPETUAL", 100),
                SymbolSpec("BTCUSD_260925", "BTC", "USD", "0.1", "1", "1", "CURRENT_QUARTER", 100),
            )
        return (
            SymbolSpec("BTCUSDT", "BTC", "USDT", "0.10", "0.001", "0.001", "PERPETUAL"),
            SymbolSpec("BTCUSDT_260925", "BTC", "USDT", "0.10", "0.001", "0.001", "CURRENT_QUARTER"),
        )

    def build_app(self) -> web.Application:
        app = web.Application()
        root, p = self.api_root, self.rest_prefix
        account_version = "v1" if self.coin_margined else "v3"
        app.router.add_get(f"{p}/ping", self.endpoint(1, False, self.ping_endpoint))
        app.router.add_get(f"{p}/time", self.endpoint(1, False, self.time_endpoint))
        app.router.add_get(f"{p}/exchangeInfo", self.endpoint(1, False, self.exchange_info))
        app.router.add_get(f"{p}/klines", self.endpoint(5, False, self.klines_endpoint))
        app.router.add_get(f"{p}/depth", self.endpoint(5, False, self.depth_endpoint))
        app.router.add_get(f"{p}/trades", self.endpoint(5, False, self.trades_endpoint))
        app.router.add_get(f"{p}/aggTrades", self.endpoint(20, False, self.agg_trades_endpoint))
        app.router.add_get(f"{p}/ticker/24hr", self.endpoint(1, False, self.ticker_24hr_endpoint))
        app.router.add_get(f"{p}/ticker/price", self.endpoint(1, False, self.ticker_price_endpoint))
        app.router.add_get(f"{p}/ticker/bookTicker", self.endpoint(2, False, self.book_ticker_endpoint))
        app.router.add_get(f"{p}/premiumIndex", self.endpoint(1, False, self.premium_index))
        app.router.add_get(f"{p}/fundingRate", self.endpoint(1, False, self.funding_rate))
        app.router.add_get(f"{p}/commissionRate", self.endpoint(20, True, self.commission_rate_endpoint))
        app.router.add_get(f"{p}/allOrders", self.endpoint(5, True, self.all_orders))
        app.router.add_post(f"{p}/order/test", self.endpoint(1, True, self.test_order))
        # USDⓈ-M brackets by symbol on v1; COIN-M by pair on v1 and by symbol on v2
        app.router.add_get(f"{p}/leverageBracket", self.endpoint(1, True, self.leverage_bracket))
        app.router.add_get(f"{root}/v2/leverageBracket", self.endpoint(1, True, self.leverage_bracket_v2))
        app.router.add_get(f"{root}/{account_version}/account", self.endpoint(5, True, self.account))
        app.router.add_get(f"{root}/{account_version}/balance", self.endpoint(5, True, self.balance))
        if not self.coin_margined:  # v2 of the account endpoints still answers beside v3
            app.router.add_get(f"{root}/v2/account", self.endpoint(5, True, self.account))
            app.router.add_get(f"{root}/v2/balance", self.endpoint(5, True, self.balance))
            app.router.add_get(f"{root}/v2/positionRisk", self.endpoint(5, True, self.position_risk))
        app.router.add_get(
            f"{root}/{account_version}/positionRisk", self.endpoint(5, True, self.position_risk)
        )
        app.router.add_get(f"{p}/openOrders", self.endpoint(5, True, self.open_orders))
        app.router.add_post(f"{p}/order", self.endpoint(1, True, self.new_order))
        app.router.add_delete(f"{p}/order", self.endpoint(1, True, self.cancel_order))
        app.router.add_get(f"{p}/order", self.endpoint(1, True, self.query_order))
        app.router.add_get(f"{p}/userTrades", self.endpoint(5, True, self.user_trades))
        app.router.add_post(f"{p}/algoOrder", self.endpoint(1, True, self.new_algo_order))
        app.router.add_delete(f"{p}/algoOrder", self.endpoint(1, True, self.cancel_algo_order))
        app.router.add_get(f"{p}/algoOrder", self.endpoint(1, True, self.query_algo_order))
        app.router.add_route("*", f"{p}/listenKey", self.listen_key_endpoint)
        if self.coin_margined:
            app.router.add_get("/ws/{streams:.*}", self.user_or_market_ws)
            app.router.add_get("/ws", self.market_ws)
            app.router.add_get("/stream", self.market_ws)
            app.router.add_get("/ws-dapi/v1", self.api_ws)
        else:
            for route in ("public", "market"):
                app.router.add_get(f"/{route}/ws", self.market_ws)
                app.router.add_get(f"/{route}/ws/{{streams:.*}}", self.market_ws)
                app.router.add_get(f"/{route}/stream", self.market_ws)
            app.router.add_get("/ws", self.market_ws)
            app.router.add_get("/ws/{streams:.*}", self.market_ws)
            app.router.add_get("/stream", self.market_ws)
            app.router.add_get("/private/ws", self.private_ws)
            app.router.add_get("/ws-fapi/v1", self.api_ws)
        app.on_startup.append(self._start_mark_price_timer)
        app.on_cleanup.append(self._stop_mark_price_timer)
        return app

    async def exchange_info(self, request: web.Request, params: dict[str, str]) -> Any:
        rows = []
        for spec in self.symbols:
            row: dict[str, Any] = {
                "symbol": spec.symbol,
                "pair": spec.base + spec.quote,
                "contractType": spec.contract_type,
                "deliveryDate": 4133404800000 if spec.contract_type == "PERPETUAL" else 1790323200000,
                "onboardDate": 1569398400000,
                "baseAsset": spec.base,
                "quoteAsset": spec.quote,
                "marginAsset": spec.base if self.coin_margined else spec.quote,
                "pricePrecision": 1,
                "quantityPrecision": 3,
                "underlyingType": "COIN",
                "filters": [
                    {
                        "filterType": "PRICE_FILTER",
                        "minPrice": "0.10",
                        "maxPrice": "4529764",
                        "tickSize": spec.tick_size,
                    },
                    {
                        "filterType": "LOT_SIZE",
                        "stepSize": spec.step_size,
                        "maxQty": "1000",
                        "minQty": spec.min_qty,
                    },
                    {
                        "filterType": "MARKET_LOT_SIZE",
                        "stepSize": spec.step_size,
                        "maxQty": "120",
                        "minQty": spec.min_qty,
                    },
                ],
                "orderTypes": [
                    "LIMIT",
                    "MARKET",
                    "STOP",
                    "STOP_MARKET",
                    "TAKE_PROFIT",
                    "TAKE_PROFIT_MARKET",
                    "TRAILING_STOP_MARKET",
                ],
                "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
            }
            if self.coin_margined:
                row.update({"contractStatus": "TRADING", "contractSize": spec.contract_size})
            else:
                row["status"] = "TRADING"
            rows.append(row)
        return {
            "timezone": "UTC",
            "serverTime": self.now_ms(),
            "rateLimits": [
                {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400},
                {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
                {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
            ],
            "exchangeFilters": [],
            "symbols": rows,
        }

    # ---- account and positions

    def margin_asset(self) -> str:
        return next(iter(self.wallet))

    def initial_margins(self) -> tuple[Decimal, Decimal]:
        """(the positions' initial margin, the open orders' initial margin) in the margin asset."""
        positions = sum(
            (
                self.notional(self.spec(symbol), abs(amount), entry)
                for symbol, (amount, entry) in self.positions.items()
            ),
            Decimal(0),
        )
        orders = sum(
            (
                self.notional(
                    self.spec(o.symbol), o.remaining, self.reference_price(o.symbol, o.side, o.price)
                )
                for o in self.matching.orders.values()
                if o.active
            ),
            Decimal(0),
        )
        return positions / LEVERAGE, orders / LEVERAGE

    async def account(self, request: web.Request | None, params: dict[str, str]) -> Any:
        position_margin, order_margin = self.initial_margins()
        assets = []
        for asset, amount in self.wallet.items():
            available = amount - position_margin - order_margin
            row = {
                "asset": asset,
                "walletBalance": decimal_text(amount),
                "unrealizedProfit": "0.00000000",
                "marginBalance": decimal_text(amount),
                "maintMargin": decimal_text(position_margin / 2),
                "initialMargin": decimal_text(position_margin + order_margin),
                "positionInitialMargin": decimal_text(position_margin),
                "openOrderInitialMargin": decimal_text(order_margin),
                "maxWithdrawAmount": decimal_text(available),
                "crossWalletBalance": decimal_text(amount),
                "crossUnPnl": "0.00000000",
                "availableBalance": decimal_text(available),
                "updateTime": self.now_ms(),
            }
            if not self.coin_margined:
                row["marginAvailable"] = True
            assets.append(row)
        positions = [
            {
                "symbol": row["symbol"],
                "positionSide": "BOTH",
                "positionAmt": row["positionAmt"],
                "unrealizedProfit": "0.00000000",
                "isolatedMargin": "0.00000000",
                "notional": row.get("notional", "0"),
                "isolatedWallet": "0",
                "initialMargin": row["initialMargin"],
                "maintMargin": row["maintMargin"],
                "updateTime": row["updateTime"],
            }
            for row in self.position_rows()
        ]
        answer: dict[str, Any] = {"assets": assets, "positions": positions}
        if self.coin_margined:  # COIN-M: per-asset only, plus the account's permissions
            answer.update(canDeposit=True, canTrade=True, canWithdraw=True, feeTier=0, updateTime=0)
        else:
            first = assets[0]
            answer.update(
                totalInitialMargin=first["initialMargin"],
                totalMaintMargin=first["maintMargin"],
                totalWalletBalance=first["walletBalance"],
                totalUnrealizedProfit="0.00000000",
                totalMarginBalance=first["marginBalance"],
                totalPositionInitialMargin=first["positionInitialMargin"],
                totalOpenOrderInitialMargin=first["openOrderInitialMargin"],
                totalCrossWalletBalance=first["crossWalletBalance"],
                totalCrossUnPnl="0.00000000",
                availableBalance=first["availableBalance"],
                maxWithdrawAmount=first["maxWithdrawAmount"],
            )
        return answer

    async def balance(self, request: web.Request | None, params: dict[str, str]) -> Any:
        rows = []
        for row in (await self.account(request, params))["assets"]:
            rows.append(
                {
                    "accountAlias": ACCOUNT_ALIAS,
                    "asset": row["asset"],
                    "balance": row["walletBalance"],
                    "crossWalletBalance": row["crossWalletBalance"],
                    "crossUnPnl": row["crossUnPnl"],
                    "availableBalance": row["availableBalance"],
                    "maxWithdrawAmount": row["maxWithdrawAmount"],
                    **({"withdrawAvailable": row["maxWithdrawAmount"]} if self.coin_margined else {}),
                    **({} if self.coin_margined else {"marginAvailable": True}),
                    "updateTime": row["updateTime"],
                }
            )
        return rows

    def position_rows(self) -> list[dict[str, Any]]:
        rows = []
        for spec in self.symbols:
            amount, entry = self.positions.get(spec.symbol, (Decimal(0), Decimal(0)))
            mark = self.mark_prices.get(spec.symbol) or entry
            notional = self.notional(spec, abs(amount), mark) if mark else Decimal(0)
            row: dict[str, Any] = {
                "symbol": spec.symbol,
                "positionAmt": decimal_text(amount, 0 if self.coin_margined else 3),
                "entryPrice": decimal_text(entry),
                "breakEvenPrice": decimal_text(entry),
                "markPrice": decimal_text(mark),
                "unRealizedProfit": "0.00000000",
                "liquidationPrice": "0",
                "leverage": str(LEVERAGE),
                "marginType": "cross",
                "isolatedMargin": "0.00000000",
                "isAutoAddMargin": "false",
                "positionSide": "BOTH",
                "initialMargin": decimal_text(notional / LEVERAGE),
                "maintMargin": decimal_text(notional / LEVERAGE / 2),
                "updateTime": self.now_ms(),
            }
            if self.coin_margined:  # COIN-M: notional in coins as notionalValue, the pair, a quantity cap
                row.update(notionalValue=decimal_text(notional), maxQty="1000", pair=spec.base + spec.quote)
            else:
                row.update(notional=decimal_text(notional), maxNotionalValue="1000000", isolatedWallet="0")
            rows.append(row)
        return rows

    async def position_risk(self, request: web.Request | None, params: dict[str, str]) -> Any:
        rows = self.position_rows()
        if params.get("symbol"):
            self.spec(params["symbol"])
            rows = [row for row in rows if row["symbol"] == params["symbol"]]
        return rows

    # ---- fees

    def fee_rate(self, maker: bool) -> Decimal:
        return MAKER_RATE if maker else TAKER_RATE

    def commission(self, order: SimOrder, fill: Any) -> tuple[Decimal, str]:
        """(amount, asset) of a fill's commission: the rate on the fill's notional in the margin asset (USDT
        for USDⓈ-M, the base coin for COIN-M), charged to the wallet exactly as reported."""
        notional = self.notional(self.spec(order.symbol), fill.quantity, fill.price)
        return notional * self.fee_rate(fill.maker), self.margin_asset()

    async def commission_rate_endpoint(self, request: web.Request | None, params: dict[str, str]) -> Any:
        self.require(params, "symbol")
        return {
            "symbol": self.spec(params["symbol"]).symbol,
            "makerCommissionRate": str(MAKER_RATE),
            "takerCommissionRate": str(TAKER_RATE),
        }

    # ---- market data only futures have

    def mark_price_of(self, symbol: str) -> Decimal:
        if symbol in self.mark_prices:
            return self.mark_prices[symbol]
        bids, asks = self.levels(symbol)
        if bids and asks:
            return (bids[0][0] + asks[0][0]) / 2
        return self.last_prices.get(symbol, Decimal(0))

    def premium_row(self, symbol: str) -> dict[str, Any]:
        spec, now = self.spec(symbol), self.now_ms()
        mark = self.mark_price_of(symbol)
        perpetual = spec.contract_type == "PERPETUAL"
        row: dict[str, Any] = {
            "symbol": symbol,
            "markPrice": decimal_text(mark),
            "indexPrice": decimal_text(mark),
            "estimatedSettlePrice": decimal_text(mark),
            "lastFundingRate": str(FUNDING_RATE) if perpetual else "",
            "interestRate": "0.00010000" if perpetual else "",
            "nextFundingTime": (now // 28_800_000 + 1) * 28_800_000 if perpetual else 0,
            "time": now,
        }
        if self.coin_margined:
            row["pair"] = spec.base + spec.quote
        return row

    async def premium_index(self, request: web.Request | None, params: dict[str, str]) -> Any:
        if self.coin_margined:  # COIN-M always answers a list (of one symbol, or of a pair's symbols)
            asked = self.symbols_asked(params)
            return [self.premium_row(s.symbol) for s in self.symbols if asked is None or s.symbol in asked]
        return self.one_or_all(params, self.premium_row)

    async def funding_rate(self, request: web.Request | None, params: dict[str, str]) -> Any:
        names = (
            [self.spec(params["symbol"]).symbol] if params.get("symbol") else [s.symbol for s in self.symbols]
        )
        now = self.now_ms()
        rows = []
        for name in names:
            if self.spec(name).contract_type != "PERPETUAL":
                continue
            for back in range(3, 0, -1):
                rows.append(
                    {
                        "symbol": name,
                        "fundingTime": (now // 28_800_000 - back + 1) * 28_800_000,
                        "fundingRate": str(FUNDING_RATE),
                        "markPrice": decimal_text(self.mark_price_of(name)),
                    }
                )
        return rows[-min(int(params.get("limit", "100")), 1000) :]

    def brackets(self) -> list[dict[str, Any]]:
        caps = (Decimal(50_000), Decimal(250_000), Decimal(1_000_000))
        rows, floor = [], Decimal(0)
        for number, cap in enumerate(caps, start=1):
            key = ("qtyCap", "qtyFloor") if self.coin_margined else ("notionalCap", "notionalFloor")
            rows.append(
                {
                    "bracket": number,
                    "initialLeverage": 125 // (number * 2) or 1,
                    key[0]: int(cap),
                    key[1]: int(floor),
                    "maintMarginRatio": float(Decimal("0.004") * number),
                    "cum": 0.0,
                }
            )
            floor = cap
        return rows

    async def leverage_bracket(self, request: web.Request | None, params: dict[str, str]) -> Any:
        if self.coin_margined:  # v1 is by pair
            pairs = sorted({s.base + s.quote for s in self.symbols})
            if params.get("pair") and params["pair"] not in pairs:
                raise BinanceError(-1121, "Invalid symbol.")
            return [
                {"pair": pair, "brackets": self.brackets()}
                for pair in pairs
                if params.get("pair") in (None, "", pair)
            ]
        asked = self.symbols_asked(params)
        rows = [
            {"symbol": s.symbol, "brackets": self.brackets()}
            for s in self.symbols
            if asked is None or s.symbol in asked
        ]
        return rows[0] if params.get("symbol") else rows

    async def leverage_bracket_v2(self, request: web.Request | None, params: dict[str, str]) -> Any:
        asked = self.symbols_asked(params)
        return [
            {"symbol": s.symbol, "brackets": self.brackets()}
            for s in self.symbols
            if asked is None or s.symbol in asked
        ]

    async def _start_mark_price_timer(self, app: web.Application) -> None:
        self._mark_task = asyncio.get_running_loop().create_task(self._mark_price_loop())

    async def _stop_mark_price_timer(self, app: web.Application) -> None:
        self._mark_task.cancel()

    async def _mark_price_loop(self) -> None:
        """`<symbol>@markPrice@1s` every second and `<symbol>@markPrice` every 3 seconds, as the venue does,
        to the sessions subscribed."""
        beat = 0
        while True:
            await asyncio.sleep(1.0)
            beat += 1
            for spec in self.symbols:
                self.publish(f"{spec.symbol.lower()}@markPrice@1s", self.mark_price_event(spec.symbol))
                if beat % 3 == 0:
                    self.publish(f"{spec.symbol.lower()}@markPrice", self.mark_price_event(spec.symbol))

    def mark_price_event(self, symbol: str) -> dict[str, Any]:
        row = self.premium_row(symbol)
        event: dict[str, Any] = {
            "e": "markPriceUpdate",
            "E": row["time"],
            "s": symbol,
            "p": row["markPrice"],
            "P": row["estimatedSettlePrice"],
            "i": row["indexPrice"],
            "r": row["lastFundingRate"],
            "T": row["nextFundingTime"],
        }
        if self.coin_margined:
            event.pop("i")
        return event

    # ---- orders

    def render_order(self, order: SimOrder) -> dict[str, Any]:
        spec = self.spec(order.symbol)
        places = 0 if self.coin_margined else 3
        row: dict[str, Any] = {
            "orderId": order.order_id,
            "symbol": order.symbol,
            "status": order.status,
            "clientOrderId": order.client_id,
            "price": decimal_text(order.price),
            "avgPrice": decimal_text(order.average_price),
            "origQty": decimal_text(order.quantity, places),
            "executedQty": decimal_text(order.filled, places),
            "cumQty": decimal_text(order.filled, places),
        }
        if self.coin_margined:  # COIN-M: the filled amount in the base coin, and the pair
            base = sum(
                (
                    self.notional(spec, f.quantity, f.price)
                    for f in self.matching.fills.get(order.order_id, [])
                ),
                Decimal(0),
            )
            row.update(cumBase=decimal_text(base), pair=spec.base + spec.quote)
        else:
            row["cumQuote"] = decimal_text(order.filled_quote)
        row.update(
            {
                "timeInForce": self.time_in_force(order),
                "type": self.order_type(order),
                "reduceOnly": False,
                "closePosition": False,
                "side": order.side,
                "positionSide": "BOTH",
                "stopPrice": str(order.extra.get("stopPrice", "0")),
                "workingType": "CONTRACT_PRICE",
                "priceProtect": False,
                "origType": self.original_type(order),
                "priceMatch": "NONE",
                "selfTradePreventionMode": "EXPIRE_MAKER",
                "goodTillDate": 0,
                "time": order.created_ms,
                "updateTime": order.updated_ms,
            }
        )
        return row

    def check_new_order(self, params: dict[str, str]) -> tuple[SymbolSpec, str, str, str, Decimal, Decimal]:
        """What the venue checks before an order reaches the matching engine (REST `order`, `order/test`,
        WS API `order.place`)."""
        self.require(params, "symbol", "side", "type")
        spec = self.spec(params["symbol"])
        if params["type"] in CONDITIONAL_TYPES:
            raise BinanceError(
                -4120,
                "Order type not supported for this endpoint. Please use the Algo Order API "
                "endpoints instead.",
            )
        self.check_enums(params, ("LIMIT", "MARKET"), ("GTC", "IOC", "FOK", "GTX"))
        order_type = params["type"]
        self.require(params, "quantity", *(("timeInForce", "price") if order_type == "LIMIT" else ()))
        tif = params.get("timeInForce", "GTC")
        quantity, price = self.number(params, "quantity"), self.number(params, "price")
        if quantity <= 0:
            raise BinanceError(-4003, "Quantity less than or equal to zero.")
        if quantity % Decimal(spec.step_size) != 0:
            raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")
        if quantity > MAX_QTY:
            raise BinanceError(-4005, "Quantity greater than max quantity.")
        if order_type == "LIMIT":
            if price <= 0:
                raise BinanceError(-4001, "Price less than 0.")
            if price % Decimal(spec.tick_size) != 0:
                raise BinanceError(-4014, "Price not increased by tick size.")
        reference = price or self.best_price(spec.symbol, params["side"])
        if not self.coin_margined and reference and quantity * reference < MIN_NOTIONAL:
            raise BinanceError(
                -4164,
                f"Order's notional must be no smaller than {MIN_NOTIONAL} (unless you choose reduce only).",
            )
        client_id = params.get("newClientOrderId") or f"web_{secrets.token_hex(8)}"
        if any(o.client_id == client_id and o.active for o in self.matching.orders.values()):
            raise BinanceError(-4015, "Client order id is not valid.")
        return spec, order_type, tif, client_id, quantity, price

    async def new_order(self, request: web.Request | None, params: dict[str, str]) -> Any:
        spec, order_type, tif, client_id, quantity, price = self.check_new_order(params)
        order = SimOrder(
            order_id=self.matching.next_order_id(),
            client_id=client_id,
            account="futures",
            symbol=spec.symbol,
            side=params["side"],
            kind=order_type,
            tif="POST_ONLY" if tif == "GTX" else tif,
            price=price,
            quantity=quantity,
            extra={"type": order_type, "timeInForce": tif if order_type == "LIMIT" else "GTC"},
        )
        if tif == "GTX" and self.matching.would_take(order):
            raise BinanceError(
                -5022,
                "Due to the order could not be executed as maker, the Post Only order will be "
                "rejected. The order will not be recorded in the order history",
            )
        self.check_margin(spec, order.side, quantity, price)
        self.matching.place(order)
        return self.render_order(self.matching.orders[order.order_id])

    async def all_orders(self, request: web.Request | None, params: dict[str, str]) -> Any:
        symbol = self.spec(params["symbol"]).symbol if params.get("symbol") else None
        rows = [self.render_order(o) for o in self.matching.orders.values() if symbol in (None, o.symbol)]
        return rows[-min(int(params.get("limit", "500")), 1000) :]

    async def cancel_order(self, request: web.Request | None, params: dict[str, str]) -> Any:
        self.require(params, "symbol")
        self.spec(params["symbol"])
        order = self.find_order(params)
        if order is None or self.matching.cancel(order.order_id) is None:
            raise BinanceError(-2011, "Unknown order sent.")
        return self.render_order(order)

    async def open_orders(self, request: web.Request | None, params: dict[str, str]) -> Any:
        symbol = self.spec(params["symbol"]).symbol if params.get("symbol") else None
        return [
            self.render_order(o)
            for o in self.matching.orders.values()
            if o.active and symbol in (None, o.symbol)
        ]

    async def user_trades(self, request: web.Request | None, params: dict[str, str]) -> Any:
        if not params.get("symbol") and not (self.coin_margined and params.get("pair")):
            self.require(params, "symbol")
        rows = []
        for order in self.matching.orders.values():
            spec = self.spec(order.symbol)
            if (params.get("symbol") and order.symbol != params["symbol"]) or (
                params.get("pair") and spec.base + spec.quote != params["pair"]
            ):
                continue
            if params.get("orderId") and str(order.order_id) != params["orderId"]:
                continue
            for fill in self.matching.fills[order.order_id]:
                fee, asset = self.commission(order, fill)
                row: dict[str, Any] = {
                    "symbol": order.symbol,
                    "id": fill.trade_id,
                    "orderId": order.order_id,
                    "side": order.side,
                    "price": decimal_text(fill.price),
                    "qty": decimal_text(fill.quantity, 0 if self.coin_margined else 3),
                    "realizedPnl": "0",
                    "commission": decimal_text(fee),
                    "commissionAsset": asset,
                    "time": fill.time_ms,
                    "positionSide": "BOTH",
                    "buyer": order.side == "BUY",
                    "maker": fill.maker,
                }
                if self.coin_margined:  # COIN-M: notional in the base coin, the pair and margin asset
                    row.update(
                        baseQty=decimal_text(self.notional(spec, fill.quantity, fill.price)),
                        pair=spec.base + spec.quote,
                        marginAsset=asset,
                    )
                else:
                    row.update(quoteQty=decimal_text(fill.price * fill.quantity), marginAsset=asset)
                rows.append(row)
        return sorted(rows, key=lambda row: row["id"])

    # ---- margin

    def notional(self, spec: SymbolSpec, quantity: Decimal, price: Decimal) -> Decimal:
        """In the margin asset: USDT for USDⓈ-M, coins for COIN-M (contracts of `contract_size` USD)."""
        if self.coin_margined:
            return quantity * spec.contract_size / price if price else Decimal(0)
        return quantity * price

    def reference_price(self, symbol: str, side: str, price: Decimal) -> Decimal:
        bids, asks = self.matching.book(symbol)
        if price:
            return price
        best = asks if side == "BUY" else bids
        return best[0][0] if best else self.last_prices.get(symbol, Decimal(0))

    def check_margin(self, spec: SymbolSpec, side: str, quantity: Decimal, price: Decimal) -> None:
        """-2019 when the initial margin of the open orders, positions and this order exceeds the wallet."""
        used = self.notional(spec, quantity, self.reference_price(spec.symbol, side, price))
        for order in self.matching.orders.values():
            if order.active:
                held = self.spec(order.symbol)
                used += self.notional(
                    held, order.remaining, self.reference_price(held.symbol, order.side, order.price)
                )
        for symbol, (amount, entry) in self.positions.items():
            used += self.notional(self.spec(symbol), abs(amount), entry)
        if used / LEVERAGE > next(iter(self.wallet.values())):
            raise BinanceError(-2019, "Margin is insufficient.")

    # ---- conditional (algo) orders

    async def new_algo_order(self, request: web.Request, params: dict[str, str]) -> Any:
        self.require(params, "algoType", "symbol", "side", "type", "quantity", "triggerPrice")
        if params["algoType"] != "CONDITIONAL":
            raise BinanceError(-1130, "Invalid data sent for a parameter.")
        if params["type"] not in CONDITIONAL_TYPES:
            raise BinanceError(-1116, "Invalid orderType.")
        spec = self.spec(params["symbol"])
        working_type = params.get("workingType", "CONTRACT_PRICE")
        if working_type not in WORKING_TYPES:
            raise BinanceError(-1130, "Invalid data sent for a parameter.")
        if params["type"] in ("STOP", "TAKE_PROFIT"):
            self.require(params, "price")
        trigger = Decimal(params["triggerPrice"])
        if trigger % Decimal(spec.tick_size) != 0:
            raise BinanceError(-4014, "Price not increased by tick size.")
        now_price = self.trigger_source_price(spec.symbol, working_type)
        if now_price is not None and self.algo_reached(params["type"], params["side"], trigger, now_price):
            raise BinanceError(-2021, "Order would immediately trigger.")
        algo_id = self.matching.next_order_id() + 9_000_000
        row = {
            "algoId": algo_id,
            "clientAlgoId": params.get("clientAlgoId") or secrets.token_hex(8),
            "algoType": "CONDITIONAL",
            "orderType": params["type"],
            "symbol": spec.symbol,
            "side": params["side"],
            "positionSide": "BOTH",
            "timeInForce": params.get("timeInForce", "GTC"),
            "quantity": params["quantity"],
            "algoStatus": "NEW",
            "triggerPrice": params["triggerPrice"],
            "price": params.get("price", "0"),
            "workingType": working_type,
            "createTime": self.now_ms(),
            "updateTime": self.now_ms(),
            "triggerTime": 0,
            "actualOrderId": "",
        }
        self.algo_orders[algo_id] = row
        self.push_algo_update(row)
        return row

    def find_algo_order(self, params: dict[str, str]) -> dict[str, Any]:
        for row in self.algo_orders.values():
            if (params.get("algoId") and str(row["algoId"]) == params["algoId"]) or (
                params.get("clientAlgoId") and row["clientAlgoId"] == params["clientAlgoId"]
            ):
                return row
        raise BinanceError(-2013, "Order does not exist.")

    async def query_algo_order(self, request: web.Request, params: dict[str, str]) -> Any:
        return self.find_algo_order(params)

    async def cancel_algo_order(self, request: web.Request, params: dict[str, str]) -> Any:
        try:
            row = self.find_algo_order(params)
        except BinanceError:
            row = {"algoStatus": ""}
        if row["algoStatus"] != "NEW":  # unknown, or no longer waiting for its trigger
            raise BinanceError(-2011, "Unknown order sent.")
        row["algoStatus"] = "CANCELED"
        self.push_algo_update(row)
        return {"algoId": row["algoId"], "clientAlgoId": row["clientAlgoId"], "code": "200", "msg": "success"}

    def push_algo_update(self, row: dict[str, Any]) -> None:
        self.push_user_event(
            {
                "e": "ALGO_UPDATE",
                "T": self.now_ms(),
                "E": self.now_ms(),
                "o": {
                    "caid": row["clientAlgoId"],
                    "aid": row["algoId"],
                    "at": "CONDITIONAL",
                    "o": row["orderType"],
                    "s": row["symbol"],
                    "S": row["side"],
                    "ps": "BOTH",
                    "f": row["timeInForce"],
                    "q": row["quantity"],
                    "X": row["algoStatus"],
                    "ai": row["actualOrderId"],
                    "tp": row["triggerPrice"],
                    "p": row["price"],
                    "V": "EXPIRE_MAKER",
                    "wt": row["workingType"],
                    "pm": "NONE",
                    "cp": False,
                    "pP": False,
                    "R": False,
                    "tt": row["triggerTime"],
                    "gtd": 0,
                    "rm": row.get("rejectReason", ""),
                },
            }
        )

    def trigger_source_price(self, symbol: str, working_type: str) -> Decimal | None:
        prices = self.mark_prices if WORKING_TYPES[working_type] == "mark" else self.last_prices
        return prices.get(symbol)

    @staticmethod
    def algo_reached(order_type: str, side: str, trigger: Decimal, price: Decimal) -> bool:
        rising = order_type.startswith("STOP") == (side == "BUY")  # STOP buys, TAKE_PROFIT sells
        return price >= trigger if rising else price <= trigger

    def trigger_algo_orders(self, symbol: str, price: Decimal, source: str) -> None:
        """The last (or mark) price of `symbol` is now `price` (venue loop): place the orders it triggers."""
        for row in list(self.algo_orders.values()):
            if (
                row["symbol"] != symbol
                or row["algoStatus"] != "NEW"
                or row["orderType"] not in TRIGGERED_TYPES
                or WORKING_TYPES[row["workingType"]] != source
                or not self.algo_reached(row["orderType"], row["side"], Decimal(row["triggerPrice"]), price)
            ):
                continue
            market = row["orderType"].endswith("_MARKET")
            order = SimOrder(
                order_id=self.matching.next_order_id(),
                client_id=row["clientAlgoId"],
                account="futures",
                symbol=symbol,
                side=row["side"],
                kind="MARKET" if market else "LIMIT",
                tif="GTC" if market else row["timeInForce"],
                price=Decimal(0) if market else Decimal(row["price"]),
                quantity=Decimal(row["quantity"]),
                extra={
                    "type": "MARKET" if market else "LIMIT",
                    "timeInForce": "GTC" if market else row["timeInForce"],
                    "origType": row["orderType"],
                    "stopPrice": row["triggerPrice"],
                    "algoId": row["algoId"],
                },
            )
            row.update(algoStatus="TRIGGERING", triggerTime=self.now_ms(), updateTime=self.now_ms())
            self.push_algo_update(row)
            try:  # the matching engine checks the margin only now
                self.check_margin(self.spec(symbol), order.side, order.quantity, order.price)
            except BinanceError as error:
                row.update(algoStatus="REJECTED", rejectReason=error.msg)
                self.push_algo_update(row)
                continue
            row.update(algoStatus="TRIGGERED", actualOrderId=str(order.order_id))
            self.push_algo_update(row)
            self.matching.place(order)

    def on_last_price(self, symbol: str, price: Decimal) -> None:
        super().on_last_price(symbol, price)
        self.trigger_algo_orders(symbol, price, "last")

    def set_mark_price(self, symbol: str, price: str) -> None:
        """Move the mark price (published on `<symbol>@markPrice`); MARK_PRICE conditional orders may
        trigger."""

        def act() -> None:
            mark = Decimal(price)
            self.mark_prices[symbol] = mark
            now = self.now_ms()
            self.publish(
                f"{symbol.lower()}@markPrice",
                {"e": "markPriceUpdate", "E": now, "s": symbol, "p": decimal_text(mark), "T": now},
            )
            self.trigger_algo_orders(symbol, mark, "mark")

        self.run(act)

    # ---- user data (listenKey)

    async def listen_key_endpoint(self, request: web.Request) -> web.Response:
        if request.headers.get("X-MBX-APIKEY") != self.api_key:
            return self.answer({"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}, 401)
        if request.method == "POST":
            alive = [key for key, ok in self.listen_keys.items() if ok]
            key = alive[0] if alive else secrets.token_urlsafe(48)[:64]
            self.listen_keys[key] = True
            return self.answer({"listenKey": key})
        key = request.query.get("listenKey") or next((k for k, ok in self.listen_keys.items() if ok), "")
        if not self.listen_keys.get(key):
            return self.answer({"code": -1125, "msg": "This listenKey does not exist."}, 400)
        if request.method == "DELETE":
            self.listen_keys[key] = False
        return self.answer({})

    async def private_ws(self, request: web.Request) -> web.WebSocketResponse:
        return await self.user_ws(
            request, request.query.get("listenKey", ""), request.query.get("events", "").split("/")
        )

    async def user_or_market_ws(self, request: web.Request) -> web.WebSocketResponse:
        name = request.match_info["streams"]
        if name in self.listen_keys:
            return await self.user_ws(request, name, [])
        return await self.market_ws(request)

    async def user_ws(self, request: web.Request, key: str, events: list[str]) -> web.WebSocketResponse:
        if not self.listen_keys.get(key):
            raise web.HTTPBadRequest(text='{"code":-1125,"msg":"This listenKey does not exist."}')
        session = Session(ws=None, kind="user")  # type: ignore[arg-type]
        session.state.update({"listenKey": key, "events": [e for e in events if e]})

        async def ignore(session: Session, text: str) -> None:
            return None

        return await self.serve_ws(request, "user", ignore, session)

    def push_user_event(self, event: dict[str, Any]) -> None:
        for session in list(self.sessions):
            if session.kind != "user" or not self.listen_keys.get(session.state["listenKey"]):
                continue
            wanted = session.state["events"]
            if wanted and event["e"] not in wanted and event["e"] != "listenKeyExpired":
                continue
            self.push(session, event)

    def expire_listen_key(self) -> int:
        """Let every listenKey lapse: `listenKeyExpired` on its streams, which then close."""

        def act() -> int:
            expired = [key for key, ok in self.listen_keys.items() if ok]
            for session in list(self.sessions):
                if session.kind == "user" and session.state["listenKey"] in expired:
                    self.push(
                        session,
                        {
                            "e": "listenKeyExpired",
                            "E": self.now_ms(),
                            "listenKey": session.state["listenKey"],
                        },
                    )
            for key in expired:
                self.listen_keys[key] = False
            return len(expired)

        result: int = self.run(act)
        return result

    def original_type(self, order: SimOrder) -> str:
        return str(order.extra.get("origType", self.order_type(order)))

    def on_execution(self, execution: Execution) -> None:
        self.report_execution(execution)
        order = execution.order
        algo = self.algo_orders.get(int(str(order.extra.get("algoId", 0))))
        if algo is not None and not order.active and algo["algoStatus"] == "TRIGGERED":
            algo.update(algoStatus="FINISHED", updateTime=self.now_ms())
            self.push_algo_update(algo)

    def report_execution(self, execution: Execution) -> None:
        order, fill = execution.order, execution.fill
        if fill is not None:
            signed = fill.quantity if order.side == "BUY" else -fill.quantity
            pos, entry = self.positions.get(order.symbol, (Decimal(0), Decimal(0)))
            new_pos = pos + signed
            if new_pos != 0 and (pos == 0 or (pos > 0) == (signed > 0)):
                entry = (entry * abs(pos) + fill.price * fill.quantity) / abs(new_pos)
            self.positions[order.symbol] = (new_pos, entry if new_pos else Decimal(0))
            fee, asset = self.commission(order, fill)
            self.wallet[asset] -= fee  # charged exactly as the events and userTrades report it
            if not fill.maker:  # the user's taking fill prints on the market's tape and trade streams
                self.publish_trade(order.symbol, str(fill.price), str(fill.quantity), order.side == "SELL")
                self.publish_book(order.symbol)
        fee, asset = self.commission(order, fill) if fill else (Decimal(0), self.margin_asset())
        now = self.now_ms()
        garbled = fill is not None and self.faults.garble_fills > 0
        if garbled:
            self.faults.garble_fills -= 1
        self.push_user_event(
            {
                "e": "ORDER_TRADE_UPDATE",
                "E": now,
                "T": order.updated_ms,
                **({"i": ACCOUNT_ALIAS} if self.coin_margined else {}),
                "o": {
                    "s": order.symbol,
                    "c": order.client_id,
                    "S": order.side,
                    "o": self.order_type(order),
                    "f": self.time_in_force(order),
                    "q": decimal_text(order.quantity, 3),
                    "p": decimal_text(order.price),
                    "ap": decimal_text(order.average_price),
                    "sp": str(order.extra.get("stopPrice", "0")),
                    "x": execution.kind,
                    "X": order.status,
                    "i": order.order_id,
                    "l": decimal_text(fill.quantity if fill else 0, 3),
                    "z": decimal_text(order.filled, 3),
                    "L": decimal_text(fill.price if fill else 0),
                    "N": asset,
                    "n": decimal_text(fee),
                    **({"ma": asset} if self.coin_margined else {}),
                    "T": order.updated_ms,
                    "t": None if garbled else fill.trade_id if fill else 0,
                    "b": "0",
                    "a": "0",
                    "m": fill.maker if fill else False,
                    "R": False,
                    "wt": "CONTRACT_PRICE",
                    "ot": self.original_type(order),
                    "ps": "BOTH",
                    "cp": False,
                    "rp": "0",
                    "pP": False,
                    "si": 0,
                    "ss": 0,
                    "V": "EXPIRE_MAKER",
                    "pm": "NONE",
                    "gtd": 0,
                },
            }
        )
        if fill is not None:
            pos, entry = self.positions[order.symbol]
            asset = next(iter(self.wallet))
            self.push_user_event(
                {
                    "e": "ACCOUNT_UPDATE",
                    "E": now,
                    "T": now,
                    **({"i": ACCOUNT_ALIAS} if self.coin_margined else {}),
                    "a": {
                        "m": "ORDER",
                        "B": [
                            {
                                "a": asset,
                                "wb": decimal_text(self.wallet[asset]),
                                "cw": decimal_text(self.wallet[asset]),
                                "bc": "0",
                            }
                        ],
                        "P": [
                            {
                                "s": order.symbol,
                                "pa": decimal_text(pos, 3),
                                "ep": decimal_text(entry),
                                "bep": "0",
                                "cr": "0",
                                "up": "0",
                                "mt": "cross",
                                "iw": "0",
                                "ps": "BOTH",
                            }
                        ],
                    },
                }
            )

    # ---- market data

    def stream_allowed(self, session: Session, stream: str) -> bool:
        if self.coin_margined:
            return True
        route = session.state.get("route", "")
        on_public = stream.split("@")[1].startswith(PUBLIC_ROUTE_STREAMS)
        return route in ("public", "") if on_public else route == "market"


class BinanceCoinFuturesVenue(BinanceFuturesVenue):
    coin_margined = True
