#!/usr/bin/python3
"""Reference decoding of DICOM string values by pydicom, for RadAI's character set tests.

Run with Debian's /usr/bin/python3 (package python3-pydicom; the python3 of PATH may lack pydicom).

  pydicom_charset_reference.py corpus OUTPUT.json
      For every file under pydicom's data/charset_files/ and every file under data/test_files/ that has
      a Specific Character Set (0008,0005): every string element of the file, sequences included, as
        path      tag path, e.g. "(0040,A730)[0]/(0010,0010)"
        vr        the VR pydicom used for the element
        raw       the undecoded value bytes as read from the file (base64)
        charset   raw bytes of the Specific Character Set in force for the element (base64): the item's
                  own, else the enclosing dataset's; null when there is none
        text      pydicom's decoded value: str() of the value, the values of a multi-valued element
                  joined with '\\'; "" for an empty value

  pydicom_charset_reference.py decode < CASES.json > RESULTS.json
      CASES is a JSON array of {"charset": base64 or null, "vr": "PN", "raw": base64}; each is decoded
      as the value of an element with that VR in a dataset with that Specific Character Set. RESULTS is
      an array of {"text": ..., "warnings": [...]} in the same order.

  pydicom_charset_reference.py tables OUTPUT.json
      The decoding by Python's codecs (those pydicom uses) of every byte of the single-byte codecs and
      every byte pair of the multi-byte ones: {codec: {"prefix": hex, "first": [lo, hi], "second": [lo,
      hi] or null, "cells": [text or null for an error, ...]}}.
"""

import base64
import glob
import json
import os
import sys
import warnings

import pydicom
from pydicom import config
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import Tag

STRING_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}
SPECIFIC_CHARACTER_SET = 0x00080005


def b64(data):
    return base64.b64encode(data).decode("ascii")


def text_of(value):
    if value is None:
        return ""
    if isinstance(value, (MultiValue, list, tuple)):
        return "\\".join(text_of(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        raise TypeError("pydicom left the value undecoded")
    return str(value)


def tag_text(tag):
    return "(%04X,%04X)" % (tag >> 16, tag & 0xFFFF)


# ---------------------------------------------------------------------------------------------- corpus

def walk(ds, inherited_charset, top_charset, prefix, out):
    charset = inherited_charset
    own = ds._dict.get(SPECIFIC_CHARACTER_SET)
    if own is not None:
        if isinstance(own, RawDataElement):
            charset = own.value or b""
        else:
            # dcmread converted the top-level one already; its raw bytes were captured on the way
            charset = top_charset if top_charset is not None else b""
    for tag in sorted(ds._dict.keys()):
        stored = ds._dict[tag]
        raw = None
        if isinstance(stored, RawDataElement):
            raw = stored.value if stored.value is not None else b""
        elif tag == SPECIFIC_CHARACTER_SET and top_charset is not None:
            raw = top_charset
        elem = ds[tag]
        path = prefix + tag_text(tag)
        if elem.VR == "SQ":
            for index, item in enumerate(elem.value or []):
                walk(item, charset, None, "%s[%d]/" % (path, index), out)
            continue
        if elem.VR not in STRING_VRS or raw is None:
            continue
        entry = {"path": path, "vr": elem.VR, "raw": b64(raw), "charset": None if charset is None else b64(charset)}
        try:
            entry["text"] = text_of(elem.value)
        except TypeError as error:
            entry["text"] = None
            entry["error"] = str(error)
        out.append(entry)


def read(path):
    captured = {}

    def capture(raw, **kwargs):
        if raw.tag == SPECIFIC_CHARACTER_SET and "top" not in captured:
            captured["top"] = raw.value if raw.value is not None else b""
        return raw

    config.data_element_callback = capture
    try:
        ds = pydicom.dcmread(path, force=True)
    finally:
        config.data_element_callback = None
    return ds, captured.get("top")


def corpus(output):
    data = os.path.join(os.path.dirname(pydicom.__file__), "data")
    files = sorted(glob.glob(os.path.join(data, "charset_files", "*.dcm")))
    files += sorted(glob.glob(os.path.join(data, "test_files", "**", "*"), recursive=True))
    result = []
    for path in files:
        if not os.path.isfile(path):
            continue
        relative = os.path.relpath(path, data)
        in_charset_folder = relative.startswith("charset_files" + os.sep)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                ds, top_charset = read(path)
                if not in_charset_folder and SPECIFIC_CHARACTER_SET not in ds._dict:
                    continue
                elements = []
                walk(ds, None, top_charset, "", elements)
            except Exception as error:  # not a DICOM file (README, dumps, JSON...)
                if in_charset_folder:
                    raise
                print("skipped %s: %s" % (relative, error), file=sys.stderr)
                continue
        result.append({
            "file": relative.replace(os.sep, "/"),
            "elements": elements,
            "warnings": sorted({str(w.message) for w in caught}),
        })
    with open(output, "w", encoding="utf-8") as stream:
        json.dump({"pydicom": pydicom.__version__, "files": result}, stream, ensure_ascii=True)


# ---------------------------------------------------------------------------------------------- decode

def decode_case(case):
    tag = Tag(0x00091010)  # private: no dictionary VR to get in the way
    raw = base64.b64decode(case["raw"])
    elements = {tag: RawDataElement(tag, case["vr"], len(raw), raw, 0, False, True)}
    if case.get("charset") is not None:
        charset = base64.b64decode(case["charset"])
        elements[Tag(SPECIFIC_CHARACTER_SET)] = RawDataElement(
            Tag(SPECIFIC_CHARACTER_SET), "CS", len(charset), charset, 0, False, True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            text = text_of(Dataset(elements)[tag].value)
        except Exception as error:
            return {"text": None, "error": "%s: %s" % (type(error).__name__, error)}
    return {"text": text, "warnings": [str(w.message) for w in caught]}


def decode():
    cases = json.load(sys.stdin)
    json.dump([decode_case(case) for case in cases], sys.stdout, ensure_ascii=True)


# ---------------------------------------------------------------------------------------------- tables

def cells(codec, prefix, first, second):
    out = []
    for lead in range(first[0], first[1] + 1):
        for trail in ([None] if second is None else range(second[0], second[1] + 1)):
            data = prefix + bytes([lead] if trail is None else [lead, trail])
            try:
                out.append(data.decode(codec))
            except UnicodeDecodeError:
                out.append(None)
    return {"prefix": prefix.hex(), "first": first, "second": second, "cells": out}


def tables(output):
    result = {}
    for codec in ["ascii", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7",
                  "iso8859_8", "iso8859_9", "iso8859_15", "tis_620"]:
        result[codec] = cells(codec, b"", [0, 255], None)
    result["shift_jis"] = cells("shift_jis", b"", [0x80, 0xFF], [0x00, 0xFF])
    result["euc_kr"] = cells("euc_kr", b"", [0x80, 0xFF], [0x80, 0xFF])
    result["gb2312"] = cells("gb2312", b"", [0x80, 0xFF], [0x80, 0xFF])
    result["gbk"] = cells("gbk", b"", [0x80, 0xFF], [0x30, 0xFF])
    result["gb18030"] = cells("gb18030", b"", [0x80, 0xFF], [0x30, 0xFF])
    result["gb18030 four-byte"] = {"cells": four_byte_gb18030()}
    result["iso2022_jp"] = cells("iso2022_jp", b"\x1b$B", [0x20, 0x7F], [0x20, 0x7F])
    result["iso2022_jp_2"] = cells("iso2022_jp_2", b"\x1b$(D", [0x20, 0x7F], [0x20, 0x7F])
    result["iso2022_jp_2 KS X 1001"] = cells("iso2022_jp_2", b"\x1b$(C", [0x21, 0x7E], [0x21, 0x7E])
    result["iso2022_jp_2 GB 2312"] = cells("iso2022_jp_2", b"\x1b$A", [0x21, 0x7E], [0x21, 0x7E])
    with open(output, "w", encoding="utf-8") as stream:
        json.dump(result, stream, ensure_ascii=True)


def four_byte_gb18030():
    # every BMP sequence 0x81308130-0x8431A439, and a sample of the supplementary ones
    out = []
    for index in list(range(39420)) + [39420, 39421, 50000]:
        sequence = bytes([0x81 + index // 12600, 0x30 + index // 1260 % 10, 0x81 + index // 10 % 126, 0x30 + index % 10])
        out.append([sequence.hex(), try_decode(sequence, "gb18030")])
    for scalar in [0x10000, 0x1F600, 0x10FFFF]:
        out.append([scalar_to_gb18030(scalar).hex(), chr(scalar)])
    for sequence in [b"\x90\x30\x81\x30", b"\xe3\x32\x9a\x35", b"\xe3\x32\x9a\x36", b"\xfe\x39\xfe\x39", b"\x84\x31\xa5\x30"]:
        out.append([sequence.hex(), try_decode(sequence, "gb18030")])
    return out


def scalar_to_gb18030(scalar):
    index = scalar - 0x10000
    return bytes([0x90 + index // 12600, 0x30 + index // 1260 % 10, 0x81 + index // 10 % 126, 0x30 + index % 10])


def try_decode(data, codec):
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "corpus":
        corpus(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "decode":
        decode()
    elif len(sys.argv) == 3 and sys.argv[1] == "tables":
        tables(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
