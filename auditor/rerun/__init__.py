"""Re-runs: run a submission's own training command once per seed, in a sandbox, and compare what
it produces (log, artifact, times) with what the submission claims.

- ``plan``     : the command to run (the README's launch command, else the default torchrun one);
- ``runner``   : one sandboxed run per seed in a copy of the folder; output in ``outcome``;
- ``outcome``  : what the runs produced, as data (``rerun.json`` in the work directory);
- ``progress`` : live progress parsed from the log lines as they stream;
- ``probe``    : the software and hardware the runs had (Python, torch, CUDA, GPU, driver);
- ``receipt``  : a JSON receipt binding code, log and artifact hashes to the verdict, and its check.

The comparison itself is done by the rules of scope "rerun" (``rules/r0*.py``) over a Context
whose ``rerun`` attribute holds the outcome.
"""
