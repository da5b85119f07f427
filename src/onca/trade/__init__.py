"""Legal-trade monitoring: CITES Trade Database exports loaded through the data contract
(tables ``cites_comptab`` and ``cites_shipments``) with units harmonised, mirror discrepancies
between exporters' and importers' reports, and shifts of declared source from wild to
captive-bred. See docs/trade.md."""

from onca.trade._read import TradeData, read_trade, trade_lists

__all__ = ["TradeData", "read_trade", "trade_lists"]
