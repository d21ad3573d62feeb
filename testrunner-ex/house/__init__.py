"""Layered sample package: class layers, instance layers, string layers."""
