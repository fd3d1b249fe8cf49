from tests.gateway.api.fixtures import api, demo_api

__all__ = ["api", "demo_api"]
