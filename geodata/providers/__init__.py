"""Online geocoding providers (geopy). Off by default; see docs/geocoding.md."""

from __future__ import annotations

from geodata.providers.base import Provider

__all__ = ["Provider"]
