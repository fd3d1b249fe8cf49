"""Users, their API tokens and web sessions. Secrets never reach this module: the caller
hashes passwords (argon2id) and tokens (SHA-256) and passes the hashes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hrcore.errors import InvalidData, NotFound
from hrcore.models import ApiToken, Role, Site, User, WebSession

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True, slots=True)
class UserIn:
    username: str
    role: Role
    display_name: str = ""
    #: argon2id hash; None: the user authenticates with API tokens only
    password_hash: str | None = None
    #: site code a gateway user is bound to (it may write only that site's clocks)
    site: str | None = None


@dataclass(frozen=True, slots=True)
class UserView:
    username: str
    display_name: str
    role: Role
    disabled: bool
    has_password: bool
    tokens: int
    site: str | None = None


def add_user(session: Session, user: UserIn, *, now: datetime) -> User:
    if not _USERNAME.match(user.username):
        raise InvalidData(
            f"username {user.username!r} is not valid; use 2-64 lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    if session.scalar(select(User.id).where(User.username == user.username)) is not None:
        raise InvalidData(f"user {user.username!r} exists already; pick another name")
    site_id = None
    if user.site is not None:
        if user.role is not Role.GATEWAY:
            raise InvalidData(
                f"only a gateway user is bound to a site; drop --site or use --role gateway "
                f"for {user.username!r}"
            )
        site_id = session.scalar(select(Site.id).where(Site.code == user.site))
        if site_id is None:
            raise NotFound(
                f"no site {user.site!r}; apply its site.yaml first (shiftgate config apply)"
            )
    row = User(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        password_hash=user.password_hash,
        disabled=False,
        created_at=now,
        site_id=site_id,
    )
    session.add(row)
    session.flush()
    return row


def get_user(session: Session, username: str) -> User:
    row = session.scalar(select(User).where(User.username == username))
    if row is None:
        raise NotFound(f"no user {username!r}; add one with `shiftgate users add {username}`")
    return row


def list_users(session: Session) -> list[UserView]:
    views = []
    for user in session.scalars(select(User).order_by(User.username)):
        tokens = session.scalars(
            select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ).all()
        views.append(
            UserView(
                username=user.username,
                display_name=user.display_name,
                role=user.role,
                disabled=user.disabled,
                has_password=user.password_hash is not None,
                tokens=len(tokens),
                site=user_site(session, user),
            )
        )
    return views


def user_site(session: Session, user: User) -> str | None:
    """The code of the site a user is bound to, or None."""
    if user.site_id is None:
        return None
    return session.scalar(select(Site.code).where(Site.id == user.site_id))


def set_password_hash(session: Session, user: User, password_hash: str) -> None:
    user.password_hash = password_hash
    session.flush()


def disable_user(session: Session, username: str, *, now: datetime) -> User:
    """Disable a user: their tokens are revoked and their web sessions closed."""
    user = get_user(session, username)
    user.disabled = True
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    return user


def add_token(
    session: Session, user: User, *, name: str, token_hash: str, prefix: str, now: datetime
) -> ApiToken:
    if user.disabled:
        raise InvalidData(f"user {user.username!r} is disabled; it gets no new tokens")
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash, prefix=prefix, created_at=now)
    session.add(row)
    session.flush()
    return row


def user_by_token(session: Session, token_hash: str) -> User | None:
    """The enabled user owning this unrevoked token, or None."""
    return session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            User.disabled.is_(False),
        )
    )


def open_web_session(
    session: Session,
    user: User,
    *,
    token_hash: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> WebSession:
    row = WebSession(
        user_id=user.id,
        token_hash=token_hash,
        csrf_token=csrf_token,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


def web_session_user(
    session: Session, token_hash: str, *, now: datetime
) -> tuple[User, WebSession] | None:
    """The enabled user of an unexpired web session, with the session, or None."""
    row = session.execute(
        select(User, WebSession)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            WebSession.token_hash == token_hash,
            WebSession.expires_at > now,
            User.disabled.is_(False),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def close_web_session(session: Session, token_hash: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))
