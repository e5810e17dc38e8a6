"""The FEC bulk individual-contributions file (itcont.txt) into contributions.

Pipe-delimited, no header, 21 columns. The file is read line by line (constant memory, so
multi-gigabyte files are fine); only rows of one committee are imported. The processor id is
SUB_ID, so importing the same file again adds nothing. Memo rows (MEMO_CD "X") are kept but
flagged ``is_memo`` so totals leave them out; 22Y refunds are applied to the original when
OTHER_ID/TRAN_ID link them, else kept as a refunded contribution with a note. Every rejected row
is reported with its line, column and reason; valid rows are imported regardless.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from nameparser import HumanName

from groundswell.donations.actblue import MAX_CENTS
from groundswell.donations.csv_import import ImportResult, RowError, _RowProblem
from groundswell.donations.models import Contribution, ContributionStatus, Processor
from groundswell.donations.services import (
    ContributionInput,
    contribution_record,
    contribution_refund,
)

COLUMNS = (
    "CMTE_ID", "AMNDT_IND", "RPT_TP", "TRANSACTION_PGI", "IMAGE_NUM", "TRANSACTION_TP",
    "ENTITY_TP", "NAME", "CITY", "STATE", "ZIP_CODE", "EMPLOYER", "OCCUPATION",
    "TRANSACTION_DT", "TRANSACTION_AMT", "OTHER_ID", "TRAN_ID", "FILE_NUM", "MEMO_CD",
    "MEMO_TEXT", "SUB_ID",
)  # fmt: skip
REFUND_TYPE = "22Y"
EARMARKED_TYPE = "15E"
# FEC dates carry no time: noon Eastern keeps the day the same in every US time zone.
FEC_TZ = ZoneInfo("America/New_York")


def _name_split(text: str) -> tuple[str, str]:
    """ "LAST, FIRST MIDDLE" → (given, family)."""
    text = " ".join(text.split())
    if not text:
        return "", ""
    if "," in text:
        family, _, rest = text.partition(",")
        name = HumanName(rest.strip())
        given = " ".join(p for p in (name.first, name.middle) if p) or rest.strip()
        return given.title(), family.strip().title()
    name = HumanName(text)
    return " ".join(p for p in (name.first, name.middle) if p).title(), name.last.title()


def _zip(text: str) -> str:
    digits = text.strip()
    if not digits:
        return ""
    if not re.fullmatch(r"\d{5}(\d{4})?", digits):
        raise _RowProblem("ZIP_CODE", text, "must be 5 or 9 digits")
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 else digits


def _cents(text: str) -> int:
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise _RowProblem("TRANSACTION_AMT", text, f"{text[:40]!r} is not an amount") from None
    if not amount.is_finite():
        raise _RowProblem("TRANSACTION_AMT", text, "is not a finite amount")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise _RowProblem("TRANSACTION_AMT", text, "has fractions of a cent")
    cents = int(cents)
    if cents == 0 or abs(cents) > MAX_CENTS:
        raise _RowProblem("TRANSACTION_AMT", text, "is out of range")
    return cents


def _date(text: str) -> datetime:
    text = text.strip()
    try:
        day = datetime.strptime(text, "%m%d%Y")
    except ValueError:
        raise _RowProblem(
            "TRANSACTION_DT", text, f"{text[:40]!r} is not a date (MMDDYYYY)"
        ) from None
    return day.replace(hour=12, tzinfo=FEC_TZ)


def _election(text: str) -> str:
    text = text.strip().upper()
    match = re.fullmatch(r"([A-Z])(\d{4})", text)
    return f"{match.group(1)}{match.group(2)}" if match else ""


def row_parse(fields: list[str]) -> tuple[ContributionInput, bool, int]:
    """One record into a contribution, whether it is a 22Y refund, and the signed cents."""
    row = dict(zip(COLUMNS, (f.strip() for f in fields), strict=True))
    sub_id = row["SUB_ID"]
    if not sub_id:
        raise _RowProblem("SUB_ID", "", "is missing")
    if len(sub_id) > Contribution._meta.get_field("processor_id").max_length:
        raise _RowProblem("SUB_ID", sub_id[:40], "is too long")
    if not row["TRANSACTION_AMT"]:
        raise _RowProblem("TRANSACTION_AMT", "", "is missing")
    cents = _cents(row["TRANSACTION_AMT"])
    if not row["TRANSACTION_DT"]:
        raise _RowProblem("TRANSACTION_DT", "", "is missing")
    received_at = _date(row["TRANSACTION_DT"])
    ttype = row["TRANSACTION_TP"].upper()[:3]
    if len(row["TRANSACTION_PGI"]) > 5:
        raise _RowProblem("TRANSACTION_PGI", row["TRANSACTION_PGI"], "is too long")
    given, family = _name_split(row["NAME"])
    donor = {
        "given_name": given,
        "family_name": family,
        "city": row["CITY"].title(),
        "state": row["STATE"].upper(),
        "postal_code": _zip(row["ZIP_CODE"]),
        "country": "US",
        "employer": row["EMPLOYER"],
        "occupation": row["OCCUPATION"],
        "source": "FEC",
    }
    is_refund = ttype == REFUND_TYPE
    data = ContributionInput(
        processor=Processor.FEC,
        processor_id=sub_id,
        amount_cents=abs(cents),
        received_at=received_at,
        donor=donor,
        order_number=row["TRAN_ID"],
        election=_election(row["TRANSACTION_PGI"]),
        is_memo=row["MEMO_CD"].upper() == "X",
        transaction_type=ttype,
        note=row["MEMO_TEXT"],
    )
    return data, is_refund, cents


def _original(fields: list[str]) -> Contribution | None:
    """The contribution a 22Y refund refers to, by OTHER_ID or TRAN_ID, if imported."""
    row = dict(zip(COLUMNS, (f.strip() for f in fields), strict=True))
    for key in (row["OTHER_ID"], row["TRAN_ID"]):
        if not key:
            continue
        found = (
            Contribution.objects.filter(processor=Processor.FEC, order_number=key)
            .exclude(transaction_type=REFUND_TYPE)
            .exclude(processor_id=row["SUB_ID"])
            .first()
        )
        if found is not None:
            return found
    return None


def fec_import(
    path: str,
    *,
    committee: str,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
    on_error: Callable[[RowError], None] | None = None,
) -> ImportResult:
    """Import one committee's rows of an FEC itcont.txt file; safe to run again."""
    total = os.path.getsize(path)
    result = ImportResult()
    committee = committee.strip().upper()
    done = 0

    def reject(error: RowError) -> None:
        result.rejected += 1
        if len(result.errors) < ImportResult.MAX_KEPT_ERRORS:
            result.errors.append(error)
        if on_error:
            on_error(error)

    with open(path, "rb") as fh:
        for line_number, raw in enumerate(fh, start=1):
            done += len(raw)
            if progress and line_number % 1000 == 0:
                progress(done, total)
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not text.strip():
                continue
            result.rows += 1
            fields = text.split("|")
            if len(fields) != len(COLUMNS):
                reject(
                    RowError(
                        line_number,
                        "",
                        text[:255],
                        f"has {len(fields)} columns, expected {len(COLUMNS)}",
                    )
                )
                continue
            if fields[0].strip().upper() != committee:
                result.skipped += 1
                continue
            try:
                data, is_refund, cents = row_parse(fields)
            except _RowProblem as exc:
                reject(RowError(line_number, exc.column, exc.value[:255], exc.reason))
                continue
            if is_refund:
                original = _original(fields)
                if original is not None:
                    _, refunded = contribution_refund(
                        processor=original.processor,
                        processor_id=original.processor_id,
                        refund_cents=abs(cents),
                        refund_key=f"fec:{data.processor_id}",
                        refunded_at=data.received_at,
                    )
                    if refunded:
                        result.refunded += 1
                    else:
                        result.unchanged += 1
                    continue
                data.status = ContributionStatus.REFUNDED
                note = f"FEC 22Y refund of {'-' if cents < 0 else ''}{abs(cents) / 100:.2f}"
                data.note = f"{note}; no original contribution linked" + (
                    f"; {data.note}" if data.note else ""
                )
            _, created = contribution_record(data=data, source=source or "FEC")
            if created:
                result.created += 1
            else:
                result.unchanged += 1
    if progress:
        progress(done, max(total, done))
    return result
