"""Keeps units/loose a non-empty directory of plain code."""
