"""The DataLoader's worker processes: each runs one function on the tasks it is sent and pipes back the results.

Why not `multiprocessing.Pool`: a Pool worker that dies (os._exit, a segfault in a C extension, the OOM killer)
is silently replaced and its task lost, and an exception that cannot be rebuilt as `cls(*args)` kills the Pool's
result thread; either way the caller waits forever. Here each worker has its own result pipe, and the main process
waits on those pipes and on the processes' sentinels together, so a death is seen as soon as it happens and is
reported with the worker's pid, exit code and batch. Exceptions travel as PyTorch's `ExceptionWrapper` does: the
type and the traceback text, never the exception object, re-raised as that type when it can be built from one
message (otherwise RuntimeError)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import queue
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

_STATUS_INTERVAL_S = 5.0  # how often a waiting loader re-checks liveness, and an idle worker checks its parent


class _KeyErrorMessage(str):
    """KeyError's str() is the repr of its argument, which would print the traceback as one escaped line."""

    def __repr__(self) -> str:
        return self


@dataclass
class WorkerFailure:
    """An exception raised in a worker, as type and traceback text (torch.utils.data's ExceptionWrapper)."""

    worker: int
    batch: int
    exc_type: type[BaseException] | None
    type_name: str
    traceback_text: str

    @classmethod
    def capture(cls, worker: int, batch: int) -> WorkerFailure:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None
        return cls(worker, batch, exc_type, exc_type.__name__, "".join(traceback.format_exception(exc_type, exc, tb)))

    def reraise(self) -> None:
        message = (f"Caught {self.type_name} in DataLoader worker process {self.worker} while loading batch "
                   f"{self.batch}.\nOriginal {self.traceback_text}")
        if self.exc_type is KeyError:
            message = _KeyErrorMessage(message)
        try:
            exception = self.exc_type(message) if self.exc_type is not None else None
        except Exception:  # noqa: BLE001 - an __init__ that wants other arguments: torch falls back the same way
            exception = None
        if exception is None:
            raise RuntimeError(message)
        raise exception


def _worker_loop(worker: int, function: Callable[..., Any], tasks: Any, results: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle; it stops the workers
    parent = multiprocessing.parent_process()
    while True:
        try:
            task = tasks.get(timeout=_STATUS_INTERVAL_S)
        except queue.Empty:
            if parent is not None and not parent.is_alive():  # the main process was killed: do not linger
                return
            continue
        if task is None:
            return
        batch, args = task
        try:
            reply: Any = function(*args)
        except Exception:  # noqa: BLE001 - every failure goes back to the main process
            reply = WorkerFailure.capture(worker, batch)
        try:
            results.send((batch, reply))  # pickles first, writes after: a failure here has written nothing
        except Exception:  # noqa: BLE001 - the batch, or the exception's class, cannot be pickled
            failure = (replace(reply, exc_type=None) if isinstance(reply, WorkerFailure)
                       else WorkerFailure.capture(worker, batch))
            try:
                results.send((batch, failure))
            except Exception:  # noqa: BLE001 - the pickling error's own class is local to the data set
                results.send((batch, replace(failure, exc_type=None)))


@dataclass
class _Worker:
    process: Any
    tasks: Any
    results: Any


class WorkerPool:
    """`num_workers` processes running `function`; `submit` sends batch i to worker i % num_workers, `get(i)`
    returns its result or raises what went wrong."""

    def __init__(self, function: Callable[..., Any], num_workers: int, context: str | None = None) -> None:
        ctx = multiprocessing.get_context(context)
        self.workers: list[_Worker] = []
        self._done: dict[int, Any] = {}
        self._owner: dict[int, int] = {}  # batch -> worker, for the batches sent and not yet received
        try:
            for w in range(num_workers):
                tasks = ctx.Queue()
                reader, writer = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_worker_loop, args=(w, function, tasks, writer), daemon=True,
                                      name=f"ember-DataLoader-worker-{w}")
                process.start()
                writer.close()  # the worker holds the only write end: its death reads as end-of-file here
                self.workers.append(_Worker(process, tasks, reader))
        except BaseException:
            self.close()
            raise

    def submit(self, batch: int, args: tuple[Any, ...]) -> None:
        w = batch % len(self.workers)
        self.workers[w].tasks.put((batch, args))
        self._owner[batch] = w

    def get(self, batch: int, timeout: float = 0) -> Any:
        """Batch `batch`'s result, waiting at most `timeout` seconds (0: no limit) while checking the workers."""
        deadline = time.monotonic() + timeout if timeout else None
        while batch not in self._done:
            wait_s = _STATUS_INTERVAL_S
            if deadline is not None:
                wait_s = min(wait_s, deadline - time.monotonic())
                if wait_s <= 0:
                    worker = self.workers[self._owner[batch]]
                    raise RuntimeError(
                        f"DataLoader timed out after {timeout} seconds waiting for batch {batch} from worker "
                        f"{self._owner[batch]} (pid {worker.process.pid}); loading it takes longer than timeout= "
                        "allows: raise timeout=, or pass timeout=0 to wait without limit")
            ready = multiprocessing.connection.wait(
                [w.results for w in self.workers] + [w.process.sentinel for w in self.workers], wait_s)
            for w, worker in enumerate(self.workers):
                if worker.results in ready or worker.process.sentinel in ready or not worker.process.is_alive():
                    self._drain(w, worker)
        reply = self._done.pop(batch)
        if isinstance(reply, WorkerFailure):
            reply.reraise()
        return reply

    def _drain(self, w: int, worker: _Worker) -> None:
        """Take every result worker `w` has sent; raise if it is dead (or closed its pipe, which only death does)."""
        try:
            while worker.results.poll():
                batch, reply = worker.results.recv()
                self._done[batch] = reply
                self._owner.pop(batch, None)
        except (EOFError, OSError):
            pass
        else:
            if worker.process.is_alive():
                return
        worker.process.join(timeout=_STATUS_INTERVAL_S)  # reap it, for its exit code
        raise RuntimeError(self._death_message(w, worker))

    def _death_message(self, w: int, worker: _Worker) -> str:
        code = worker.process.exitcode
        how = f"exit code {code}"
        if code is not None and code < 0:
            try:
                how += f" (killed by signal {signal.Signals(-code).name})"
            except ValueError:
                how += f" (killed by signal {-code})"
        held = sorted(b for b, owner in self._owner.items() if owner == w)
        where = f"while loading batch {held[0]}" if held else "while idle"
        return (f"DataLoader worker (pid {worker.process.pid}) exited unexpectedly with {how} {where} (worker {w} "
                f"of {len(self.workers)}). A worker dies like this when a C extension crashes (SIGSEGV), the "
                "out-of-memory killer stops it (SIGKILL: use fewer workers or smaller batches), or the data set "
                "calls os._exit or sys.exit; num_workers=0 loads in this process, where the failure shows directly")

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self.workers:
            worker.process.join(timeout=_STATUS_INTERVAL_S)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.results.close()
            worker.tasks.close()
            worker.tasks.cancel_join_thread()
        self.workers = []
