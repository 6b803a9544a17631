"""The Thost family's codes that the shared gateway logic (gateway.py, mapping.py here) uses.

The same values in CTP and CTP-Mini (their headers define each with the same text); tests/sdk/test_thost.py
holds every one to the generated `_ctp_types` and `_mini_types` modules, so a header that changed one would be
noticed. Names are the headers'.
"""

from __future__ import annotations

from typing import Final

THOST_FTDC_AF_Delete: Final = "0"
THOST_FTDC_CC_Immediately: Final = "1"
THOST_FTDC_CP_CallOptions: Final = "1"
THOST_FTDC_CP_PutOptions: Final = "2"
THOST_FTDC_D_Buy: Final = "0"
THOST_FTDC_D_Sell: Final = "1"
THOST_FTDC_FCC_NotForceClose: Final = "0"
THOST_FTDC_HF_Speculation: Final = "1"
THOST_FTDC_OF_Close: Final = "1"
THOST_FTDC_OF_CloseToday: Final = "3"
THOST_FTDC_OF_CloseYesterday: Final = "4"
THOST_FTDC_OF_Open: Final = "0"
THOST_FTDC_OPT_AnyPrice: Final = "1"
THOST_FTDC_OPT_BestPrice: Final = "3"
THOST_FTDC_OPT_FiveLevelPrice: Final = "G"
THOST_FTDC_OPT_LimitPrice: Final = "2"
THOST_FTDC_OSS_InsertRejected: Final = "4"
THOST_FTDC_OST_AllTraded: Final = "0"
THOST_FTDC_OST_Canceled: Final = "5"
THOST_FTDC_OST_NoTradeNotQueueing: Final = "4"
THOST_FTDC_OST_NoTradeQueueing: Final = "3"
THOST_FTDC_OST_NotTouched: Final = "b"
THOST_FTDC_OST_PartTradedNotQueueing: Final = "2"
THOST_FTDC_OST_PartTradedQueueing: Final = "1"
THOST_FTDC_OST_Touched: Final = "c"
THOST_FTDC_OST_Unknown: Final = "a"
THOST_FTDC_PC_Combination: Final = "3"
THOST_FTDC_PC_Futures: Final = "1"
THOST_FTDC_PC_Options: Final = "2"
THOST_FTDC_PC_Spot: Final = "4"
THOST_FTDC_PC_SpotOption: Final = "6"
THOST_FTDC_PD_Long: Final = "2"
THOST_FTDC_PD_Net: Final = "1"
THOST_FTDC_PD_Short: Final = "3"
THOST_FTDC_PSD_History: Final = "2"
THOST_FTDC_TC_GFD: Final = "3"
THOST_FTDC_TC_IOC: Final = "1"
THOST_FTDC_VC_AV: Final = "1"
THOST_FTDC_VC_CV: Final = "3"
THOST_TERT_RESTART: Final = 0
