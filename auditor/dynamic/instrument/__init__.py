"""Instrumentation loaded into the child before the submission's script (see ``boot``)."""
