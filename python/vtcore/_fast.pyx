# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, embedsignature=True
# distutils: language = c++
"""The engine's hot Python-side objects: TickData, Event and the batch dispatch loop.

TickData is built straight from a C++ `vtcore::TickRecord` (cpp/include/vtcore/records.hpp) in the tick buffer;
its `datetime` and `localtime` are kept as int64 nanoseconds and turned into timezone-aware datetimes only when
read (Asia/Shanghai for China's exchanges, UTC otherwise). Python gateways construct it with vn.py's keywords.
"""

cimport cython
from libc.stdint cimport int32_t, int64_t, uint16_t, uint64_t, uintptr_t

from cpython.ref cimport PyObject
from libc.stdlib cimport calloc, free

cdef extern from "<string.h>":
    size_t strnlen(const char* s, size_t maxlen)
    int memcmp(const void* a, const void* b, size_t n)
    void* memcpy(void* dest, const void* src, size_t n)
from cpython.unicode cimport PyUnicode_DecodeUTF8
from cpython.datetime cimport datetime_new, import_datetime

import_datetime()

import datetime as _dt
import copy as _copy

from vtcore._core import TickRun as _TickRun
from vtcore.constant import CHINA_EXCHANGES, EXCHANGE_BY_CODE
from vtcore.time import CHINA_TZ, UTC, timezone_for

cdef extern from "vtcore/records.hpp" namespace "vtcore":
    cdef enum:
        kSymbolSize  # constexpr in records.hpp: usable as an array size here
    cdef enum TickFlags:
        kTickVolumeRounded
    ctypedef struct TickRecord:
        char symbol[kSymbolSize]
        int64_t datetime
        int64_t localtime
        int32_t trading_day
        uint16_t exchange
        uint16_t flags
        double volume
        double turnover
        double open_interest
        double last_price
        double last_volume
        double limit_up
        double limit_down
        double open_price
        double high_price
        double low_price
        double pre_close
        double bid_price[5]
        double ask_price[5]
        float bid_volume[5]
        float ask_volume[5]

cdef extern from *:
    const char* VTCORE_BUILD_TYPE
    const char* VTCORE_BUILD_COMPILER
    const char* VTCORE_BUILD_WITH_CTP
    const char* VTCORE_BUILD_VERSION

TICK_RECORD_SIZE = sizeof(TickRecord)
#: How the compiled modules were built (CMake build type, compiler, options), for `vtcore info`.
BUILD_INFO = {
    "version": VTCORE_BUILD_VERSION.decode(),
    "build_type": VTCORE_BUILD_TYPE.decode(),
    "compiler": VTCORE_BUILD_COMPILER.decode(),
    "VTCORE_WITH_CTP": VTCORE_BUILD_WITH_CTP.decode(),
    "tick_record_size": sizeof(TickRecord),
}


# Timezone of each exchange code (index = code of exchange.hpp; 0 = unknown -> UTC).
cdef list _TZ_BY_CODE = [CHINA_TZ if exchange in CHINA_EXCHANGES else UTC for exchange in EXCHANGE_BY_CODE]
cdef list _EXCHANGE_BY_CODE = list(EXCHANGE_BY_CODE)
cdef Py_ssize_t _EXCHANGE_COUNT = len(_EXCHANGE_BY_CODE)


cdef object _CHINA_EXCHANGES = frozenset(CHINA_EXCHANGES)


cdef inline object _tz_of(object exchange):
    # timezone_for() without a Python call: read on every first access to a tick's datetime
    return CHINA_TZ if exchange in _CHINA_EXCHANGES else UTC


cdef extern from "<time.h>" nogil:
    """
    static inline int64_t vtcore_now_ns(void) {
        struct timespec now;
        timespec_get(&now, TIME_UTC);
        return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    }
    """
    int64_t vtcore_now_ns()


cdef inline int64_t _floor_div(int64_t a, int64_t b):
    # the module runs with cdivision (C's truncation): floor explicitly so times before 1970 stay right
    cdef int64_t q = a // b
    return q - 1 if (a % b != 0) and ((a < 0) != (b < 0)) else q


cdef object _utc_datetime(int64_t us):
    """A UTC datetime from microseconds since the epoch, built through the C API: the calendar date comes from
    the day count by H. Hinnant's civil-from-days rule, with no timedelta arithmetic."""
    cdef int64_t days = _floor_div(us, 86_400_000_000)
    cdef int64_t rest = us - days * 86_400_000_000
    cdef int64_t z = days + 719_468
    cdef int64_t era = _floor_div(z, 146_097)
    cdef int64_t doe = z - era * 146_097
    cdef int64_t yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    cdef int64_t doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    cdef int64_t mp = (5 * doy + 2) // 153
    cdef int day = <int>(doy - (153 * mp + 2) // 5 + 1)
    cdef int month = <int>(mp + 3 if mp < 10 else mp - 9)
    cdef int year = <int>(yoe + era * 400 + (1 if month <= 2 else 0))
    cdef int second_of_day = <int>(rest // 1_000_000)
    return datetime_new(year, month, day, second_of_day // 3600, (second_of_day // 60) % 60,
                        second_of_day % 60, <int>(rest % 1_000_000), UTC)


cdef inline object _ns_to_datetime(int64_t ns, object tz):
    if ns == 0:
        return None
    moment = _utc_datetime(_floor_div(ns, 1000))
    return moment if tz is UTC else moment.astimezone(tz)


def _datetime_from_ns(int64_t ns, tz=UTC):
    """`_ns_to_datetime` for tests: the datetime TickData shows for `ns` nanoseconds since the epoch."""
    return _ns_to_datetime(ns, tz)


TICK_FIELDS = (
    "gateway_name", "symbol", "exchange", "datetime", "name", "volume", "turnover", "open_interest",
    "last_price", "last_volume", "limit_up", "limit_down", "open_price", "high_price", "low_price", "pre_close",
    "bid_price_1", "bid_price_2", "bid_price_3", "bid_price_4", "bid_price_5",
    "ask_price_1", "ask_price_2", "ask_price_3", "ask_price_4", "ask_price_5",
    "bid_volume_1", "bid_volume_2", "bid_volume_3", "bid_volume_4", "bid_volume_5",
    "ask_volume_1", "ask_volume_2", "ask_volume_3", "ask_volume_4", "ask_volume_5",
    "localtime",
)


# Free lists: one TickData and one Event per tick are created and, usually, freed before the next; reusing
# them saves the allocator, and a reused object does not count toward the garbage collector's next run.
@cython.freelist(64)
cdef class TickData:
    """vn.py's TickData: market data snapshot of one instrument (same fields, same keyword constructor)."""

    cdef public str gateway_name
    cdef str _symbol
    cdef object _exchange
    cdef object _vt_symbol
    cdef object _datetime
    cdef object _localtime
    cdef int64_t _datetime_ns
    cdef int64_t _localtime_ns
    cdef public str name
    cdef public double volume, turnover, open_interest, last_price, last_volume
    cdef public double limit_up, limit_down, open_price, high_price, low_price, pre_close
    cdef public double bid_price_1, bid_price_2, bid_price_3, bid_price_4, bid_price_5
    cdef public double ask_price_1, ask_price_2, ask_price_3, ask_price_4, ask_price_5
    cdef public double bid_volume_1, bid_volume_2, bid_volume_3, bid_volume_4, bid_volume_5
    cdef public double ask_volume_1, ask_volume_2, ask_volume_3, ask_volume_4, ask_volume_5
    cdef public object extra
    cdef public int trading_day  # YYYYMMDD from the record, 0 when unknown (not a vn.py field)

    def __init__(self, str gateway_name, str symbol, exchange, datetime, str name="",
                 double volume=0, double turnover=0, double open_interest=0, double last_price=0,
                 double last_volume=0, double limit_up=0, double limit_down=0, double open_price=0,
                 double high_price=0, double low_price=0, double pre_close=0,
                 double bid_price_1=0, double bid_price_2=0, double bid_price_3=0, double bid_price_4=0,
                 double bid_price_5=0,
                 double ask_price_1=0, double ask_price_2=0, double ask_price_3=0, double ask_price_4=0,
                 double ask_price_5=0,
                 double bid_volume_1=0, double bid_volume_2=0, double bid_volume_3=0, double bid_volume_4=0,
                 double bid_volume_5=0,
                 double ask_volume_1=0, double ask_volume_2=0, double ask_volume_3=0, double ask_volume_4=0,
                 double ask_volume_5=0,
                 localtime=None):
        self.gateway_name = gateway_name
        self._symbol = symbol
        self._exchange = exchange
        self._datetime = datetime
        self._localtime = localtime
        self.name = name
        self.volume = volume
        self.turnover = turnover
        self.open_interest = open_interest
        self.last_price = last_price
        self.last_volume = last_volume
        self.limit_up = limit_up
        self.limit_down = limit_down
        self.open_price = open_price
        self.high_price = high_price
        self.low_price = low_price
        self.pre_close = pre_close
        self.bid_price_1 = bid_price_1
        self.bid_price_2 = bid_price_2
        self.bid_price_3 = bid_price_3
        self.bid_price_4 = bid_price_4
        self.bid_price_5 = bid_price_5
        self.ask_price_1 = ask_price_1
        self.ask_price_2 = ask_price_2
        self.ask_price_3 = ask_price_3
        self.ask_price_4 = ask_price_4
        self.ask_price_5 = ask_price_5
        self.bid_volume_1 = bid_volume_1
        self.bid_volume_2 = bid_volume_2
        self.bid_volume_3 = bid_volume_3
        self.bid_volume_4 = bid_volume_4
        self.bid_volume_5 = bid_volume_5
        self.ask_volume_1 = ask_volume_1
        self.ask_volume_2 = ask_volume_2
        self.ask_volume_3 = ask_volume_3
        self.ask_volume_4 = ask_volume_4
        self.ask_volume_5 = ask_volume_5

    @property
    def symbol(self):
        return self._symbol

    @symbol.setter
    def symbol(self, str value):
        self._symbol = value
        self._vt_symbol = None

    @property
    def exchange(self):
        return self._exchange

    @exchange.setter
    def exchange(self, value):
        self._exchange = value
        self._vt_symbol = None

    @property
    def vt_symbol(self):
        """`{symbol}.{exchange.value}`, computed once and recomputed after symbol or exchange change."""
        if self._vt_symbol is None:
            value = self._exchange.value if self._exchange is not None else ""
            self._vt_symbol = f"{self._symbol}.{value}"
        return self._vt_symbol

    @property
    def datetime(self):
        """Exchange time, timezone-aware (built on first read from the record's nanoseconds)."""
        if self._datetime is None and self._datetime_ns != 0:
            self._datetime = _ns_to_datetime(self._datetime_ns, _tz_of(self._exchange))
        return self._datetime

    @datetime.setter
    def datetime(self, value):
        self._datetime = value
        self._datetime_ns = 0

    @property
    def localtime(self):
        """Local receive time, timezone-aware like `datetime` (None when the gateway did not set it)."""
        if self._localtime is None and self._localtime_ns != 0:
            self._localtime = _ns_to_datetime(self._localtime_ns, _tz_of(self._exchange))
        return self._localtime

    @localtime.setter
    def localtime(self, value):
        self._localtime = value
        self._localtime_ns = 0

    @property
    def datetime_ns(self):
        """Exchange time as int64 ns since the epoch when built from a record, else 0."""
        return self._datetime_ns

    @property
    def localtime_ns(self):
        """Receive time as int64 ns since the epoch when built from a record, else 0."""
        return self._localtime_ns

    def _state(self):
        return tuple(getattr(self, name) for name in TICK_FIELDS)

    def __eq__(self, other):
        if not isinstance(other, TickData):
            return NotImplemented
        return self._state() == (<TickData>other)._state()

    __hash__ = None  # mutable, like vn.py's dataclass

    def __repr__(self):
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in TICK_FIELDS)
        return f"TickData({parts})"

    def __reduce__(self):
        return (_rebuild_tick, (self._state(), self.extra, self.trading_day))

    def __copy__(self):
        return _rebuild_tick(self._state(), self.extra, self.trading_day)

    def __deepcopy__(self, memo):
        return _rebuild_tick(self._state(), _copy.deepcopy(self.extra, memo), self.trading_day)

    def to_dict(self):
        """The vn.py fields as a dict (datetimes built)."""
        return {name: getattr(self, name) for name in TICK_FIELDS}


def _rebuild_tick(state, extra=None, trading_day=0):
    cdef TickData tick = TickData(*state)
    tick.extra = extra
    tick.trading_day = trading_day
    return tick


cdef inline void _copy_prices(TickData dst, TickData src):
    dst.volume = src.volume
    dst.turnover = src.turnover
    dst.open_interest = src.open_interest
    dst.last_price = src.last_price
    dst.last_volume = src.last_volume
    dst.limit_up = src.limit_up
    dst.limit_down = src.limit_down
    dst.open_price = src.open_price
    dst.high_price = src.high_price
    dst.low_price = src.low_price
    dst.pre_close = src.pre_close
    dst.bid_price_1 = src.bid_price_1
    dst.bid_price_2 = src.bid_price_2
    dst.bid_price_3 = src.bid_price_3
    dst.bid_price_4 = src.bid_price_4
    dst.bid_price_5 = src.bid_price_5
    dst.ask_price_1 = src.ask_price_1
    dst.ask_price_2 = src.ask_price_2
    dst.ask_price_3 = src.ask_price_3
    dst.ask_price_4 = src.ask_price_4
    dst.ask_price_5 = src.ask_price_5
    dst.bid_volume_1 = src.bid_volume_1
    dst.bid_volume_2 = src.bid_volume_2
    dst.bid_volume_3 = src.bid_volume_3
    dst.bid_volume_4 = src.bid_volume_4
    dst.bid_volume_5 = src.bid_volume_5
    dst.ask_volume_1 = src.ask_volume_1
    dst.ask_volume_2 = src.ask_volume_2
    dst.ask_volume_3 = src.ask_volume_3
    dst.ask_volume_4 = src.ask_volume_4
    dst.ask_volume_5 = src.ask_volume_5


cdef inline void _put_side(TickData t, const double* p, const double* q, bint bids):
    if bids:
        t.bid_price_1, t.bid_price_2, t.bid_price_3, t.bid_price_4, t.bid_price_5 = p[0], p[1], p[2], p[3], p[4]
        t.bid_volume_1, t.bid_volume_2, t.bid_volume_3, t.bid_volume_4, t.bid_volume_5 = q[0], q[1], q[2], q[3], q[4]
    else:
        t.ask_price_1, t.ask_price_2, t.ask_price_3, t.ask_price_4, t.ask_price_5 = p[0], p[1], p[2], p[3], p[4]
        t.ask_volume_1, t.ask_volume_2, t.ask_volume_3, t.ask_volume_4, t.ask_volume_5 = q[0], q[1], q[2], q[3], q[4]


cdef inline void _set_side(TickData t, object levels, bint bids) except *:
    """Five levels of one side from venue levels `(price, size, ...)` (floats); missing levels are 0."""
    cdef double p[5]
    cdef double q[5]
    cdef Py_ssize_t i, n = min(5, len(levels))
    for i in range(5):
        p[i] = 0.0
        q[i] = 0.0
    for i in range(n):
        level = levels[i]
        p[i] = level[0]
        q[i] = level[1]
    _put_side(t, p, q, bids)


cdef extern from "<stdlib.h>":
    double strtod(const char* text, char** end)


cdef inline Py_ssize_t _skip_space(const unsigned char* s, Py_ssize_t i, Py_ssize_t n):
    while i < n and (s[i] == 32 or s[i] == 9 or s[i] == 10 or s[i] == 13):
        i += 1
    return i


cdef Py_ssize_t _json_number(const unsigned char* s, Py_ssize_t i, Py_ssize_t n, double* out) except -1:
    """One JSON number, bare or quoted ("25000.1"), at s[i]; returns the index after it. The digits are
    copied out first so that strtod never reads past the buffer (a view need not end in a NUL)."""
    cdef char text[64]
    cdef char* end
    cdef Py_ssize_t length = 0
    cdef bint quoted = i < n and s[i] == 34
    if quoted:
        i += 1
    while i < n and length < 63 and (48 <= s[i] <= 57 or s[i] == 46 or s[i] == 45 or s[i] == 43
                                      or s[i] == 101 or s[i] == 69):
        text[length] = <char>s[i]
        length += 1
        i += 1
    text[length] = 0
    out[0] = strtod(text, &end)
    if length == 0 or end != text + length:
        raise ValueError("a book level must hold numbers")
    if quoted:
        if i >= n or s[i] != 34:
            raise ValueError("a book level must hold numbers")
        i += 1
    return i


cdef void _json_side(const unsigned char[::1] text, double* p, double* q) except *:
    """The first five `[price, size, ...]` levels of a JSON book side (`[[p,q],[p,q],...]`, numbers bare or
    quoted), best first, into p and q, without reading the levels behind them; missing levels are 0."""
    cdef Py_ssize_t i, level, n = text.shape[0]
    cdef const unsigned char* s = &text[0] if n else NULL
    for level in range(5):
        p[level] = 0.0
        q[level] = 0.0
    i = _skip_space(s, 0, n)
    if i >= n or s[i] != 91:  # '['
        raise ValueError("a book side must be a JSON list")
    i = _skip_space(s, i + 1, n)
    for level in range(5):
        if i < n and s[i] == 93:  # ']': fewer than five levels
            break
        if i >= n or s[i] != 91:
            raise ValueError("a book level must be a JSON list")
        i = _json_number(s, _skip_space(s, i + 1, n), n, &p[level])
        i = _skip_space(s, i, n)
        if i >= n or s[i] != 44:  # ','
            raise ValueError("a book level must hold a price and a size")
        i = _json_number(s, _skip_space(s, i + 1, n), n, &q[level])
        while i < n and s[i] != 93:  # further scalars of the level (counts, order ids): not nested
            if s[i] == 91 or s[i] == 123:
                raise ValueError("a book level must hold scalars")
            i += 1
        if i >= n:
            raise ValueError("a book side must be a JSON list")
        i = _skip_space(s, i + 1, n)
        if i < n and s[i] == 44:
            i = _skip_space(s, i + 1, n)


@cython.final
cdef class TickBuilder:
    """The latest market data of one symbol for the REST/WebSocket gateways, kept in C.

    Each update writes the venue's new values and returns a new TickData (never mutated afterwards) made by
    field copies, with no keyword parsing and no datetime built: `datetime` is the venue's time in
    milliseconds (`exchange_ms`, 0 when the message has none: the receive time), `localtime` the receive
    time, both kept as nanoseconds and made into datetimes only when read.
    """

    cdef TickData _latest

    def __init__(self, str symbol, exchange, str gateway_name, str name):
        self._latest = TickData(gateway_name, symbol, exchange, None, name)
        self._latest.vt_symbol  # computed once, copied into every tick

    @property
    def latest(self):
        """The current values as a TickData (its times are those of the last update)."""
        return self._latest

    def set(self, str field, double value):
        """Set one price field (limits, open interest, ...) without pushing a tick."""
        setattr(self._latest, field, value)

    cdef TickData _emit(self, int64_t exchange_ms):
        cdef TickData src = self._latest
        cdef TickData tick = TickData.__new__(TickData)
        tick.gateway_name = src.gateway_name
        tick._symbol = src._symbol
        tick._exchange = src._exchange
        tick._vt_symbol = src._vt_symbol
        tick.name = src.name
        _copy_prices(tick, src)
        cdef int64_t now = vtcore_now_ns()  # the wall clock, as time.time_ns() reads it
        tick._localtime_ns = now
        tick._datetime_ns = exchange_ms * 1000000 if exchange_ms > 0 else now
        src._localtime_ns = tick._localtime_ns
        src._datetime_ns = tick._datetime_ns
        src._datetime = src._localtime = None
        return tick

    cpdef TickData top(self, double bid, double bid_volume, double ask, double ask_volume,
                       int64_t exchange_ms=0):
        """New best bid and ask."""
        cdef TickData t = self._latest
        t.bid_price_1, t.bid_volume_1, t.ask_price_1, t.ask_volume_1 = bid, bid_volume, ask, ask_volume
        return self._emit(exchange_ms)

    cpdef TickData last(self, double price, double volume, int64_t exchange_ms=0):
        """A market trade: the last price and volume."""
        self._latest.last_price, self._latest.last_volume = price, volume
        return self._emit(exchange_ms)

    cpdef TickData levels(self, bids, asks, int64_t exchange_ms=0):
        """Five levels a side from venue levels `(price, size, ...)` decoded as floats; a side given as None
        keeps its levels (an update that changed only the other side)."""
        if bids is not None:
            _set_side(self._latest, bids, True)
        if asks is not None:
            _set_side(self._latest, asks, False)
        return self._emit(exchange_ms)

    cpdef TickData json_levels(self, const unsigned char[::1] bids, const unsigned char[::1] asks,
                               int64_t exchange_ms=0):
        """Five levels a side read straight from the JSON text of each side (`[[price, size, ...], ...]`,
        numbers bare or quoted, e.g. a msgspec.Raw field), only as far as the fifth level: a venue's
        150-level book costs what a 5-level one does. Raises ValueError on a side that is not such a list."""
        cdef double bp[5]
        cdef double bq[5]
        cdef double ap[5]
        cdef double aq[5]
        _json_side(bids, bp, bq)
        _json_side(asks, ap, aq)  # both sides read before either is written: a bad frame changes nothing
        _put_side(self._latest, bp, bq, True)
        _put_side(self._latest, ap, aq, False)
        return self._emit(exchange_ms)

    cpdef TickData ticker(self, double last, double bid, double bid_volume, double ask, double ask_volume,
                          double open_price, double high, double low, double volume, int64_t exchange_ms=0):
        """A 24-hour ticker that carries no last size or turnover (Bitfinex's): those stay as the trades and
        earlier updates left them."""
        cdef TickData t = self._latest
        t.last_price = last
        t.bid_price_1, t.bid_volume_1, t.ask_price_1, t.ask_volume_1 = bid, bid_volume, ask, ask_volume
        t.open_price, t.high_price, t.low_price, t.volume = open_price, high, low, volume
        return self._emit(exchange_ms)

    cpdef TickData stats(self, double open_price, double high, double low, double volume, double turnover,
                         int64_t exchange_ms=0):
        """Rolling (24-hour) statistics: open, high, low, volume and turnover; the book and last trade stay."""
        cdef TickData t = self._latest
        t.open_price, t.high_price, t.low_price, t.volume, t.turnover = open_price, high, low, volume, turnover
        return self._emit(exchange_ms)

    cpdef TickData summary(self, double last, double last_volume, double bid, double bid_volume, double ask,
                           double ask_volume, double open_price, double high, double low, double volume,
                           double turnover, int64_t exchange_ms=0):
        """A 24-hour ticker: last trade, best bid and ask, the day's open, high, low, volume and turnover."""
        cdef TickData t = self._latest
        t.last_price, t.last_volume = last, last_volume
        t.bid_price_1, t.bid_volume_1, t.ask_price_1, t.ask_volume_1 = bid, bid_volume, ask, ask_volume
        t.open_price, t.high_price, t.low_price, t.volume, t.turnover = open_price, high, low, volume, turnover
        return self._emit(exchange_ms)


cdef class SymbolInfo:
    """What the dispatch loop keeps per (symbol, exchange code): the strings it would otherwise rebuild."""
    cdef readonly str symbol
    cdef readonly object exchange
    cdef readonly str vt_symbol
    cdef readonly str tick_type  # "eTick." + vt_symbol
    cdef readonly int code
    cdef public str name  # the contract's name once known (TickData.name), else ""

    def __init__(self, str symbol, int code, str tick_prefix):
        self.name = ""
        self.symbol = symbol
        self.code = code
        self.exchange = _EXCHANGE_BY_CODE[code] if 0 <= code < _EXCHANGE_COUNT else None
        value = self.exchange.value if self.exchange is not None else ""
        self.vt_symbol = f"{symbol}.{value}"
        self.tick_type = tick_prefix + self.vt_symbol


cdef enum:
    CACHE_SLOTS = 1024  # power of two

cdef struct CacheEntry:
    char symbol[kSymbolSize]
    uint16_t code
    PyObject* info  # borrowed: the SymbolInfo is kept alive by TickDecoder._infos


cdef class TickDecoder:
    """Builds TickData from records, caching the strings of each symbol it has seen.

    A direct-mapped cache keyed by the record's raw symbol bytes and exchange code finds the SymbolInfo without
    creating any Python object (no str decode, no dict lookup) for symbols seen before.
    """
    cdef dict _infos  # (symbol, code) -> SymbolInfo
    cdef dict _by_vt_symbol  # vt_symbol -> SymbolInfo
    cdef dict _names  # vt_symbol -> contract name, also for symbols not seen yet
    cdef str _tick_prefix
    cdef CacheEntry* _cache

    def __cinit__(self):
        self._cache = <CacheEntry*>calloc(CACHE_SLOTS, sizeof(CacheEntry))
        if self._cache == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self._cache)

    def __init__(self, str tick_prefix="eTick."):
        self._infos = {}
        self._by_vt_symbol = {}
        self._names = {}
        self._tick_prefix = tick_prefix

    def set_name(self, str vt_symbol, str name):
        """Ticks of `vt_symbol` built from now on carry `name` (the contract's name) in TickData.name."""
        self._names[vt_symbol] = name
        cdef SymbolInfo info = self._by_vt_symbol.get(vt_symbol)
        if info is not None:
            info.name = name

    cdef SymbolInfo info(self, const TickRecord* record):
        cdef uint64_t hash_value = 1469598103934665603ULL ^ record.exchange
        cdef size_t i
        for i in range(kSymbolSize):
            if record.symbol[i] == 0:
                break
            hash_value = (hash_value ^ <unsigned char>record.symbol[i]) * 1099511628211ULL
        cdef CacheEntry* entry = &self._cache[hash_value & (CACHE_SLOTS - 1)]
        if entry.info != NULL and entry.code == record.exchange and memcmp(entry.symbol, record.symbol, kSymbolSize) == 0:
            return <SymbolInfo>entry.info
        cdef Py_ssize_t length = strnlen(record.symbol, kSymbolSize)
        cdef str symbol = PyUnicode_DecodeUTF8(record.symbol, length, "replace")
        cdef tuple key = (symbol, record.exchange)
        cdef SymbolInfo info = self._infos.get(key)
        if info is None:
            if len(self._infos) >= 100_000:  # bounded: only a pathological feed has this many symbols
                self._infos.clear()
                self._by_vt_symbol.clear()
                for i in range(CACHE_SLOTS):
                    self._cache[i].info = NULL
            info = SymbolInfo(symbol, record.exchange, self._tick_prefix)
            info.name = self._names.get(info.vt_symbol, "")
            self._infos[key] = info
            self._by_vt_symbol[info.vt_symbol] = info
        memcpy(entry.symbol, record.symbol, kSymbolSize)
        entry.code = record.exchange
        entry.info = <PyObject*>info
        return info

    def decode(self, record, str gateway_name):
        """TickData from one TickRecord's bytes (a bytes-like object of TICK_RECORD_SIZE bytes)."""
        cdef const unsigned char[::1] view = record
        if view.shape[0] != sizeof(TickRecord):
            raise ValueError(f"a TickRecord is {sizeof(TickRecord)} bytes, got {view.shape[0]}")
        cdef const TickRecord* rec = <const TickRecord*>&view[0]
        return build_tick(rec, self.info(rec), gateway_name)


cdef TickData build_tick(const TickRecord* r, SymbolInfo info, str gateway_name):
    cdef TickData t = TickData.__new__(TickData)
    t.gateway_name = gateway_name
    t._symbol = info.symbol
    t._exchange = info.exchange
    t._vt_symbol = info.vt_symbol
    t._datetime_ns = r.datetime
    t._localtime_ns = r.localtime
    t.trading_day = r.trading_day
    t.name = info.name
    t.volume = r.volume
    t.turnover = r.turnover
    t.open_interest = r.open_interest
    t.last_price = r.last_price
    t.last_volume = r.last_volume
    t.limit_up = r.limit_up
    t.limit_down = r.limit_down
    t.open_price = r.open_price
    t.high_price = r.high_price
    t.low_price = r.low_price
    t.pre_close = r.pre_close
    t.bid_price_1 = r.bid_price[0]
    t.bid_price_2 = r.bid_price[1]
    t.bid_price_3 = r.bid_price[2]
    t.bid_price_4 = r.bid_price[3]
    t.bid_price_5 = r.bid_price[4]
    t.ask_price_1 = r.ask_price[0]
    t.ask_price_2 = r.ask_price[1]
    t.ask_price_3 = r.ask_price[2]
    t.ask_price_4 = r.ask_price[3]
    t.ask_price_5 = r.ask_price[4]
    t.bid_volume_1 = r.bid_volume[0]
    t.bid_volume_2 = r.bid_volume[1]
    t.bid_volume_3 = r.bid_volume[2]
    t.bid_volume_4 = r.bid_volume[3]
    t.bid_volume_5 = r.bid_volume[4]
    t.ask_volume_1 = r.ask_volume[0]
    t.ask_volume_2 = r.ask_volume[1]
    t.ask_volume_3 = r.ask_volume[2]
    t.ask_volume_4 = r.ask_volume[3]
    t.ask_volume_5 = r.ask_volume[4]
    if r.flags & kTickVolumeRounded:  # rare: a depth volume above 2^24 or fractional (records.hpp)
        t.extra = {"depth_volume_rounded": True}
    return t


@cython.freelist(64)
cdef class Event:
    """vn.py's Event: a type string and any data."""
    cdef public str type
    cdef public object data

    def __init__(self, str type, data=None):
        self.type = type
        self.data = data

    def __repr__(self):
        return f"Event(type={self.type!r}, data={self.data!r})"


cdef class Dispatcher:
    """Calls handlers on the engine thread. The handler tables are immutable snapshots that the EventEngine swaps
    in whole (under its lock) when someone registers or unregisters, so dispatch never sees a half-changed table.

    `on_error(handler, event)` is called inside the `except` block of a handler that raised.
    """
    cdef public dict handlers          # type -> tuple of handlers
    cdef public tuple general          # general handlers
    cdef public tuple batch_handlers   # tick batch handlers
    cdef public dict producers         # producer id -> (gateway_name, on_message or None)
    cdef public object on_error
    cdef public object on_unhandled_message  # (producer_id, kind, request_id) when a producer has no on_message
    cdef public object view            # view(start, count) -> numpy array, for batch handlers
    cdef public uintptr_t buffer_address
    cdef public uint64_t buffer_mask
    cdef public str tick_type
    cdef public bint tick_symbol_handlers  # some "eTick.<vt_symbol>" type has handlers (set with the table)
    cdef readonly TickDecoder decoder
    cdef public uint64_t ticks_dispatched
    cdef readonly uint64_t rehearsals
    cdef uint64_t _last_seq  # the last tick dispatched (its slot in the tick buffer), for rehearse()
    cdef str _last_gateway
    cdef bint _have_last

    def __init__(self, on_error, str tick_type="eTick."):
        self.handlers = {}
        self.general = ()
        self.batch_handlers = ()
        self.producers = {}
        self.on_error = on_error
        self.on_unhandled_message = None
        self.view = None
        self.buffer_address = 0
        self.buffer_mask = 0
        self.tick_type = tick_type
        self.tick_symbol_handlers = False
        self.decoder = TickDecoder(tick_type)
        self.ticks_dispatched = 0
        self._have_last = False
        self._last_gateway = ""
        self.rehearsals = 0

    def set_tick_buffer(self, uintptr_t address, uint64_t capacity, view):
        if capacity == 0 or (capacity & (capacity - 1)) != 0:
            raise ValueError("tick buffer capacity must be a power of two")
        self.buffer_address = address
        self.buffer_mask = capacity - 1
        self.view = view

    cdef inline void _call(self, tuple handlers, Event event):
        for handler in handlers:
            try:
                handler(event)
            except BaseException as exc:
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                self.on_error(handler, event)

    cpdef dispatch(self, Event event):
        """Handlers of `event.type` in registration order, then the general handlers."""
        cdef tuple handlers = self.handlers.get(event.type)
        if handlers is not None:
            self._call(handlers, event)
        if self.general:
            self._call(self.general, event)

    cpdef dispatch_ticks(self, uint64_t start, uint64_t count, str gateway_name):
        """Dispatch a run of ticks from the tick buffer: batch handlers once with the numpy view, then per tick
        "eTick." and "eTick.<vt_symbol>" (each followed by the general handlers); no TickData is built when no
        one listens."""
        if count:
            self._last_seq = start + count - 1
            self._last_gateway = gateway_name
            self._have_last = True
        cdef tuple batch = self.batch_handlers
        if batch:
            array = self.view(start, count)
            for handler in batch:
                try:
                    handler(array, gateway_name)
                except BaseException as exc:
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    self.on_error(handler, Event(self.tick_type, array))
        cdef dict table = self.handlers
        cdef tuple general = self.general
        cdef tuple generic = table.get(self.tick_type)
        cdef tuple specific
        cdef const TickRecord* base = <const TickRecord*>self.buffer_address
        cdef const TickRecord* record
        cdef SymbolInfo info
        cdef TickData tick
        cdef uint64_t seq
        if generic is None and not general and not self.tick_symbol_handlers:
            return
        for seq in range(start, start + count):
            record = base + (seq & self.buffer_mask)
            info = self.decoder.info(record)
            specific = table.get(info.tick_type)
            if generic is None and specific is None and not general:
                continue
            tick = build_tick(record, info, gateway_name)
            if generic is not None or general:
                event = Event.__new__(Event)
                (<Event>event).type = self.tick_type
                (<Event>event).data = tick
                if generic is not None:
                    self._call(generic, event)
                if general:
                    self._call(general, event)
            if specific is not None or general:
                event = Event.__new__(Event)
                (<Event>event).type = info.tick_type
                (<Event>event).data = tick
                if specific is not None:
                    self._call(specific, event)
                if general:
                    self._call(general, event)
            self.ticks_dispatched += 1

    cpdef bint rehearse(self):
        """Runs the tick path short of the handlers on the last tick dispatched (still in the tick buffer: only
        the engine thread writes it): handler lookups, the symbol's cache entry, a TickData and its Events, a
        numpy view, all thrown away. An idle `latency` engine calls it every so often so that the next tick
        finds this path's code and data in the CPU's caches instead of paying tens of µs of misses (the traced
        runs in benchmarks/README.md). False when no tick was dispatched yet."""
        if not self._have_last:
            return False
        cdef const TickRecord* record = <const TickRecord*>self.buffer_address + (self._last_seq & self.buffer_mask)
        cdef SymbolInfo info = self.decoder.info(record)
        cdef dict table = self.handlers
        table.get(self.tick_type)
        table.get(info.tick_type)
        if self.batch_handlers:
            self.view(self._last_seq, 1)
        cdef TickData tick = build_tick(record, info, self._last_gateway)
        cdef Event event = Event.__new__(Event)
        event.type = info.tick_type
        event.data = tick
        self.rehearsals += 1
        return True

    def dispatch_segments(self, list segments):
        """Dispatch what EventHub.drain returned, in order: tick runs and producer messages."""
        cdef object segment
        cdef tuple fields
        for segment in segments:
            # TickRun(producer_id, start, size) or ProducerMessage(producer_id, kind, request_id, is_last,
            # payload): named tuples (cpp/python/register_hub.cpp), read here by position, the cheapest way
            fields = <tuple>segment
            producer_id = fields[0]
            entry = self.producers.get(producer_id)
            if type(segment) is _TickRun:
                gateway_name = entry[0] if entry is not None else ""
                self.dispatch_ticks(fields[1], fields[2], gateway_name)
            else:
                on_message = entry[1] if entry is not None else None
                if on_message is None:
                    if self.on_unhandled_message is not None:
                        self.on_unhandled_message(producer_id, fields[1], fields[2])
                    continue
                try:
                    on_message(fields[1], fields[2], fields[3], fields[4])
                except BaseException as exc:
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    self.on_error(on_message, Event("eMessage", segment))
