"""vtcore._mini: CTP-Mini market-data and trader APIs on a vendor library loaded by path; the Python API of
vtcore._ctp (its stub describes it)."""

from vtcore._ctp import API_VERSION as API_VERSION
from vtcore._ctp import DEPTH_MARKET_DATA_SIZE as DEPTH_MARKET_DATA_SIZE
from vtcore._ctp import LibraryError as LibraryError
from vtcore._ctp import MdApi as MdApi
from vtcore._ctp import TraderApi as TraderApi
from vtcore._ctp import VersionMismatchError as VersionMismatchError
from vtcore._ctp import convert_tick as convert_tick
from vtcore._ctp import version_matches as version_matches
