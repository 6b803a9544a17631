"""A fake FutuOpenD speaking Futu's protocol (`opend.FakeOpenD`); it needs futu-api's message definitions
(`pip install "vtcore[futu]"`)."""

from vtcore.peers.futu.opend import (
    PAPER_HK_ACCOUNT,
    PAPER_US_ACCOUNT,
    REAL_ACCOUNT,
    TEXT,
    TRADE_PASSWORD,
    USER_ID,
    FakeOpenD,
)

__all__ = [
    "PAPER_HK_ACCOUNT",
    "PAPER_US_ACCOUNT",
    "REAL_ACCOUNT",
    "TEXT",
    "TRADE_PASSWORD",
    "USER_ID",
    "FakeOpenD",
]
