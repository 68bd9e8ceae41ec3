"""The device runtime: one thread with its own asyncio loop for the BLE link and session engine.

Qt's asyncio bridge lacks what bleak's Linux backend needs, and a frozen UI thread must never delay
a release, so everything that talks to a cuff runs here. Other threads hand work in with
:meth:`DeviceRuntime.submit` (coroutines) or :meth:`DeviceRuntime.call` (plain callables) and get a
``concurrent.futures.Future`` back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from devices.vtime import VirtualTimeEventLoop

log = logging.getLogger(__name__)

T = TypeVar("T")
ShutdownHook = Callable[[], Awaitable[None]]


class RuntimeNotRunning(RuntimeError):
    """Work was submitted to a runtime that is not running."""


class DeviceRuntime:
    """Owns the device thread and its event loop."""

    def __init__(
        self,
        loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop,
        *,
        name: str = "device-runtime",
    ) -> None:
        self._loop_factory = loop_factory
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._shutdown_hooks: list[ShutdownHook] = []

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The runtime's event loop (only to be used from the runtime's thread)."""
        if self._loop is None:
            raise RuntimeNotRunning("the device runtime has not been started")
        return self._loop

    @property
    def running(self) -> bool:
        """True while the thread and its loop run."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def thread(self) -> threading.Thread | None:
        """The runtime's thread, if started."""
        return self._thread

    def clock(self) -> float:
        """Monotonic time of the runtime's loop (virtual under a virtual-time loop)."""
        return self.loop.time()

    def in_runtime_thread(self) -> bool:
        """True when called from the runtime's own thread."""
        return threading.current_thread() is self._thread

    def start(self) -> DeviceRuntime:
        """Start the thread and wait until its loop runs."""
        if self.running:
            return self
        self._started.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("device runtime did not start")
        return self

    def _run(self) -> None:
        loop = self._loop_factory()
        self._loop = loop
        asyncio.set_event_loop(loop)
        loop.call_soon(self._started.set)
        try:
            loop.run_forever()
        finally:
            try:
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
                log.info("device runtime stopped")

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the runtime's loop; thread-safe."""
        if not self.running or self._loop is None:
            coro.close()
            raise RuntimeNotRunning("the device runtime is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run a plain callable on the runtime's loop; thread-safe."""
        if not self.running or self._loop is None:
            raise RuntimeNotRunning("the device runtime is not running")
        fut: concurrent.futures.Future[T] = concurrent.futures.Future()

        def _do() -> None:
            if not fut.set_running_or_notify_cancel():
                return
            try:
                fut.set_result(fn(*args))
            except BaseException as exc:  # handed to the caller, not swallowed
                fut.set_exception(exc)

        self._loop.call_soon_threadsafe(_do)
        return fut

    def add_shutdown_hook(self, hook: ShutdownHook) -> None:
        """Register a coroutine function run on the loop at stop, newest first (release cuffs)."""
        self._shutdown_hooks.append(hook)

    def advance(self, seconds: float, *, timeout: float | None = 60.0) -> float:
        """Under a virtual-time loop, let ``seconds`` of virtual time pass and wait for it."""
        loop = self.loop
        if not isinstance(loop, VirtualTimeEventLoop):
            raise TypeError("advance() needs a VirtualTimeEventLoop")
        return loop.advance(seconds, timeout=timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Run the shutdown hooks (each capped), stop the loop and join the thread."""
        if not self.running or self._loop is None:
            return
        loop = self._loop

        async def _shutdown() -> None:
            for hook in reversed(self._shutdown_hooks):
                try:
                    await asyncio.wait_for(hook(), timeout=5.0)
                except Exception:
                    log.exception("device runtime shutdown hook failed")

        fut = asyncio.run_coroutine_threadsafe(_shutdown(), loop)
        if isinstance(loop, VirtualTimeEventLoop):
            loop.set_free_running()
        try:
            fut.result(timeout)
        except Exception:
            log.exception("device runtime shutdown did not finish")
        loop.call_soon_threadsafe(loop.stop)
        assert self._thread is not None
        self._thread.join(timeout)
        self._thread = None
        self._loop = None
