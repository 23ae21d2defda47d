"""What one Flask app keeps: the process's Services and the parts only the web layer needs.

Built once in `create_app` and stored whole in `app.extensions["lyssna"]`; views reach it through
`state()`, never through string keys, and nothing is added to it later.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from service.reading.services import Services
from service.store.logins import LoginAttempts
from service.store.sessions import AdminSessions
from service.work.batches import Batches

from .limits import ClientLimits


@dataclass(frozen=True)
class WebState:
    services: Services
    batches: Batches  # admin pre-generation runs (queue or threads)
    login_attempts: LoginAttempts  # the admin lockout, shared by the UI and the API (SQLite)
    sessions: AdminSessions  # live admin UI sessions (SQLite)
    limits: ClientLimits  # new readings and posted bytes per client


def state() -> WebState:
    """The current app's WebState (inside a request or app context)."""
    return current_app.extensions["lyssna"]


def services() -> Services:
    """The current app's Services (inside a request or app context)."""
    return state().services
