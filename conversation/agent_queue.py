"""Moved: the agents' queue is :func:`conversation.handoff.queue` (one owner for the queue).

Only bot/console/api.py still imports this name; once it imports ``queue`` from
:mod:`conversation.handoff`, delete this module.
"""

from __future__ import annotations

from conversation.handoff import queue as agent_queue
from conversation.handoff import waiting_since

__all__ = ["agent_queue", "waiting_since"]
