pytest_plugins = ["plc_shared.testing"]
