"""X007 network-access."""

from auditor.code import patterns
from auditor.findings import Confidence, Severity
from rules._code import PatternRule


class NetworkAccess(PatternRule):
    """The code the run executes reaches the network or downloads.

    Checks:
    In ``train_gpt.py``, what it decodes or execs and the folder's modules it imports: calls of
    ``hf_hub_download``, ``snapshot_download``, ``urlopen``, ``load_dataset``, ``requests``, sockets,
    and shell calls (``subprocess``, ``os.system``) of curl, wget, pip or git (error); imports of
    network modules without such a call (warning, medium). Prep scripts the run does not import are
    not checked (downloading the dataset there is fine).

    Why:
    README: no external downloads or network calls during evaluation; the artifact must be
    self-contained.

    Fails:
    ``subprocess.run(["pip", "install", "flash-attn"])`` or ``hf_hub_download(...)`` in ``train_gpt.py``.

    Passes:
    ``hf_hub_download`` only in ``cached_challenge_fineweb.py``, which the run does not import.
    """

    id = "X007"
    name = "network-access"
    severity = Severity.ERROR
    ruling = "CODE-NETWORK"

    def find(self, code):
        for site, detail, is_call in patterns.network(code):
            yield site, f"the run {detail}", {} if is_call else {
                "severity": Severity.WARNING, "confidence": Confidence.MEDIUM}
