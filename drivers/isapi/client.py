"""HTTP(S) client of one ISAPI terminal: digest authentication, timeouts, errors translated
to the driver's (401 -> :class:`AuthRejected`, transport -> :class:`DeviceUnreachable`)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from drivers.errors import DeviceUnreachable, ProtocolViolation
from drivers.isapi.codec import IsapiError, auth_error, check_status, load_json


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    user: str
    password: str
    scheme: str = "http"
    timeout_s: float = 10.0
    verify_tls: bool = True

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


class IsapiClient:
    def __init__(self, endpoint: Endpoint, *, transport: httpx.BaseTransport | None = None) -> None:
        self.endpoint = endpoint
        self._http = httpx.Client(
            base_url=endpoint.base_url,
            auth=httpx.DigestAuth(endpoint.user, endpoint.password),
            timeout=endpoint.timeout_s,
            verify=endpoint.verify_tls,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def request(
        self, method: str, path: str, *, body: bytes | None = None, json_format: bool = False
    ) -> bytes:
        params = {"format": "json"} if json_format else None
        headers = {"Content-Type": "application/json" if json_format else "application/xml"}
        try:
            resp = self._http.request(
                method, path, params=params, content=body, headers=headers if body else None
            )
        except httpx.HTTPError as exc:
            e = self.endpoint
            raise DeviceUnreachable(e.host, e.port, f"{type(exc).__name__}: {exc}") from exc
        where = f"{self.endpoint.host}:{self.endpoint.port}"
        if resp.status_code in (401, 403):
            raise auth_error(resp.status_code, where)
        if resp.status_code >= 400:
            if json_format and resp.content:
                try:
                    check_status(load_json(resp.content, path), f"{method} {path}")
                except ProtocolViolation as exc:
                    if isinstance(exc, IsapiError):
                        raise
            raise IsapiError(f"{method} {path} on {where}: HTTP {resp.status_code}")
        return resp.content
