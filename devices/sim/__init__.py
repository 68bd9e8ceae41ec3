"""A simulated KAATSU cuff controller: band physics, firmware programs, safety and faults."""

from devices.sim.faults import FaultInjector, SimFault
from devices.sim.model import SimulatedCuff, mask_of
from devices.sim.params import CuffParams
from devices.sim.snapshot import ChannelSnapshot, DeviceSnapshot, Program, StreamSample

__all__ = [
    "ChannelSnapshot",
    "CuffParams",
    "DeviceSnapshot",
    "FaultInjector",
    "Program",
    "SimFault",
    "SimulatedCuff",
    "StreamSample",
    "mask_of",
]
