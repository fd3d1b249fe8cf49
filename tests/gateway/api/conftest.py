from tests.gateway.api.fixtures import api

__all__ = ["api"]
