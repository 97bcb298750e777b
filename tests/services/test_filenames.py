"""Uploaded file names: one rule for every upload, proved over generated names."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.filenames import MAX_LENGTH, clean_filename

BIDI_AND_INVISIBLE = [
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u2028",
    "\u2029",
]
CONTROLS = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))]


def _is_safe(name: str) -> bool:
    return (
        bool(name)
        and len(name) <= MAX_LENGTH
        and not name.startswith((".", " "))
        and "/" not in name
        and "\\" not in name
        and not any(c in name for c in '"<>|:*?')
        and not any(
            unicodedata.category(c) in {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"} for c in name
        )
    )


@pytest.mark.parametrize("char", BIDI_AND_INVISIBLE + CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_invisible_and_control_characters_are_removed(char):
    cleaned = clean_filename(f"invoice{char}fdp.exe", extension=".pdf", default="x")
    # Whitespace controls and line separators become a plain space; the rest disappear.
    assert cleaned == ("invoice fdp.pdf" if char.isspace() else "invoicefdp.pdf")


@pytest.mark.parametrize(
    ("raw", "extension", "expected"),
    [
        ("a.exe", ".jpg", "a.jpg"),
        ("photo.JPG", ".jpg", "photo.jpg"),
        ("合同.pdf.exe", ".pdf", "合同.pdf"),
        ("scan.png", ".pdf", "scan.pdf"),
        ("no-extension", ".png", "no-extension.png"),
        ("../../etc/passwd", ".pdf", "passwd.pdf"),
        ("C:\\Users\\x\\证明.pdf", ".pdf", "证明.pdf"),
        ("...hidden", ".pdf", "hidden.pdf"),
        (".htaccess", ".png", "htaccess.png"),
        ("  spaced\tout  .pdf", ".pdf", "spaced out.pdf"),
        ('a"b<c>d|e:f*g?h.pdf', ".pdf", "a_b_c_d_e_f_g_h.pdf"),
        ("", ".pdf", "证明材料.pdf"),
        (".", ".jpg", "证明材料.jpg"),
        ("\u202e", ".jpg", "证明材料.jpg"),
        ("x" * 500 + ".pdf", ".pdf", "x" * (MAX_LENGTH - 4) + ".pdf"),
        ("采购合同.pdf", None, "采购合同.pdf"),
    ],
)
def test_examples(raw, extension, expected):
    assert clean_filename(raw, extension=extension, default="证明材料") == expected


@settings(max_examples=500, deadline=None, database=None, derandomize=True)
@given(
    raw=st.one_of(
        st.text(max_size=300),
        st.lists(
            st.sampled_from(
                [*BIDI_AND_INVISIBLE[:6], "/", "\\", ".", " ", "..", "a", "合同", ".exe", ".pdf"]
            ),
            max_size=20,
        ).map("".join),
    ),
    extension=st.sampled_from([".pdf", ".jpg", ".png", ".xlsx", ".csv"]),
)
def test_whatever_the_name_the_result_is_safe_and_ends_with_the_sniffed_extension(raw, extension):
    name = clean_filename(raw, extension=extension, default="证明材料")
    assert _is_safe(name), repr(name)
    assert name.endswith(extension) and len(name) > len(extension)
    assert clean_filename(name, extension=extension, default="证明材料") == name
