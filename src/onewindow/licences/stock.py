"""Generated stock licences for tests, benchmarks and demos (never real data).

Every row is valid: identifiers with their check character, ID numbers with theirs.
"""

import csv
import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path

from stdnum.cn import ric

from .identifiers import build_identifier

COLUMNS = ["identifier", "number", "holder_name", "holder_code", "issue_date", "valid_from",
           "valid_until", "fields"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
_CATEGORIES = ["预包装食品销售", "散装食品销售", "热食类食品制售", "冷食类食品制售",
               "糕点类食品制售"]


def _id_number(rng: random.Random) -> str:
    # 371002 (环翠区) exists since 1987: stdnum checks the place code against the birth year.
    born = dt.date(1987, 6, 1) + dt.timedelta(days=rng.randrange(0, 365 * 18))
    body = f"371002{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def stock_rows(
    count: int, *, type_code: str, issuer_code: str, seed: int = 903, serial_prefix: str = "S"
) -> Iterator[dict]:
    """``count`` person licences of one type and issuer, serials ``S0000001`` … ."""
    rng = random.Random(seed)
    for n in range(1, count + 1):
        issued = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 11))
        serial = f"{serial_prefix}{n:07d}"
        yield {
            "identifier": build_identifier(type_code=type_code, issuer_code=issuer_code,
                                           serial=serial, version=1),
            "number": f"JY{issuer_code[2:8]}{issued:%Y}{n:07d}",
            "holder_name": rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=2)),
            "holder_code": _id_number(rng),
            "issue_date": issued.isoformat(),
            "valid_from": issued.isoformat(),
            "valid_until": (issued + dt.timedelta(days=5 * 365)).isoformat(),
            "fields": {"category": rng.choice(_CATEGORIES)},
        }


def write_csv(path: str | Path, rows) -> int:
    written = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "fields": json.dumps(row["fields"], ensure_ascii=False)})
            written += 1
    return written


def write_jsonl(path: str | Path, rows) -> int:
    written = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
    return written
