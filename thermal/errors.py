"""Errors the thermal library raises for bad input."""


class ThermalInputError(ValueError):
    """Input the physics cannot use: the message names what is wrong and how to fix it."""
