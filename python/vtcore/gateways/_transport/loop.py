"""The one asyncio loop thread shared by every REST/WebSocket gateway.

Gateways `acquire()` the loop when they connect and `release()` it when they close; the thread starts with the
first acquirer and stops when the last one releases it, so an idle process runs no transport thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from vtcore.log import get_logger

T = TypeVar("T")

_logger = get_logger("vtcore.transport")


class TransportLoop:
    """An asyncio event loop running on its own daemon thread, reference-counted by its users."""

    def __init__(self, name: str = "vtcore-transport") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._users = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def users(self) -> int:
        return self._users

    def acquire(self) -> asyncio.AbstractEventLoop:
        """Count one more user and return the loop, starting its thread if it is not running."""
        with self._lock:
            self._users += 1
            if self._loop is None:
                loop = asyncio.new_event_loop()
                started = threading.Event()
                thread = threading.Thread(
                    target=self._run, args=(loop, started), name=self._name, daemon=True
                )
                thread.start()
                started.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    def release(self, timeout: float = 5.0) -> None:
        """Count one user less; the last one stops the loop (cancelling what is still pending) and joins
        it."""
        with self._lock:
            if self._users == 0:
                return
            self._users -= 1
            if self._users > 0 or self._loop is None:
                return
            loop, thread = self._loop, self._thread
            self._loop, self._thread = None, None
        if thread is threading.current_thread():
            loop.call_soon_threadsafe(loop.stop)
            return
        future = asyncio.run_coroutine_threadsafe(_cancel_all(), loop)
        try:
            future.result(timeout)
        except (concurrent.futures.TimeoutError, RuntimeError):
            _logger.warning("transport loop: pending tasks did not finish within %.1f s", timeout)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule `coro` on the loop from any thread."""
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError("the transport loop is not running (acquire it first)")
        return asyncio.run_coroutine_threadsafe(coro, loop)

    def call_soon(self, callback: Any, *args: Any) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(callback, *args)

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, started: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(_log_loop_exception)
        loop.call_soon(started.set)
        try:
            loop.run_forever()
        except BaseException:  # the thread entry point reports everything
            _logger.exception("transport loop stopped by an error")
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()


async def _cancel_all() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    exception = context.get("exception")
    _logger.error("transport loop: %s", context.get("message", "error"), exc_info=exception)


#: The process-wide loop every gateway uses.
shared_loop = TransportLoop()
