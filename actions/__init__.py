"""Rasa custom actions: thin adapters from the conversation to the knowledge and rules code."""
