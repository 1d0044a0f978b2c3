"""Building the Success and Failure tables of one input batch: no record is ever dropped.

Each record's outcome becomes its Success row(s) or its one Failure row (issue 9.5). A result
value that does not fit its column's type (an integer beyond Int64, NaN in an integer column, a
text that is no date, an object where a number belongs; see `typed_values.fit`) is never turned
into a silent null and never makes the whole batch fail:
- where the output has an `Other Fields` column (one row per item of a list answer), the value
  moves there, as JSON text under its key, and the typed column is null;
- elsewhere the record becomes a Failure that names the field and the value.
Should Arrow still refuse a batch, the records are built one by one and a record that cannot be
built is a Failure saying so. The counts returned are those written, so the summary matches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa

from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.logic import Outcome

_MAX_SHOWN = 200


@dataclass
class Built:
    """One batch's output tables, and each record's final outcome (in input order)."""

    success: pa.Table | None
    failure: pa.Table | None
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def n_ok(self) -> int:
        """Records written to Success."""
        return sum(1 for o in self.outcomes if o.success)

    @property
    def n_failed(self) -> int:
        """Records written to Failure."""
        return sum(1 for o in self.outcomes if not o.success)


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _type_name(f: pa.Field) -> str:
    names = {S.BOOL: "Bool", S.BYTE: "Byte", S.INT16: "Int16", S.INT32: "Int32",
             S.INT64: "Int64", S.FIXED_DECIMAL: "FixedDecimal", S.FLOAT: "Float",
             S.DOUBLE: "Double", S.DATE: "Date", S.TIME: "Time", S.DATETIME: "DateTime"}
    return names.get(S.ayx_type_of(f) or 0, str(f.type))


def _fit_row(values: dict[str, Any], fields: Sequence[pa.Field]
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the values that fit, {field: value} of those that do not)."""
    fitted: dict[str, Any] = {}
    misfits: dict[str, Any] = {}
    for f in fields:
        ok, value = S.fit(values.get(f.name), f)
        if ok:
            fitted[f.name] = value
        else:
            misfits[f.name] = values.get(f.name)
    return fitted, misfits


def _into_other_fields(fitted: dict[str, Any], misfits: dict[str, Any], f: pa.Field) -> None:
    extra: dict[str, Any] = {}
    current = fitted.get(S.OTHER_FIELDS)
    if isinstance(current, str) and current:
        try:
            parsed = json.loads(current)
            extra = parsed if isinstance(parsed, dict) else {"value": parsed}
        except ValueError:
            extra = {S.OTHER_FIELDS: current}
    extra.update(misfits)
    ok, text = S.fit(extra, f)
    fitted[S.OTHER_FIELDS] = text if ok else None


def _fit_outcome(outcome: Outcome, fields: Sequence[pa.Field]) -> Outcome:
    """The outcome with every result value fitting its column (or a Failure naming one)."""
    if not outcome.success:
        return outcome
    other = next((f for f in fields if f.name == S.OTHER_FIELDS), None)
    rows = []
    for values in outcome.rows or [{}]:
        fitted, misfits = _fit_row(values, fields)
        if misfits and other is not None:
            _into_other_fields(fitted, misfits, other)
        elif misfits:
            name, value = next(iter(misfits.items()))
            f = next(x for x in fields if x.name == name)
            status = values.get(S.HTTP_STATUS)
            failed = Outcome.fail(
                f"The request succeeded, but the value of '{name}' does not fit its "
                f"{_type_name(f)} column: {_shown(value)}",
                detail=_shown(values), status=status if isinstance(status, int) else None)
            failed.rows = [fitted]  # what did fit (e.g. a JobId) stays on the Failure row
            return failed
        rows.append(fitted)
    return replace(outcome, rows=rows)


class _Side:
    """One output: its schema, which of its fields are results, and how to build it."""

    def __init__(self, schema: pa.Schema, results: set[str]) -> None:
        self.schema = schema
        self.results = results
        self.result_fields = [f for f in schema if f.name in results]

    def table(self, taken: pa.Table | None, values: list[dict[str, Any]],
              null_inputs: bool = False) -> pa.Table:
        arrays: list[Any] = []
        for f in self.schema:
            given = (taken.column(f.name) if taken is not None and f.name in taken.schema.names
                     else None)
            if f.name in self.results and given is not None and any(
                    f.name not in v for v in values):
                # A result field that is also an input field (Job Status's JobId): a record
                # with no result for it (a configuration error) keeps the input's value.
                seen = given.to_pylist()
                arrays.append(S.column([v[f.name] if f.name in v else seen[k]
                                        for k, v in enumerate(values)], f))
            elif f.name in self.results or given is None:
                arrays.append(S.column([v.get(f.name) for v in values], f))
            elif null_inputs:
                arrays.append(pa.nulls(len(values), type=f.type))
            else:
                arrays.append(S.cast_column(given, f))
        return pa.Table.from_arrays(arrays, schema=self.schema)


def _take(table: pa.Table | None, idx: list[int]) -> pa.Table | None:
    return table.take(pa.array(idx, type=pa.int64())) if table is not None else None


def build_outputs(table: pa.Table | None, outcomes: Sequence[Outcome], *,
                  success_schema: pa.Schema, success_results: set[str],
                  failure_schema: pa.Schema, failure_results: set[str],
                  redact: Callable[[str], str] = lambda text: text) -> Built:
    """Success and Failure tables of one batch (None when empty), every record in one of them."""
    ok_side = _Side(success_schema, success_results)
    bad_side = _Side(failure_schema, failure_results)
    final = [_fit_outcome(o, ok_side.result_fields) for o in outcomes]

    success = None
    ok_idx = [i for i, o in enumerate(final) if o.success]
    if ok_idx:
        try:
            success = _success(table, final, ok_idx, ok_side)
        except Exception:  # one record Arrow refuses: build them one by one
            parts = []
            for i in ok_idx:
                try:
                    parts.append(_success(table, final, [i], ok_side))
                except Exception as exc:
                    final[i] = Outcome.fail(
                        f"The answer could not be written to the Success output "
                        f"({type(exc).__name__}: {str(exc)[:_MAX_SHOWN]})")
            success = pa.concat_tables(parts) if parts else None

    failure = None
    bad_idx = [i for i, o in enumerate(final) if not o.success]
    if bad_idx:
        rows = [_failure_values(final[i], redact) for i in bad_idx]
        try:
            failure = bad_side.table(_take(table, bad_idx), rows)
        except Exception:  # last resort: keep the record, without the inputs Arrow refuses
            parts = []
            for i, values in zip(bad_idx, rows, strict=True):
                taken = _take(table, [i])
                try:
                    parts.append(bad_side.table(taken, [values]))
                except Exception:
                    parts.append(bad_side.table(taken, [values], null_inputs=True))
            failure = pa.concat_tables(parts)
    return Built(success, failure, final)


def _success(table: pa.Table | None, final: list[Outcome], idx: list[int],
             side: _Side) -> pa.Table:
    rec_idx: list[int] = []
    values: list[dict[str, Any]] = []
    for i in idx:
        for row in final[i].rows:
            rec_idx.append(i)
            values.append(row)
    return side.table(_take(table, rec_idx), values)


def _failure_values(outcome: Outcome, redact: Callable[[str], str]) -> dict[str, Any]:
    return {
        **(outcome.rows[0] if outcome.rows else {}),  # e.g. the Runner's JobId
        S.HTTP_STATUS: outcome.status,
        S.ERROR: redact(outcome.error or "Failed"),
        S.ERROR_DETAIL: redact(outcome.detail) if outcome.detail else None,
    }
