"""Local peers: servers on loopback that speak each venue's real protocol (REST, WebSocket), written from the
venue's own documents and checked by third-party clients (ccxt, the venues' SDKs) in `tests/venues/fidelity`.

They ship with the package because every gateway ships with its peer: `vtcore run --sim --gateway NAME` starts
one (through the gateway's `sim.py`), the tests and benchmarks drive the gateways against them, and a user can
try a strategy with no account and no network. A peer imports nothing else of vtcore: it must not learn the
protocol from the gateway it tests.

`base.VenueServer` (aiohttp on its own loop thread, sessions, faults) and `matching.MatchingCore` (price-time
matching shared by every venue) are the common parts; each venue is one module.
"""
