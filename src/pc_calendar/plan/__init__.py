"""Plan model and loading."""

from .model import Plan

__all__ = ["Plan"]
