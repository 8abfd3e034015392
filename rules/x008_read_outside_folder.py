"""X008 read-outside-folder."""

from auditor.code import patterns
from auditor.findings import Confidence, Severity
from rules._code import PatternRule


class ReadOutsideFolder(PatternRule):
    """The code reads files outside its folder and the data path.

    Checks:
    ``open``, ``np.load``/``fromfile``/``memmap``, ``torch.load``, ``glob``, ``Path`` and the like on
    a literal absolute or home path (``/``, ``~``) other than temporary locations (``/tmp``,
    ``/dev/shm``). The data and tokenizer paths come from ``DATA_PATH``/``TOKENIZER_PATH`` and are
    not literals here. A literal path may be a harmless default, hence a warning.

    Why:
    README: the artifact must be self-contained; anything read from elsewhere is uncounted side
    information.

    Fails:
    ``torch.load("/workspace/teacher.pt")``.

    Passes:
    ``np.fromfile(os.path.join(args.data_path, "fineweb_val_000000.bin"))``.
    """

    id = "X008"
    name = "read-outside-folder"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    ruling = "CODE-OUTSIDE-READS"

    def find(self, code):
        for site, detail in patterns.outside_reads(code):
            yield site, f"the run {detail}, outside its folder and the data path", {}
