"""Factories for the evaluation app."""

from __future__ import annotations
