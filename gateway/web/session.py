"""Login sessions of the web UI: the cookie, the CSRF token of forms, and the page guard.

The session cookie is HttpOnly, SameSite=Strict and (unless ``cookie_secure`` is off) Secure;
it carries 256 random bits whose SHA-256 the store keeps. Every form posts the session's CSRF
token; the login form, before any session exists, a double-submit token of its own cookie.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from gateway.api.deps import SESSION_COOKIE, StateDep
from gateway.auth.roles import Permission
from gateway.auth.secrets import same
from gateway.auth.service import Principal, principal_from_session
from gateway.settings import Settings

LOGIN_CSRF_COOKIE = "sg_login_csrf"


class LoginRequired(Exception):
    """Raised by the page guard; answered with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageForbidden(Exception):
    def __init__(self, principal: Principal) -> None:
        super().__init__(principal.username)
        self.principal = principal


class CsrfFailed(Exception):
    pass


def login_redirect(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='')}"


def set_session_cookie(response: Response, settings: Settings, secret: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )


def set_login_csrf(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/login",
    )


def current(request: Request, state: StateDep) -> Principal | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    with state.session_factory() as session:
        return principal_from_session(session, cookie, now=state.clock())


def page_user(permission: Permission) -> object:
    """A dependency for a page: the logged-in user whose role holds ``permission``."""

    def guard(request: Request, state: StateDep) -> Principal:
        principal = current(request, state)
        if principal is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target)
        if not principal.may(permission):
            raise PageForbidden(principal)
        return principal

    guard.permission = permission  # type: ignore[attr-defined]  # read by the role-matrix test
    return Depends(guard)


def form_user(permission: Permission) -> object:
    """A dependency for a form post: the page guard plus the session's CSRF token."""

    def guard(
        request: Request, state: StateDep, csrf: Annotated[str, Form(max_length=128)] = ""
    ) -> Principal:
        principal = current(request, state)
        if principal is None:
            raise LoginRequired(request.headers.get("referer", "/") or "/")
        if principal.csrf_token is None or not csrf or not same(csrf, principal.csrf_token):
            raise CsrfFailed
        if not principal.may(permission):
            raise PageForbidden(principal)
        return principal

    guard.permission = permission  # type: ignore[attr-defined]
    return Depends(guard)
