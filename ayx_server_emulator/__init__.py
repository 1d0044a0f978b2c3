"""A strict local stand-in for Alteryx Server (dev and test only; never shipped in the YXI)."""

from .config import EmulatorConfig
from .faults import Counters, FaultRule, Faults
from .jobs.models import Q_DISPOSITION, Q_RUN_SECONDS
from .server import EmulatorServer
from .state import SeedUser

__all__ = ["Q_DISPOSITION", "Q_RUN_SECONDS", "Counters", "EmulatorConfig", "EmulatorServer",
           "FaultRule", "Faults", "SeedUser"]
