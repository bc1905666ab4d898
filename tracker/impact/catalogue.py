"""Product catalogues: CSV (the documented format), YAML or JSON -> validated Products, with one error per bad row.

A row that cannot be read exactly is rejected with its row number and field; nothing is guessed (a share of
"1,5x", a customs number with letters, an unknown country code). The other rows are still screened.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tracker.errors import TrackerError

FIELDS = ("sku", "name", "description", "hs_code", "materials", "made_in", "uses_chinese_technology",
          "destination", "end_use", "end_user")
YES = {"yes", "y", "true", "1", "是"}
NO = {"no", "n", "false", "0", "否"}


@dataclass(frozen=True)
class Material:
    name: str
    share: float | None  # % of the product's value; None when not given
    origin: str | None  # ISO 3166 alpha-2; None when not given


@dataclass(frozen=True)
class Product:
    row: int  # 1 = first data row
    sku: str
    name: str
    description: str = ""
    hs_code: str = ""  # digits only
    materials: tuple[Material, ...] = ()
    made_in: str | None = None
    uses_chinese_technology: bool | None = None
    destination: str | None = None
    end_use: str = ""
    end_user: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def text(self) -> str:
        """Everything the product says about itself, for term and form matching."""
        return " ".join([self.name, self.description] + [m.name for m in self.materials])


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str
    sku: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "sku": self.sku, "message": self.message}


class _Bad(Exception):
    def __init__(self, field_: str, message: str) -> None:
        super().__init__(message)
        self.field = field_


def country(value: str, field_: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    import pycountry  # lazy: only catalogues need it

    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        if value in ZH_COUNTRIES:
            return ZH_COUNTRIES[value]
        raise _Bad(field_, f"unknown country {value!r}; use an ISO code such as CN, US, JP, DE") from None


ZH_COUNTRIES = {"中国": "CN", "美国": "US", "日本": "JP", "德国": "DE", "韩国": "KR", "法国": "FR", "英国": "GB",
                "荷兰": "NL", "越南": "VN", "印度": "IN", "墨西哥": "MX", "马来西亚": "MY", "泰国": "TH"}


def hs_code(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _Bad("hs_code", f"{value!r} was read as a number (a leading 0 or a dot is lost); quote it in the "
                              f"file, e.g. \"0504101000\"")
    value = (value or "").strip()
    if not value:
        return ""
    digits = re.sub(r"[\s.]", "", value)
    if not digits.isdigit() or not 4 <= len(digits) <= 10:
        raise _Bad("hs_code", f"{value!r} is not a customs number (4 to 10 digits; dots and spaces allowed)")
    return digits


def share(value) -> float | None:
    if value is None:
        return None
    text = str(value).strip().removesuffix("%").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise _Bad("materials", f"share {value!r} is not a number (a dot for decimals: 0.8% or 0.8)") from None
    if not 0 <= number <= 100:
        raise _Bad("materials", f"share {value!r} is outside 0-100 % of the product's value")
    return number


def materials(value) -> tuple[Material, ...]:
    if not value:
        return ()
    entries = value if isinstance(value, list) else [e for e in str(value).split(";") if e.strip()]
    out = []
    for entry in entries:
        if isinstance(entry, dict):
            name, sh, origin = entry.get("material") or "", entry.get("share"), entry.get("origin") or ""
        else:
            parts = [p.strip() for p in str(entry).rsplit(":", 2)]
            if len(parts) != 3:
                raise _Bad("materials", f"{str(entry).strip()!r} is not material:share:origin "
                                        f"(e.g. Dy:0.8%:CN; leave a part empty if unknown: Dy::CN)")
            name, sh, origin = parts
        name = str(name).strip()
        if not name:
            raise _Bad("materials", f"{entry!r} names no material")
        out.append(Material(name, share(sh), country(str(origin or ""), "materials")))
    total = sum(m.share or 0 for m in out)
    if total > 100.0001:
        raise _Bad("materials", f"shares add up to {total:g} % of the value, more than 100 %")
    return tuple(out)


def flag(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise _Bad("uses_chinese_technology", f"{value!r} is not yes/no (leave empty if unknown)")


def product(row_no: int, raw: dict) -> Product:
    sku = str(raw.get("sku") or "").strip()
    if not sku:
        raise _Bad("sku", "empty sku")
    name = str(raw.get("name") or "").strip()
    if not name:
        raise _Bad("name", "empty name")
    return Product(row_no, sku, name, str(raw.get("description") or "").strip(), hs_code(raw.get("hs_code") or ""),
                   materials(raw.get("materials")), country(str(raw.get("made_in") or ""), "made_in"),
                   flag(raw.get("uses_chinese_technology")), country(str(raw.get("destination") or ""), "destination"),
                   str(raw.get("end_use") or "").strip(), str(raw.get("end_user") or "").strip(), raw)


def column(name: str) -> str:
    """'HS Code', 'hs-code', ' End use ' -> 'hs_code', 'end_use'."""
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def _rows(path: Path) -> list[dict]:
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise TrackerError(f"{path}: no such catalogue file") from None
    except UnicodeDecodeError as exc:
        raise TrackerError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        try:
            if suffix == ".json":
                data = json.loads(text)
            else:
                import yaml  # lazy

                data = yaml.safe_load(text)
        except Exception as exc:  # noqa: BLE001 - any parser error is one line naming the file
            raise TrackerError(f"{path}: cannot parse {suffix[1:].upper()}: {' '.join(str(exc).split())}") from None
        if isinstance(data, dict) and "products" in data:
            data = data["products"]
        if not isinstance(data, list):
            raise TrackerError(f"{path}: expected a list of products (mappings with {', '.join(FIELDS[:3])}, ...)")
        return [{column(k): v for k, v in d.items()} if isinstance(d, dict) else {"__not_a_mapping__": d}
                for d in data]
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    reader.fieldnames = [column(f) for f in (reader.fieldnames or [])]
    missing = [f for f in ("sku", "name") if f not in reader.fieldnames]
    if missing:
        raise TrackerError(f"{path}: the header has no {' or '.join(missing)} column (found: "
                           f"{', '.join(reader.fieldnames) or 'nothing'}; expected: {', '.join(FIELDS)})")
    return list(reader)


def unknown_columns(rows: list[dict]) -> list[str]:
    return sorted({k for r in rows for k in r if k not in FIELDS and k is not None and k != "__not_a_mapping__"})


def load_catalogue(path: str | Path) -> tuple[list[Product], list[RowError]]:
    """Read a catalogue; returns the good products and one error per bad row (row 1 = first data row)."""
    path = Path(path)
    products: list[Product] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    rows = _rows(path)
    for name in unknown_columns(rows):
        errors.append(RowError(0, name, f"{path.name}: column {name!r} is not one tracker reads and is ignored "
                                        f"(columns: {', '.join(FIELDS)})"))
    for row_no, raw in enumerate(rows, 1):
        sku = str(raw.get("sku") or "").strip()
        try:
            if "__not_a_mapping__" in raw:
                raise _Bad("row", f"entry {raw['__not_a_mapping__']!r} is not a mapping of column: value")
            if sku in seen:
                raise _Bad("sku", f"duplicate sku {sku!r} (first on row {seen[sku]})")
            item = product(row_no, raw)
        except _Bad as bad:
            errors.append(RowError(row_no, bad.field, f"{path.name} row {row_no} ({sku or 'no sku'}): "
                                                      f"{bad.field}: {bad}", sku))
            continue
        seen[sku] = row_no
        products.append(item)
    return products, errors
