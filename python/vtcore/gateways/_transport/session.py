"""`LoopSession`: the life of a gateway whose protocol client runs as one coroutine on the shared transport
loop (the socket-protocol gateways, IB and FUTU), from `connect` to `close`.

- `start(coroutine)` (connect, any thread): acquires the shared loop and runs the coroutine there;
- `stop(before)` (close, any thread): calls `before` on the loop (the client's own stop), cancels the
  coroutine, waits until its clean-up (`finally:` blocks) has run, then releases the loop;
- `call_soon(fn, *args)`: hands work from a request thread to the loop (False when not running);
- `result(coroutine, timeout)`: a request thread waits for a coroutine run on the loop (history queries);
- `spawn(coroutine)` (loop thread): a task kept referenced until it ends (the loop keeps tasks only weakly),
  whose failure goes to `on_error` unless it is a ConnectionError (the session ended: the gateway catches up
  when it is back);
- a coroutine that ends on an unexpected exception says so through `on_error` (at ERROR), never silently.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from vtcore.gateways._transport.loop import shared_loop

T = TypeVar("T")


class LoopSession:
    def __init__(self, on_error: Callable[[str, int], None]) -> None:
        """`on_error(message, level)`: how a failure is said (a gateway's `write_log`)."""
        self._on_error = on_error
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: concurrent.futures.Future[Any] | None = None
        self._started = False  # the coroutine began (so its clean-up will run and must be waited for)
        self._finished = threading.Event()
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._started = False
        self._finished.clear()
        self.loop = shared_loop.acquire()
        self._task = shared_loop.submit(self._run(coroutine))

    async def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._started = True
        try:
            await coroutine
        except Exception as error:  # nothing else would ever read it: say it
            self._on_error(
                f"the session ended on an unexpected error: {type(error).__name__}: {error}", logging.ERROR
            )
        finally:
            self._finished.set()

    def stop(self, before: Callable[[], None] | None = None, timeout: float = 5.0) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        loop = self.loop
        if before is not None and loop is not None:
            loop.call_soon_threadsafe(before)
        task.cancel()  # also ends a wait between reconnect attempts
        if self._started:  # the coroutine ran: let its clean-up finish
            self._finished.wait(timeout)
        shared_loop.release()
        self.loop = None

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> bool:
        loop = self.loop
        if loop is None:
            return False
        loop.call_soon_threadsafe(fn, *args)
        return True

    def result(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        return shared_loop.submit(coroutine).result(timeout)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None and not isinstance(error, ConnectionError):
            self._on_error(f"request failed: {error}", logging.WARNING)
