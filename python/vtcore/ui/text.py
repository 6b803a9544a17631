"""Display text of the trader window, in Chinese (the default) or English.

The language comes from the `language` key of `vt_setting.json` ("zh" or "en"). Only display text lives here:
setting keys, enum values and ids are never translated.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from vtcore.constant import Exchange

# key: (Chinese, English)
_TEXT: dict[str, tuple[str, str]] = {
    "window_title": ("VN Trader (vtcore)", "VN Trader (vtcore)"),
    "menu_system": ("系统", "System"),
    "menu_functions": ("功能", "Functions"),
    "menu_help": ("帮助", "Help"),
    "connect_gateway": ("连接{gateway}", "Connect {gateway}"),
    "exit": ("退出", "Exit"),
    "query_contracts": ("查询合约", "Query Contracts"),
    "about": ("关于", "About"),
    "about_text": (
        "vtcore 交易窗口\n与 vn.py 相同的对象与接口，C++ 无锁行情通道。",
        "vtcore trader window\nvn.py's objects and API on a C++ lock-free event path.",
    ),
    "no_apps": ("（无功能模块）", "(no apps added)"),
    "app_failed": ("无法打开功能 {app}：{error}", "Cannot open app {app}: {error}"),
    "app_failed_title": ("功能加载失败", "App failed to load"),
    "app_load_failed": ("无法加载功能 {app}：{error}", "Cannot load app {app}: {error}"),
    # connect dialog
    "connect": ("连接", "Connect"),
    "reconnect": ("断开并重新连接", "Close and reconnect"),
    "reconnect_notice": (
        "{gateway} 已连接。点击“断开并重新连接”将先关闭当前会话（断开前置、取消订阅），"
        "再用下面的设置重新连接。",
        '{gateway} is connected. "Close and reconnect" first closes this session (its fronts and '
        "subscriptions), then connects again with the settings below.",
    ),
    "reconnecting": ("关闭 {gateway} 当前会话并重新连接", "closing the {gateway} session to reconnect"),
    "connect_title": ("连接{gateway}", "Connect {gateway}"),
    "need_int": ("请输入整数", "must be an integer"),
    "need_float": ("请输入数字", "must be a number"),
    "connect_failed": ("连接失败：{error}", "Connect failed: {error}"),
    "save_failed": ("无法保存设置：{error}", "Cannot save settings: {error}"),
    # docks
    "dock_trading": ("交易", "Trading"),
    "dock_tick": ("行情", "Ticks"),
    "dock_active": ("活动", "Active Orders"),
    "dock_order": ("委托", "Orders"),
    "dock_trade": ("成交", "Trades"),
    "dock_log": ("日志", "Log"),
    "dock_account": ("资金", "Accounts"),
    "dock_position": ("持仓", "Positions"),
    "filter_symbol": ("按代码筛选", "Filter by symbol"),
    "cancel_hint": ("双击撤单", "Double-click to cancel"),
    # monitor context menu, CSV export, window layout
    "fit_columns": ("调整列宽", "Fit Columns"),
    "save_data": ("保存数据", "Save Data"),
    "export_done": ("已保存 {rows} 行到 {path}", "saved {rows} rows to {path}"),
    "export_failed": ("无法保存 {path}：{error}", "cannot save {path}: {error}"),
    "restore_layout": ("还原窗口", "Restore Default Layout"),
    "layout_fallback": (
        "窗口布局 {file} 无法使用（{reason}），已使用默认布局",
        "window layout {file} is unusable ({reason}); the default layout is used",
    ),
    "layout_columns_skipped": (
        "{monitor} 的列设置与当前版本不符，已使用默认列宽",
        "the saved columns of {monitor} do not fit this version; its default columns are used",
    ),
    "layout_save_failed": ("无法保存窗口布局：{error}", "cannot save the window layout: {error}"),
    # columns
    "col_symbol": ("代码", "Symbol"),
    "col_exchange": ("交易所", "Exchange"),
    "col_name": ("名称", "Name"),
    "col_last": ("最新价", "Last"),
    "col_volume": ("成交量", "Volume"),
    "col_open": ("开盘价", "Open"),
    "col_high": ("最高价", "High"),
    "col_low": ("最低价", "Low"),
    "col_bid_price": ("买1价", "Bid"),
    "col_bid_volume": ("买1量", "Bid Vol"),
    "col_ask_price": ("卖1价", "Ask"),
    "col_ask_volume": ("卖1量", "Ask Vol"),
    "col_time": ("时间", "Time"),
    "col_gateway": ("接口", "Gateway"),
    "col_orderid": ("委托号", "Order ID"),
    "col_tradeid": ("成交号", "Trade ID"),
    "col_reference": ("来源", "Reference"),
    "col_type": ("类型", "Type"),
    "col_direction": ("方向", "Direction"),
    "col_offset": ("开平", "Offset"),
    "col_price": ("价格", "Price"),
    "col_order_volume": ("总数量", "Volume"),
    "col_traded": ("已成交", "Traded"),
    "col_status": ("状态", "Status"),
    "col_trade_volume": ("数量", "Volume"),
    "col_position": ("数量", "Volume"),
    "col_yd_volume": ("昨仓", "Yesterday"),
    "col_frozen": ("冻结", "Frozen"),
    "col_avg_price": ("均价", "Avg Price"),
    "col_pnl": ("盈亏", "PnL"),
    "col_accountid": ("账号", "Account"),
    "col_balance": ("余额", "Balance"),
    "col_available": ("可用", "Available"),
    "col_message": ("信息", "Message"),
    "col_vt_symbol": ("本地代码", "vt_symbol"),
    "col_product": ("合约分类", "Product"),
    "col_size": ("合约乘数", "Size"),
    "col_pricetick": ("价格跳动", "Price Tick"),
    "col_min_volume": ("最小委托量", "Min Volume"),
    # trading panel
    "order_type": ("类型", "Type"),
    "send_order": ("委托", "Send"),
    "cancel_all": ("全撤", "Cancel All"),
    "bid": ("买", "Bid"),
    "ask": ("卖", "Ask"),
    "err_symbol": ("请输入代码", "enter a symbol"),
    "err_contract": ("未知合约 {vt_symbol}", "unknown contract {vt_symbol}"),
    "err_gateway": ("请先连接接口", "connect a gateway first"),
    "err_price": ("价格无效", "invalid price"),
    "err_price_tick": ("价格须为最小变动价位 {tick} 的整数倍", "price must be a multiple of the tick {tick}"),
    "err_volume": ("数量无效", "invalid volume"),
    "err_min_volume": ("数量须为最小委托量 {min} 的整数倍", "volume must be a multiple of {min}"),
    "err_send": ("委托被拒绝", "the order was refused"),
    "sent": ("已委托 {vt_orderid}", "sent {vt_orderid}"),
    "rejected": ("拒单 {vt_orderid}：{reason}", "rejected {vt_orderid}: {reason}"),
    "no_reason": ("（未给出原因）", "(no reason given)"),
    "cancelled_all": ("已撤销 {count} 笔委托", "cancelling {count} orders"),
    # RPC service (Functions -> RPC服务)
    "app_RpcService": ("RPC服务", "RPC Service"),
    "rpc_rep": ("请求地址", "Request address"),
    "rpc_pub": ("推送地址", "Publish address"),
    "rpc_curve": ("CURVE 认证加密（非本机地址必须开启）", "CURVE authentication (required off loopback)"),
    "rpc_start": ("启动", "Start"),
    "rpc_stop": ("停止", "Stop"),
    "rpc_running": ("运行中：请求 {rep}，推送 {pub}", "running: requests {rep}, events {pub}"),
    "rpc_stopped": ("已停止", "stopped"),
    "rpc_key": ("服务端公钥（客户端的 server_public_key）", "Server public key (server_public_key)"),
    "rpc_missing": ("未加载 RPC 服务", "the RPC service app is not added"),
    # contract query dialog
    "query": ("查询", "Query"),
    "contract_filter": ("输入代码或名称筛选，留空显示全部", "filter by symbol or name; empty shows all"),
}

# Setting keys of the user's gateway page, shown with their Chinese names in a Chinese window.
_FIELD_ZH: dict[str, str] = {
    "username": "用户名",
    "password": "密码",
    "brokerid": "经纪商代码",
    "td_address": "交易服务器",
    "md_address": "行情服务器",
    "product_info": "产品名称",
    "auth_code": "授权编码",
    "hdd_serial": "硬盘序列号",
    "td_ord_server": "交易委托服务器",
    "td_rpt_server": "交易回报服务器",
    "td_qry_server": "交易查询服务器",
    "md_tcp_server": "行情推送服务器",
    "md_qry_server": "行情查询服务器",
    "tiger_id": "用户ID",
    "account": "账户",
    "standard_account": "标准账户",
    "private_key": "秘钥",
    "session_number": "会话数",
    "proxy_host": "代理地址",
    "proxy_port": "代理端口",
    "server": "服务器",
    "environment": "柜台环境",
    # vtcore's additions (optional fields)
    "library_dir": "动态库目录",
    "base_url": "REST地址",
    "public_url": "公共行情地址",
    "exchange": "交易所",
    "key": "API密钥",
    "secret": "API私钥",
    "passphrase": "API口令",
    "leverage": "杠杆",
    "req_address": "主动请求地址",
    "sub_address": "推送订阅地址",
    "server_public_key": "服务端公钥",
    "client_key_file": "客户端密钥文件",
    "curve": "CURVE加密",
    "server_gateways": "服务端接口",
    "gateway_url": "网关地址",
    "push_address": "推送地址",
    "markets": "市场",
    "tws_host": "TWS地址",
    "tws_port": "TWS端口",
    "client_id": "客户号",
    # TAP (易盛): the page's quote fields, the trade side in the same style
    "quote_username": "行情账号",
    "quote_password": "行情密码",
    "quote_host": "行情地址",
    "quote_port": "行情端口",
    "trade_username": "交易账号",
    "trade_password": "交易密码",
    "trade_host": "交易地址",
    "trade_port": "交易端口",
    "md_port": "行情端口",
    "td_port": "交易端口",
    "md_protocol": "行情协议",
    "log_level": "日志级别",
    "account_type": "账号类型",
    "address_type": "地址类型",
    "dynamic_key": "动态密钥",
    "data_feed": "行情源",
    "market": "市场",
    "host": "地址",
    "port": "端口",
    "customize_ip": "自定义IP",
    "customize_mac": "自定义MAC",
}

LANGUAGES = ("zh", "en")


class Text:
    """Looks up display text in one language."""

    def __init__(self, language: str = "zh") -> None:
        self.language = language if language in LANGUAGES else "zh"
        self._index = LANGUAGES.index(self.language)

    def __call__(self, key: str, **fields: Any) -> str:
        text = _TEXT[key][self._index]
        return text.format(**fields) if fields else text

    def get(self, key: str, default: str) -> str:
        """The text of `key` when there is one, else `default` (e.g. an app's own display name)."""
        return self(key) if key in _TEXT else default

    def field(self, name: str) -> str:
        """The label of a gateway setting field: its Chinese name in a Chinese window, else the key."""
        if self.language == "zh" and name in _FIELD_ZH:
            return f"{_FIELD_ZH[name]} ({name})"
        return name

    def enum(self, member: Enum | None) -> str:
        """An enum member's display label in this window's language (its value when it has no label)."""
        if member is None:
            return ""
        if isinstance(member, Exchange):  # by code, as in a vt_symbol, in every table and the trading panel
            return str(member.value)
        label = getattr(member, "label_zh" if self.language == "zh" else "label_en", None)
        if isinstance(label, str):
            return label
        return str(member.value)
