"""``/metrics``: Prometheus text exposition of this instance's own registry."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST

from gateway.api.deps import MetricsDep, require
from gateway.auth.roles import Permission

router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics", include_in_schema=False, dependencies=[Depends(require(Permission.METRICS))]
)
def get_metrics(metrics: MetricsDep) -> Response:
    """Needs a token of any role (Prometheus: ``authorization: {credentials: ...}``)."""
    return Response(content=metrics.render(), media_type=CONTENT_TYPE_LATEST)
