"""extract: numeric claims from Chinese school-education policy articles."""
__version__ = "0.1.0"
