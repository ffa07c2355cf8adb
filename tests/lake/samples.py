"""Sample files for the lake's reader/ingest tests, written into pytest's tmp_path."""

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq

DATA = Path(__file__).parent / "data"
TOURIST_CP949 = DATA / "tourist-attractions-standard-cp949.csv"


def write_csv(path: Path, rows, *, encoding="utf-8", delimiter=",", newline="\n") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows, *, merged=(), sheet="Sheet1") -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for ref in merged:
        ws.merge_cells(ref)
    book.save(path)
    return path


def table(version):
    """The published data of a version as a pyarrow Table."""
    return pq.read_table(version.files[0])
