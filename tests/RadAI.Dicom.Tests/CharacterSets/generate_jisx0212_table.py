#!/usr/bin/python3
"""Writes shared/RadAI.Dicom/CharacterSets/JisX0212Table.cs: JIS X 0212-1990 to Unicode.

.NET has no code page with JIS X 0212 (ISO 2022 IR 159), so the table comes from the mapping of
Python's iso2022_jp_2 codec, the one pydicom decodes ESC $ ( D fragments with. Run from the repository
root with any Python 3:  python3 tests/RadAI.Dicom.Tests/CharacterSets/generate_jisx0212_table.py
CodecTablesTests checks the result against Python cell by cell.
"""

import os
import unicodedata

OUTPUT = os.path.join("shared", "RadAI.Dicom", "CharacterSets", "JisX0212Table.cs")


def decode(row, cell):
    try:
        text = bytes([0x1B, 0x24, 0x28, 0x44, row, cell]).decode("iso2022_jp_2")
    except UnicodeDecodeError:
        return None
    assert len(text) == 1
    return text


def literal(char):
    if char is None:
        return "\\0"
    code = ord(char)
    if char in '"\\':
        return "\\" + char
    if 0x20 <= code < 0x7F:
        return char
    category = unicodedata.category(char)
    if category[0] in "LNPS" and (category != "Lm" or code >= 0x3000):
        return char
    return "\\u%04X" % code


def main():
    lines = [
        "namespace RadAI.Dicom;",
        "",
        "/// <summary>",
        "/// JIS X 0212-1990 (supplementary kanji, ISO 2022 IR 159) to Unicode: one string of 94 cells per row 0x21–0x7E,",
        "/// cell 0x21 first, NUL where the code is not assigned; an empty string for a row without assignments.",
        "/// .NET has no code page with JIS X 0212, so this table is generated (from the mapping of Python's",
        "/// iso2022_jp_2 codec, which pydicom uses) by tests/RadAI.Dicom.Tests/CharacterSets/generate_jisx0212_table.py.",
        "/// </summary>",
        "internal static class JisX0212Table",
        "{",
        "    /// <summary>The 94 rows.</summary>",
        "    internal static readonly string[] Rows =",
        "    [",
    ]
    for row in range(0x21, 0x7F):
        cells = [decode(row, cell) for cell in range(0x21, 0x7F)]
        if all(c is None for c in cells):
            lines.append('        "", // row 0x%02X' % row)
        else:
            lines.append('        "%s"' % "".join(literal(c) for c in cells[:47]))
            lines.append('            + "%s", // row 0x%02X' % ("".join(literal(c) for c in cells[47:]), row))
    lines += ["    ];", "}", ""]
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as stream:
        stream.write("\n".join(lines))


if __name__ == "__main__":
    main()
