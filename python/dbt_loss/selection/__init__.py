"""Choosing a loss: train candidates on one split and rank them by a validation metric."""

from .metrics import METRICS, SelectionError
from .select import LeaderboardRow, SelectionResult, select_loss

__all__ = ["METRICS", "LeaderboardRow", "SelectionError", "SelectionResult", "select_loss"]
