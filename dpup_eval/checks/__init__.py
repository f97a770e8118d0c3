"""Checks of a data file against its contract: specs, the GX engine, identifiers, risk."""
