"""Authentication: API tokens, login sessions of the web UI, and managing users.

Every change here is written to the audit log with who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from gateway.auth.roles import Permission, allows
from gateway.auth.secrets import (
    IssuedSecret,
    Passwords,
    digest,
    new_csrf_token,
    new_session_secret,
    new_token,
)
from hrcore.enums import Role
from hrcore.errors import InvalidData, NotFound
from hrcore.store import AuditIn, record_audit
from hrcore.store.users import (
    UserIn,
    add_token,
    add_user,
    close_web_session,
    disable_user,
    get_user,
    open_web_session,
    set_password_hash,
    user_by_token,
    user_site,
    web_session_user,
)

SESSION_TTL = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    username: str
    role: Role
    #: "token", "session", or "legacy-token" (SHIFTGATE_API_TOKEN, a gateway)
    via: str
    #: the CSRF token of the web session (None for bearer tokens, which need none)
    csrf_token: str | None = None
    #: the site a gateway user is bound to: it may write only that site's clocks (None: any)
    site: str | None = None

    def may(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    @property
    def actor(self) -> str:
        return f"user:{self.username}"


@dataclass(frozen=True, slots=True)
class LoginResult:
    principal: Principal
    cookie_secret: str
    expires_at: datetime


def principal_from_token(session: Session, secret: str) -> Principal | None:
    user = user_by_token(session, digest(secret))
    if user is None:
        return None
    return Principal(
        username=user.username, role=user.role, via="token", site=user_site(session, user)
    )


def principal_from_session(session: Session, cookie: str, *, now: datetime) -> Principal | None:
    found = web_session_user(session, digest(cookie), now=now)
    if found is None:
        return None
    user, web = found
    return Principal(
        username=user.username, role=user.role, via="session", csrf_token=web.csrf_token
    )


def login(
    session: Session, passwords: Passwords, username: str, password: str, *, now: datetime
) -> LoginResult | None:
    """Open a web session for a right username and password (None otherwise, audited)."""
    try:
        user = get_user(session, username)
    except NotFound:  # verify anyway, so the timing does not tell which names exist
        passwords.verify(None, password)
        return None
    if not passwords.verify(user.password_hash, password) or user.disabled:
        record_audit(
            session,
            AuditIn(
                at=now,
                actor=f"user:{username}",
                action="login_failed",
                entity="user",
                entity_id=username,
            ),
        )
        return None
    issued = new_session_secret()
    expires = now + SESSION_TTL
    web = open_web_session(
        session,
        user,
        token_hash=issued.digest,
        csrf_token=new_csrf_token(),
        now=now,
        expires_at=expires,
    )
    record_audit(
        session,
        AuditIn(
            at=now, actor=f"user:{username}", action="login", entity="user", entity_id=username
        ),
    )
    principal = Principal(
        username=user.username, role=user.role, via="session", csrf_token=web.csrf_token
    )
    return LoginResult(principal=principal, cookie_secret=issued.secret, expires_at=expires)


def logout(session: Session, cookie: str) -> None:
    close_web_session(session, digest(cookie))


def create_user(
    session: Session,
    passwords: Passwords,
    *,
    username: str,
    role: Role,
    password: str | None,
    display_name: str,
    now: datetime,
    actor: str,
    site: str | None = None,
) -> None:
    try:
        password_hash = passwords.hash(password) if password is not None else None
    except ValueError as exc:
        raise InvalidData(str(exc)) from exc
    add_user(
        session,
        UserIn(
            username=username,
            role=role,
            display_name=display_name,
            password_hash=password_hash,
            site=site,
        ),
        now=now,
    )
    record_audit(
        session,
        AuditIn(
            at=now,
            actor=actor,
            action="user_add",
            entity="user",
            entity_id=username,
            detail={"role": role.value, "password": password is not None, "site": site},
        ),
    )


def change_password(
    session: Session,
    passwords: Passwords,
    username: str,
    password: str,
    *,
    now: datetime,
    actor: str,
) -> None:
    user = get_user(session, username)
    try:
        set_password_hash(session, user, passwords.hash(password))
    except ValueError as exc:
        raise InvalidData(str(exc)) from exc
    record_audit(
        session,
        AuditIn(at=now, actor=actor, action="user_password", entity="user", entity_id=username),
    )


def issue_token(
    session: Session, username: str, *, name: str, now: datetime, actor: str
) -> IssuedSecret:
    """A new API token of ``username``; only its digest is stored, the secret is returned once."""
    user = get_user(session, username)
    issued = new_token()
    add_token(session, user, name=name, token_hash=issued.digest, prefix=issued.prefix, now=now)
    record_audit(
        session,
        AuditIn(
            at=now,
            actor=actor,
            action="token_issue",
            entity="user",
            entity_id=username,
            detail={"name": name, "prefix": issued.prefix},
        ),
    )
    return issued


def enrol_gateway(
    session: Session,
    username: str,
    *,
    site: str | None,
    display_name: str,
    now: datetime,
    actor: str,
) -> str:
    """A gateway user without a password (bound to ``site``; None: any site) and its first API
    token, as ``shiftgate users add NAME --role gateway --site S --no-password`` then
    ``shiftgate users token NAME`` do; returns the token's secret (stored only as a digest)."""
    create_user(
        session,
        Passwords(),
        username=username,
        role=Role.GATEWAY,
        password=None,
        display_name=display_name,
        now=now,
        actor=actor,
        site=site,
    )
    return issue_token(session, username, name="box", now=now, actor=actor).secret


def disable(session: Session, username: str, *, now: datetime, actor: str) -> None:
    disable_user(session, username, now=now)
    record_audit(
        session,
        AuditIn(at=now, actor=actor, action="user_disable", entity="user", entity_id=username),
    )
