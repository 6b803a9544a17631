"""A fake TWS on IB's socket-API wire (see `tws.py`)."""

from vtcore.peers.ib.contracts import AAPL, DEFAULT_CONTRACTS, ES, EURUSD, MSFT, ContractSpec
from vtcore.peers.ib.tws import FakeTws, TwsFaults

__all__ = ["AAPL", "DEFAULT_CONTRACTS", "ES", "EURUSD", "MSFT", "ContractSpec", "FakeTws", "TwsFaults"]
