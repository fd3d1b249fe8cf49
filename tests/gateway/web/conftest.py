from tests.gateway.api.fixtures import demo_api

__all__ = ["demo_api"]
