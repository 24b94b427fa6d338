"""Connectors: parse and normalize what ERP, WMS and courier systems send into EventDrafts."""
