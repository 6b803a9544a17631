"""OKX v5 gateways: OKEX (spot) and OKEXF (perpetual swaps and futures).

`schemas.py` (wire Structs), `parse.py` (wire -> vtcore), `gateway.py` (the OKX base on the venue base),
`markets.py` (one class per market).
"""

from vtcore.gateways.okx.markets import OkexfGateway, OkexGateway

__all__ = ["OkexGateway", "OkexfGateway"]
