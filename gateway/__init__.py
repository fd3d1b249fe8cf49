"""The on-site service: wires drivers to the store, serves the API and web UI, runs the CLI."""
