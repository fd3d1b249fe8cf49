"""Configuration files: the site and its clocks, the gateway service, and writing them
into the store."""
