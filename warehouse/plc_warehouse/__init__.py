"""PLC Suite warehouse sink: `plc warehouse` lands every documented event topic in DuckDB."""
