"""The CI gate: what a pull request changed, the one record folder it adds, audited.

``run_gate`` is the whole flow; ``changes`` models the change set the gate rules (G001…) read,
``git`` is the read-only git client and ``extract`` writes the candidate folder from the PR head.
"""
