"""Text on the wire: numbers as venues accept them, URLs, and a peek at a frame's first key."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal


def format_step(value: float, step: str) -> str:
    """`value` rounded to the nearest multiple of the venue's `step` (as the venue wrote it, e.g. "0.001"), as
    plain decimal text: 0.1 + 0.2 goes out as "0.3", not "0.30000000000000004", which venues refuse."""
    if not step or Decimal(step) <= 0:
        return format_number(value)
    quantum = Decimal(step)
    steps = (Decimal(repr(float(value))) / quantum).to_integral_value(ROUND_HALF_EVEN)
    return format(steps * quantum, "f")


def format_number(value: float) -> str:
    """A float as the shortest plain decimal text a venue accepts (no exponent, no trailing ".0")."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text[:-2] if text.endswith(".0") else text


def http_to_ws(url: str) -> str:
    """The WebSocket URL on the same host ("https://h" -> "wss://h")."""
    return "ws" + url[4:] if url.startswith("http") else url


def leading_string(raw: bytes, prefix: bytes) -> str | None:
    """The JSON string value right after `prefix` when `raw` starts with it (e.g. the stream name of
    `{"stream":"btcusdt@trade",...}`), so a frame can be decoded in one pass by a decoder chosen up front."""
    if not raw.startswith(prefix):
        return None
    end = raw.find(b'"', len(prefix))
    return raw[len(prefix) : end].decode() if end > 0 else None


def format_lots(value: float, step: str) -> str:
    """`value` as plain text when it is a whole number of the venue's `step`s; ValueError naming the step
    otherwise. An order's size is never rounded (rounding 150 to lots of 100 would buy 200)."""
    text = format_step(value, step)
    if (
        step
        and Decimal(step) > 0
        and abs(Decimal(text) - Decimal(repr(float(value)))) > Decimal(step) * Decimal("1e-9")
    ):
        raise ValueError(f"volume {format_number(value)} is not a multiple of the lot size {step}")
    return text
