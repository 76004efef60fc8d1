"""optimize-harden: secure-by-construction configuration for Camunda Optimize."""

__version__ = "0.1.0"
