"""The bundler's text transforms (the shipped bundle itself is checked in test_submission.py)."""

import ast

import pytest

from reference_model import bundle


def test_rename_touches_names_and_fstring_fields_only():
    src = ('MAGIC = 1\n'
           'def f(obj):\n'
           '    return obj.MAGIC + MAGIC, f"{MAGIC}: {obj.MAGIC} {MAGICAL}", "MAGIC", MAGICAL\n')
    out = bundle._rename(src, {"MAGIC": "_data_MAGIC"})
    assert out == ('_data_MAGIC = 1\n'
                   'def f(obj):\n'
                   '    return obj.MAGIC + _data_MAGIC, f"{_data_MAGIC}: {obj.MAGIC} {MAGICAL}", "MAGIC", MAGICAL\n')


def test_multiline_fstring_with_a_renamed_name_is_refused():
    src = 'X = 1\ns = f"""\n{X}\n"""\n'
    with pytest.raises(bundle.BundleError):
        bundle._rename(src, {"X": "_m_X"})


def test_defined_and_internal_imports():
    tree = ast.parse("import os\nfrom reference_model.data import read_shard\nA, (B, C) = 1, (2, 3)\n"
                     "class K: pass\ndef g(): pass\nfrom numpy import zeros\n")
    assert bundle._defined(tree) == {"A", "B", "C", "K", "g"}
    assert [n.module for n in bundle._internal_imports(tree)] == ["reference_model.data"]


def test_bundle_is_one_standalone_module():
    text = bundle.build()
    tree = ast.parse(text)
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.col_offset == 0}
    assert not imported & set(bundle.MODULES)
    assert text.count("from __future__ import annotations") == 1
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert len(names) == len(set(names))  # no definition shadows another
    assert text.rstrip().endswith('if __name__ == "__main__":\n    main()')
