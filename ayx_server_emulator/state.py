"""The emulator's in-memory state: one backend (model) per resource family, like moto's.

`State` owns the lock, the clock and the backends; every change of stored data goes through a
backend method. The stores stay plain dicts of JSON-like records (wire fields plus private
`_underscore` fields), reachable as `state.users`, `state.jobs`, ... for tests that look inside.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ._util import dotnet_date
from .collections.models import CollectionsBackend
from .config import EmulatorConfig
from .connections.models import ConnectionsBackend
from .credentials.models import CredentialsBackend
from .jobs.models import Q_DISPOSITION, Q_RUN_SECONDS, JobsBackend
from .schedules.models import SchedulesBackend
from .users.models import ROLE_RANK, UsersBackend
from .workflows.models import WorkflowsBackend

__all__ = ["Q_DISPOSITION", "Q_RUN_SECONDS", "SeedUser", "State", "default_seed_path",
           "load_seed"]


def default_seed_path() -> Path:
    """Path of the seed shipped with the package."""
    return Path(str(resources.files("ayx_server_emulator") / "data" / "seed.json"))


def load_seed(seed: str | Path | dict[str, Any] | None) -> dict[str, Any]:
    """Read a seed from a path, a dict, or (None) the packaged default."""
    if isinstance(seed, dict):
        return copy.deepcopy(seed)
    path = Path(seed) if seed is not None else default_seed_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"seed {path} must hold a JSON object")
    return data


@dataclass(frozen=True)
class SeedUser:
    """A user of the emulator with its (fake, emulator-only) credentials."""

    id: str
    email: str
    role: str
    first_name: str
    last_name: str
    subscription_id: str
    api_key: str
    api_secret: str = field(repr=False)
    studio_key: str = ""
    studio_secret: str = field(default="", repr=False)


class State:
    """Every resource of the emulated server; guard all access with `lock`."""

    def __init__(self, seed: dict[str, Any], clock: Callable[[], float], *,
                 config: EmulatorConfig | None = None,
                 on_running: Callable[[int], None] | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        #: The clock job timing runs on (tests may swap it for a fake one).
        self.monotonic: Callable[[], float] = time.monotonic
        self.config = config if config is not None else EmulatorConfig()
        #: Told the number of Running jobs whenever one starts (the counters keep the peak).
        self.on_running = on_running or (lambda _n: None)
        self._date_turn = itertools.count()
        self.load(seed)

    def load(self, seed: dict[str, Any]) -> None:
        """(Re)build every backend from a seed."""
        with self.lock:
            self.users_backend = UsersBackend(self)
            self.credentials_backend = CredentialsBackend(self)
            self.connections_backend = ConnectionsBackend(self)
            self.workflows_backend = WorkflowsBackend(self)
            self.collections_backend = CollectionsBackend(self)
            self.schedules_backend = SchedulesBackend(self)
            self.jobs_backend = JobsBackend(self)
            self.users_backend.seed(seed)
            self.credentials_backend.seed(seed)
            self.connections_backend.seed(seed)
            self.workflows_backend.seed(seed)
            self.collections_backend.seed(seed)
            self.schedules_backend.seed(seed)

    # ---------------------------------------------------------------- the stores, read-only
    @property
    def users(self) -> dict[str, dict[str, Any]]:
        return self.users_backend.users

    @property
    def usergroups(self) -> dict[str, dict[str, Any]]:
        return self.users_backend.groups

    @property
    def subscriptions(self) -> dict[str, dict[str, Any]]:
        return self.users_backend.subscriptions

    @property
    def credentials(self) -> dict[str, dict[str, Any]]:
        return self.credentials_backend.credentials

    @property
    def connections(self) -> dict[str, dict[str, Any]]:
        return self.connections_backend.connections

    @property
    def generic(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.connections_backend.generic

    @property
    def workflows(self) -> dict[str, dict[str, Any]]:
        return self.workflows_backend.workflows

    @property
    def collections(self) -> dict[str, dict[str, Any]]:
        return self.collections_backend.collections

    @property
    def schedules(self) -> dict[str, dict[str, Any]]:
        return self.schedules_backend.schedules

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        return self.jobs_backend.jobs

    @property
    def input_files(self) -> dict[str, bytes]:
        return self.jobs_backend.input_files

    # ---------------------------------------------------------------- clock and dates
    def now(self) -> float:
        """The emulated server clock (real time plus the configured offset)."""
        return self.clock()

    def now_str(self) -> str:
        """The emulated clock as a .NET-style date, with the precision knob's next value."""
        return self.date_str(self.clock())

    def date_str(self, ts: float) -> str:
        """A date as the Server writes it: 7, 3 or 0 fractional digits in turn (a knob)."""
        digits = self.config.date_fraction_digits or (7,)
        return dotnet_date(ts, digits[next(self._date_turn) % len(digits)])

    # ---------------------------------------------------------------- who may see what
    def seed_users(self) -> list[SeedUser]:
        """Every user with its credentials, in seed order."""
        return [SeedUser(id=u["id"], email=u.get("email", ""), role=u["role"],
                         first_name=u.get("firstName", ""), last_name=u.get("lastName", ""),
                         subscription_id=u["_subscriptionId"], api_key=u["_apiKey"],
                         api_secret=u["_apiSecret"], studio_key=u["_studioKey"],
                         studio_secret=u["_studioSecret"]) for u in self.users.values()]

    def find_key(self, key: str) -> tuple[dict[str, Any], str] | None:
        """Find the user owning an API or Private Studio key: (user, "api" | "studio")."""
        return self.users_backend.find_key(key)

    def group_ids_of(self, user_id: str) -> set[str]:
        """Ids of the user groups a user belongs to."""
        return self.users_backend.group_ids_of(user_id)

    def effective_role(self, user: dict[str, Any]) -> str:
        """The user's role, raised by the role of any group it belongs to."""
        return self.users_backend.effective_role(user)

    def is_curator(self, user: dict[str, Any]) -> bool:
        """Tell whether the user's effective role is Curator."""
        return ROLE_RANK.get(self.effective_role(user), 0) >= ROLE_RANK["Curator"]

    def can_see_workflow(self, user: dict[str, Any], wf: dict[str, Any]) -> bool:
        """Owner, Curator, same studio, or a collection shared with the user or its groups."""
        if self.is_curator(user) or wf["ownerId"] == user["id"]:
            return True
        if wf["_subscriptionId"] and wf["_subscriptionId"] == user["_subscriptionId"]:
            return True
        return self.collections_backend.shares_workflow(wf["id"], user["id"],
                                                        self.group_ids_of(user["id"]))

    def can_see_job(self, user: dict[str, Any], job: dict[str, Any]) -> bool:
        """Help 2024.2+: "Users are able to see jobs run by them and jobs run on schedules
        shared via Collections"; Curators see every job."""
        if self.is_curator(user) or job["_userId"] == user["id"]:
            return True
        schedule_id = job.get("_scheduleId")
        return bool(schedule_id and self.collections_backend.shares_schedule(
            schedule_id, user["id"], self.group_ids_of(user["id"])))

    # ---------------------------------------------------------------- seeding compatibility
    def add_user(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a user (seed or API shape) and return its stored record."""
        return self.users_backend.add_user(raw)

    def add_workflow(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a workflow (seed shape) with one published version and return it."""
        return self.workflows_backend.add_workflow(raw)

    def refresh_job(self, job: dict[str, Any], *, read: bool) -> None:
        """Advance jobs by their timing; `read` marks a client reading this one."""
        self.jobs_backend.refresh(job, read=read)

    def step_job(self, job: dict[str, Any]) -> bool:
        """Advance a job one state; tell whether it moved."""
        return self.jobs_backend.step(job)
