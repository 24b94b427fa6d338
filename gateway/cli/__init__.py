"""The `orderlens` command, a client of the gateway: one module per command group (`orderlens`
for demo, serve, migrate, verify, rebuild and export-schema; `admin`, `keys`, `keys_generate`,
`ops`)."""

from gateway.cli.orderlens import main

__all__ = ["main"]
