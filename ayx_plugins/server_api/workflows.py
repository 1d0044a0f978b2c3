"""Workflows by id, pasted Gallery URL or name, and a check of a job's questions against the app's.

A workflow reference is one of:
- a 24-hex id (`6101a0b0c0d0e0f0a0b0c001`);
- a URL copied from the Gallery or the API: the last 24-hex segment of its path or `#!` fragment
  (`https://host/gallery/app/Sales%20Report/6101...001`, `.../gallery/workflow/6101...001`,
  `https://host/gallery/#!app/Sales/6101...001`, `.../webapi/v3/workflows/6101...001`);
- otherwise a workflow **name**, looked up with `GET v3/workflows?name=` (the Server matches
  names by substring, so the exact name is picked from the answer): exactly one workflow must
  have that name, else the error lists the matches. Names make a chain portable from a dev to a
  prod Server.

`WorkflowDirectory` caches both lookups (names and questions) for one run, thread-safe, so a
batch of 10,000 records asks for a name or an app's questions once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from .errors import ApiError, NotFoundError
from .segments import path_segment

if TYPE_CHECKING:
    from .client import ServerClient

__all__ = [
    "Question",
    "QuestionError",
    "WorkflowDirectory",
    "WorkflowLookupError",
    "WorkflowRef",
    "check_questions",
    "get_questions",
    "parse_workflow_ref",
    "resolve_workflow",
]

_HEX24 = re.compile(r"^[0-9a-fA-F]{24}$")
_HEX24_ANY = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{24}(?![0-9a-fA-F])")
_MAX_LISTED = 10


class WorkflowLookupError(ApiError):
    """No workflow, or more than one, has the given name; or a URL holds no workflow id."""

    def __init__(self, message: str, *, matches: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.matches = matches or []


class QuestionError(ApiError):
    """A job's questions do not fit the app: an unknown name, or a missing answer."""


@dataclass(frozen=True)
class WorkflowRef:
    """What the user gave: an id (also from a URL) or a name."""

    kind: Literal["id", "name"]
    value: str
    given: str


def parse_workflow_ref(text: str) -> WorkflowRef:
    """Classify a workflow reference (id, Gallery/API URL, or name); raises on an id-less URL."""
    given = str(text or "").strip()
    if not given:
        raise WorkflowLookupError("the workflow is empty: give an id, a Gallery URL or a name")
    if _HEX24.match(given):
        return WorkflowRef("id", given.lower(), given)
    if "://" in given or given.startswith(("/", "#!")):
        parts = urlsplit(given)
        where = unquote(parts.path) + "/" + unquote(parts.fragment)
        ids = _HEX24_ANY.findall(where)
        if not ids:
            raise WorkflowLookupError(
                f"the URL {given!r} holds no workflow id (24 hexadecimal characters): copy the "
                "workflow's page URL from the Gallery (…/gallery/app/NAME/ID or "
                "…/gallery/workflow/ID), or give its id or name"
            )
        return WorkflowRef("id", ids[-1].lower(), given)
    return WorkflowRef("name", given, given)


def _describe(item: Mapping[str, Any]) -> str:
    bits = [str(item.get("id", "?"))]
    owner = item.get("ownerId") or (item.get("metaInfo") or {}).get("author")
    if owner:
        bits.append(f"owner {owner}")
    created = item.get("dateCreated") or item.get("uploadDate")
    if created:
        bits.append(f"created {created}")
    return f"{item.get('name') or _v1_name(item)!s} ({', '.join(bits)})"


def _v1_name(item: Mapping[str, Any]) -> str:
    meta = item.get("metaInfo") if isinstance(item.get("metaInfo"), Mapping) else {}
    return str((meta or {}).get("name") or item.get("fileName") or "")


def _find_by_name(client: ServerClient, name: str) -> list[dict[str, Any]]:
    if client.auth_type == "oauth1":  # the legacy API has no v3: search the subscription
        answer = client.request_json(
            "GET", "v1/workflows/subscription/", params={"search": name, "limit": 1000}
        )
        items = answer if isinstance(answer, list) else []
        return [{**i, "name": _v1_name(i)} for i in items if isinstance(i, Mapping)]
    answer = client.request_json("GET", "v3/workflows", params={"name": name, "view": "Default"})
    if isinstance(answer, Mapping):  # tolerate an envelope
        answer = answer.get("data", [])
    return [dict(i) for i in answer or [] if isinstance(i, Mapping)]


def resolve_workflow(client: ServerClient, ref: str | WorkflowRef) -> str:
    """The workflow id for an id, URL or name (one request for a name; none otherwise)."""
    wref = ref if isinstance(ref, WorkflowRef) else parse_workflow_ref(ref)
    if wref.kind == "id":
        return wref.value
    name = wref.value
    found = _find_by_name(client, name)
    exact = [i for i in found if str(i.get("name", "")).strip() == name]
    if not exact:
        exact = [i for i in found if str(i.get("name", "")).strip().casefold() == name.casefold()]
    if len(exact) == 1 and exact[0].get("id"):
        return str(exact[0]["id"])
    if len(exact) > 1:
        listed = "; ".join(_describe(i) for i in exact[:_MAX_LISTED])
        more = f" and {len(exact) - _MAX_LISTED} more" if len(exact) > _MAX_LISTED else ""
        raise WorkflowLookupError(
            f"{len(exact)} workflows are named {name!r}: {listed}{more}; give the id (or the "
            "Gallery URL) of the one to run",
            matches=exact,
        )
    similar = ""
    if found:
        names = sorted({str(i.get("name", "")) for i in found})[:_MAX_LISTED]
        similar = "; similar names: " + ", ".join(repr(n) for n in names)
    raise WorkflowLookupError(
        f"no workflow named {name!r} is visible to this user{similar} (names are matched "
        "exactly; check the spelling, and that the workflow is shared with the user)",
        matches=found,
    )


@dataclass(frozen=True)
class Question:
    """One question of an analytic app: its name, type, default value and choices."""

    name: str
    type: str = ""
    default: str | None = None
    description: str = ""
    multiple: bool = False
    items: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def from_json(cls, data: Any) -> Question:
        """A v3 (`questionType`) or v1 (`type`) question object."""
        if not isinstance(data, Mapping):
            return cls(name=str(data))
        value = data.get("value")
        items = []
        for item in data.get("items") or []:
            if isinstance(item, Mapping):
                items.append((str(item.get("key", "")), str(item.get("value", ""))))
        return cls(
            name=str(data.get("name", "")),
            type=str(data.get("questionType", data.get("type")) or ""),
            default=None if value is None else str(value),
            description=str(data.get("description") or ""),
            multiple=bool(data.get("multiple", False)),
            items=tuple(items),
        )

    @property
    def has_default(self) -> bool:
        """The app gives a value when the job leaves this question out.

        Only a null (or absent) `value` counts as "no default": an empty text box's default is
        an empty value, which a job may rightly leave out.
        """
        return self.default is not None


def get_questions(client: ServerClient, workflow_id: str, *, api: str = "v3") -> list[Question]:
    """The app's questions (GET v3/workflows/{id}/questions; v1/workflows/{id}/questions on the
    legacy API or with api='v1')."""
    seg = path_segment(workflow_id, "workflow id")
    if client.auth_type == "oauth1" or api == "v1":
        answer = client.request_json("GET", f"v1/workflows/{seg}/questions")
    else:
        try:
            answer = client.request_json("GET", f"v3/workflows/{seg}/questions")
        except ApiError as exc:
            # A Server older than the v3 questions endpoint: v1 has it since 2021.4 on /webapi/.
            if exc.status not in (404, 405):
                raise
            answer = client.request_json("GET", f"v1/workflows/{seg}/questions")
    if not isinstance(answer, list):
        raise ApiError(f"the Server's answer for the questions of {workflow_id} is not a list",
                       body=answer)
    return [Question.from_json(q) for q in answer if q is not None]


def check_questions(
    asked: Iterable[Question], given: Iterable[Mapping[str, Any]], *, workflow: str = ""
) -> None:
    """Raise `QuestionError` for a given name the app does not ask, or an omitted question that
    has no default; returns None when the answers fit."""
    questions = list(asked)
    names = [q.name for q in questions]
    answered = [str(g.get("name", "")) for g in given]
    app = f" ({workflow})" if workflow else ""
    listing = ", ".join(names) if names else "no questions"
    for name in answered:
        if name in names:
            continue
        near = [n for n in names if n.casefold() == name.casefold()]
        hint = f" (did you mean {near[0]!r}? names are case-sensitive)" if near else ""
        raise QuestionError(f"unknown question {name!r}{hint}; the app{app} asks: {listing}")
    missing = [q.name for q in questions if q.name not in answered and not q.has_default]
    if missing:
        which = ", ".join(repr(m) for m in missing)
        raise QuestionError(
            f"no answer for question{'s' if len(missing) > 1 else ''} {which}, which the "
            f"app{app} has no default for; the app asks: {listing}"
        )


class WorkflowDirectory:
    """Per-run cache of name lookups and app questions, shared by threads (one lookup per key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._values: dict[tuple[Any, ...], Any] = {}
        self.lookups = 0  # requests made (for tests and the run summary)

    def _memo(self, key: tuple[Any, ...], fetch: Any) -> Any:
        with self._lock:
            if key in self._values:
                return self._cached(key)
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._cached(key)
            try:
                value = fetch()
            except (WorkflowLookupError, NotFoundError) as exc:  # definitive: remember it
                with self._lock:
                    self.lookups += 1
                    self._values[key] = exc
                raise
            with self._lock:
                self.lookups += 1
                self._values[key] = value
            return value

    def _cached(self, key: tuple[Any, ...]) -> Any:
        value = self._values[key]
        if isinstance(value, BaseException):
            raise value
        return value

    def resolve(self, client: ServerClient, ref: str) -> str:
        """`resolve_workflow`, cached per client and reference."""
        wref = parse_workflow_ref(ref)
        if wref.kind == "id":
            return wref.value
        return str(self._memo(("name", id(client), wref.value),
                              lambda: resolve_workflow(client, wref)))

    def questions(self, client: ServerClient, workflow_id: str, *, api: str = "v3"
                  ) -> list[Question]:
        """`get_questions`, cached per client and workflow."""
        value = self._memo(("questions", id(client), workflow_id.lower(), api),
                           lambda: get_questions(client, workflow_id, api=api))
        return list(value)

    def check(self, client: ServerClient, workflow_id: str, given: Iterable[Mapping[str, Any]],
              *, api: str = "v3", label: str = "") -> None:
        """`check_questions` against the app's (cached) questions."""
        check_questions(self.questions(client, workflow_id, api=api), given,
                        workflow=label or workflow_id)
