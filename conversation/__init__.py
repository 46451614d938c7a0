"""The conversation's owner: storage, turns, handoff, privacy, opening hours and system texts.

No FastAPI and no Rasa imports: ``bot/`` delivers what this package decides, ``actions/`` adapts
Rasa to it, and both reach the knowledge base only through ``knowledge/``.
"""
