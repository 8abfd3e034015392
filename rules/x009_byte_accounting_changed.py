"""X009 byte-accounting-changed."""

from auditor.code import patterns
from auditor.findings import Confidence, Severity
from rules._code import PatternRule


class ByteAccountingChanged(PatternRule):
    """The tokenizer or the BPB byte accounting differs from the challenge's, with no proof here.

    Checks:
    ``len(piece) + 1`` in a byte table built from '▁' pieces (the leading-space byte counted in the
    table; the eval adds it again: high confidence); byte counts loaded from a file (``*byte*``,
    ``*lut*``, ``meta.npz`` sidecars: medium); tokenizer libraries other than SentencePiece (low).
    These need the proof the README asks for; the dynamic byte check can give it.

    Why:
    README: tokenizer changes must prove the val_bpb is computed correctly. #1698 lineage counted the
    space twice (+17% bytes, #1804); #1184 counted byte-fallback tokens as 3 bytes and was removed
    (#1806).

    Fails:
    ``base_bytes[i] = len(piece[1:].encode()) + 1`` for pieces starting with '▁'.

    Passes:
    The canonical table: strip '▁' into ``has_leading_space`` and count the rest's UTF-8 bytes.
    """

    id = "X009"
    name = "byte-accounting-changed"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    ruling = "CODE-TOKENIZER-PROOF"

    def find(self, code):
        for site, detail, conf in patterns.byte_accounting(code):
            yield site, f"{detail}: the byte count needs a proof", {"confidence": Confidence[conf.upper()]}
