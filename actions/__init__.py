"""Rasa custom actions: thin adapters from the conversation to the knowledge and rules code.

The SDK imports this package at start-up, in the API process or in a standalone action
server; either way the conversation's commits (a handoff request) must reach the console's
live updates, so the change feed is started here.
"""

from conversation import changes

changes.register()
