"""Self-extracting code is decoded, never run: chains, nesting, file execs, limits and bombs."""
from __future__ import annotations

import base64
import bz2
import gzip
import lzma
import zlib

import pytest

from auditor.code import unwrap
from auditor.code.index import build_index, parse
from auditor.code.unwrap import unwrap_source

PAYLOAD = "import os\nprint(os.environ.get('X', '1'))\n"


def stub(module: str, call: str, encoded: str, suffix: str = "") -> str:
    return f'import {module}, base64\nexec({call}(base64.{encoded}))' + suffix + "\n"


@pytest.mark.parametrize("module, compress, call", [
    ("lzma", lzma.compress, "lzma.decompress"),
    ("zlib", zlib.compress, "zlib.decompress"),
    ("gzip", gzip.compress, "gzip.decompress"),
    ("bz2", bz2.compress, "bz2.decompress"),
])
@pytest.mark.parametrize("b64", ["b85", "b64"])
def test_decodes_each_chain(module, compress, call, b64):
    data = getattr(base64, f"{b64}encode")(compress(PAYLOAD.encode())).decode()
    src = f'import {module}, base64\nexec({call}(base64.{b64}decode("{data}")).decode())\n'
    found = unwrap_source(src, "train_gpt.py")
    assert [p.source for p in found.payloads] == [PAYLOAD]
    assert found.payloads[0].layers[0].chain == (module, b64) and found.payloads[0].layers[0].line == 2


def test_raw_lzma_with_filters_and_aliases():
    raw = lzma.compress(PAYLOAD.encode(), format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])
    src = ('import lzma as L,base64 as B\nexec(L.decompress(B.b85decode("' + base64.b85encode(raw).decode()
           + '"),format=L.FORMAT_RAW,filters=[{"id":L.FILTER_LZMA2}]))\n')
    assert unwrap_source(src, "t.py").payloads[0].source == PAYLOAD


def test_brotli_and_concatenated_literals():
    brotli = pytest.importorskip("brotli")
    enc = base64.b85encode(brotli.compress(PAYLOAD.encode())).decode()
    half = len(enc) // 2
    src = f'import brotli as B,base64 as A\nexec(B.decompress(A.b85decode("{enc[:half]}" "{enc[half:]}")))\n'
    assert unwrap_source(src, "t.py").payloads[0].source == PAYLOAD


def test_nested_wrappers_name_each_level():
    inner = 'import zlib, base64\nexec(zlib.decompress(base64.b64decode("%s")))\n' % base64.b64encode(
        zlib.compress(PAYLOAD.encode())).decode()
    outer = 'import lzma, base64\nexec(lzma.decompress(base64.b85decode("%s")))\n' % base64.b85encode(
        lzma.compress(inner.encode())).decode()
    found = unwrap_source(outer, "train_gpt.py")
    assert [p.source for p in found.payloads] == [inner, PAYLOAD]
    assert found.payloads[1].chain == "lzma+b85 → zlib+b64"
    assert unwrap.virtual_path(found.payloads[1].layers) == "train_gpt.py[unwrapped:2]"


def test_decompression_bomb_is_a_clear_error_with_bounded_output(monkeypatch):
    monkeypatch.setattr(unwrap, "MAX_OUTPUT", 1 << 20)
    bomb = base64.b85encode(lzma.compress(b"#" * (8 << 20))).decode()
    found = unwrap_source(f'import lzma, base64\nexec(lzma.decompress(base64.b85decode("{bomb}")))\n', "t.py")
    assert found.payloads == []
    assert len(found.errors) == 1 and found.errors[0][0] == 2 and "decompression bomb" in found.errors[0][1]


def test_zlib_bomb_too(monkeypatch):
    monkeypatch.setattr(unwrap, "MAX_OUTPUT", 1 << 16)
    bomb = base64.b64encode(zlib.compress(b"\0" * (1 << 20))).decode()
    found = unwrap_source(f'import zlib, base64\nexec(zlib.decompress(base64.b64decode("{bomb}")))\n', "t.py")
    assert "decompression bomb" in found.errors[0][1]


def test_corrupt_payload_is_an_error():
    found = unwrap_source('import lzma, base64\nexec(lzma.decompress(base64.b85decode("abcdefgh")))\n', "t.py")
    assert found.payloads == [] and "cannot be decoded" in found.errors[0][1]


@pytest.mark.parametrize("src", [
    "exec(code)\n",  # a dynamic exec is not a wrapper
    "exec('x = 1')\n",  # a literal without a decoder
    "import os\nexec(os.system('rm -rf /'))\n",  # unknown functions are never called
    "exec(compile(open(p).read(), p, 'exec'))\n",
])
def test_non_wrappers_are_left_alone(src):
    found = unwrap_source(src, "t.py")
    assert found.payloads == [] and found.errors == []


def test_exec_of_a_sibling_file_joins_the_run_set():
    files = {"train_gpt.py": 'exec(open(__file__.replace("train_gpt.py", "train_gpt_decode.py")).read())\n',
             "train_gpt_decode.py": PAYLOAD, "prep.py": "import requests\n"}
    index = build_index(files)
    assert [m.path for m in index.run_set] == ["train_gpt.py", "train_gpt_decode.py"]


def test_index_follows_local_imports_and_wrappers_only():
    wrapped = base64.b85encode(lzma.compress(b"import helper\n")).decode()
    files = {"train_gpt.py": f'import lzma, base64\nexec(lzma.decompress(base64.b85decode("{wrapped}")))\n',
             "helper.py": "X = 1\n", "unused.py": "def f(:\n"}
    index = build_index(files)
    assert [m.path for m in index.run_set] == ["train_gpt.py", "train_gpt.py[unwrapped]", "helper.py"]
    assert index.problems == []  # unused.py is not parsed at all


def test_python312_fstrings_are_repaired_keeping_lines():
    src = 'x = 1\nfor c in d:log(f"  {c}: {", ".join(sorted(d[c]))}")\ny = 2\n'
    tree = parse(src)
    assert tree is not None and [n.lineno for n in tree.body] == [1, 2, 3]
    assert parse("def f(:\n") is None


def test_byte_order_mark_is_read_past():
    assert parse("\ufeffimport os\nx = 1\n").body[1].lineno == 2
