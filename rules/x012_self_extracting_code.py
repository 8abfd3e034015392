"""X012 self-extracting-code."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip


class SelfExtractingCode(Rule):
    """The code ships as a compressed self-extracting stub; it is decoded (never run) and audited.

    Checks:
    Every ``exec``/``eval`` of a literal decoding chain (lzma, zlib, gzip, bz2, brotli, base64/85),
    nested, is decoded with an output limit. Information: the wrapper's size and the decoded code's
    size, the two counted-code conventions (B003 compares them with the logs). Error: a payload that
    cannot be decoded, expands beyond the limit (decompression bomb) or does not parse, so its code
    escapes the audit (for a script copied into a log, when the folder ships none, only a note).

    Why:
    Merged records from #1530 on ship lzma/brotli+base85 stubs and count the code that way
    (CODE-SELF-EXTRACTING, conditional); reviewers asked for readable source (#1804). Code that
    cannot be decoded cannot be checked against any rule.

    Fails:
    ``exec(lzma.decompress(base64.b85decode("…")))`` whose payload expands to gigabytes.

    Passes:
    A plain ``train_gpt.py`` (nothing to report), or a stub that decodes to valid Python (information).
    """

    id = "X012"
    name = "self-extracting-code"
    severity = Severity.ERROR
    ruling = "CODE-SELF-EXTRACTING"

    def check(self, ctx):
        code = ctx.code
        if not code.files and not code.unread:
            raise Skip("no Python code in the folder")
        index = code.index
        if not index.wrapped and not index.problems and not code.unread:
            raise Skip("no self-extracting code, and every file parsed")
        innermost = {}
        for m in index.wrapped:  # nested stubs: one note per shipped file, for its innermost code
            key = (m.layers[0].path, m.layers[0].line)
            if len(m.layers) > len(innermost.get(key, m).layers) or key not in innermost:
                innermost[key] = m
        for m in innermost.values():
            outer, inner = m.layers[0], m.layers[-1]
            yield self.finding(f"{outer.path} is a self-extracting stub ({' → '.join('+'.join(x.chain) for x in m.layers)}): "
                               f"{outer.wrapped_bytes:,} bytes as shipped, {inner.unwrapped_bytes:,} bytes decoded; "
                               f"audited as {m.path}", path=outer.path, line=outer.line, value=outer.wrapped_bytes,
                               unit="bytes", severity=Severity.INFO)
        for path, line, message in index.problems:
            if path == code.embedded:  # a log's copy of the script, not the submission: evidence only
                yield self.evidence(f"the script embedded in {path} is {message}", path=path, line=line)
            else:
                yield self.finding(f"{path}: {message}; this code is not audited", path=path, line=line)
        for path, why in code.unread:
            yield self.finding(f"{path} not read ({why}); this code is not audited", path=path)
