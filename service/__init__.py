"""Lyssna: self-hosted 'Lyssna på sidan' (listen to this page) for Swedish public-sector sites."""
from __future__ import annotations

__version__ = "0.1.0"


def create_app(config: dict | None = None):
    """Flask app factory (see service.web.app); imported lazily so non-web modules never load Flask."""
    from service.web.app import create_app as _create_app

    return _create_app(config)


__all__ = ["create_app", "__version__"]
