"""The Dask backend: chunks run on a running Dask cluster (``dask.distributed``), the
optional extra ``realpolitik[dask]``, imported only here. The same contract as the local
backends (:mod:`.backends`): ``map(fn, tasks)`` yields ``(index, result)`` as chunks finish,
a chunk's own exception propagates (noting the chunk), :class:`~.backends.BackendError` is
for the cluster itself."""

from __future__ import annotations

import numbers
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .backends import IN_FLIGHT_PER_WORKER, BackendError, _failed, _take

__all__ = ["DEFAULT_DASK_PORT", "INSTALL_HINT", "START_HINT", "DaskCluster", "normalise_address"]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_DASK_PORT = 8786
"""The port ``dask scheduler`` listens on unless told otherwise."""

INSTALL_HINT = "a Dask cluster (`scheduler`) needs the dask extra: pip install 'realpolitik[dask]'"
START_HINT = "start one with `dask scheduler`, then workers with `dask worker tcp://HOST:8786`"


_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)"
    r"(?::(?P<port>[0-9]+))?/?$"
)


def normalise_address(address: str) -> str:
    """``host``, ``host:port``, ``tcp://host:port`` or ``tls://host:port`` as
    ``scheme://host:port`` (default scheme ``tcp``, default port 8786)."""
    if not isinstance(address, str):
        raise BackendError(f"the scheduler address must be a string, not {address!r}")
    text = address.strip()
    example = f"e.g. tcp://10.0.0.5:{DEFAULT_DASK_PORT} or 10.0.0.5:{DEFAULT_DASK_PORT}"
    match = _ADDRESS.match(text)
    if match is None:
        raise BackendError(
            f"bad scheduler address {address!r}: expected tcp://HOST:PORT or HOST:PORT ({example})"
        )
    scheme = (match["scheme"] or "tcp").lower()
    if scheme not in ("tcp", "tls"):
        raise BackendError(
            f"bad scheduler address {address!r}: the protocol must be tcp:// (or tls:// "
            f"for a TLS-secured cluster), not {scheme}:// ({example})"
        )
    port = int(match["port"]) if match["port"] is not None else DEFAULT_DASK_PORT
    if not 1 <= port <= 65535:
        raise BackendError(f"bad scheduler address {address!r}: port {port} is not in 1-65535")
    return f"{scheme}://{match['host']}:{port}"


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise BackendError(INSTALL_HINT) from exc
    return distributed


def _worker_version() -> str:
    """Run on every Dask worker: the realpolitik version it has installed."""
    from .._version import __version__

    return __version__


class DaskCluster:
    """Run chunks on a running Dask cluster, reached at ``address``.

    The client connects on first use (:attr:`workers` or :meth:`map`), waits up to
    ``timeout`` seconds for the scheduler and for a first worker, checks that every worker
    runs this realpolitik version, and is closed when :meth:`map` ends. A worker that dies
    mid-run is no error: the scheduler reruns its chunks elsewhere (a chunk that kills
    several workers in turn is reported). Credentials for a ``tls://`` address come from
    Dask's configuration (``distributed.comm.tls.*``).
    """

    def __init__(self, address: str, *, timeout: float = 10.0) -> None:
        self.address: str = normalise_address(address)
        if not (isinstance(timeout, numbers.Real) and timeout > 0):
            raise BackendError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.timeout: float = float(timeout)
        _import_distributed()  # fail now, with the install hint, if the extra is missing
        self._client: Any = None
        self._threads: int = 0

    def __repr__(self) -> str:
        return f"DaskCluster({self.address!r}, timeout={self.timeout:g})"

    @property
    def workers(self) -> int:
        """The worker threads of the cluster (connects if not yet connected)."""
        self._connect()
        return self._threads

    def describe(self) -> str:
        where = f"Dask cluster at {self.address}"
        if self._client is None:
            return where
        return f"{where} ({self._threads} worker thread{'' if self._threads == 1 else 's'})"

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        distributed = _import_distributed()
        try:
            client = distributed.Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise BackendError(
                f"cannot reach a Dask scheduler at {self.address} within {self.timeout:g} s; "
                f"{START_HINT}"
            ) from exc
        try:
            try:
                client.wait_for_workers(1, timeout=self.timeout)
            except (OSError, TimeoutError) as exc:
                raise BackendError(
                    f"the Dask scheduler at {self.address} has no workers after "
                    f"{self.timeout:g} s; start some with `dask worker {self.address}`"
                ) from exc
            self._check_versions(client)
            self._threads = max(1, sum(client.nthreads().values()))
        except BaseException:
            client.close()
            raise
        self._client = client
        return client

    def _check_versions(self, client: Any) -> None:
        from .._version import __version__

        try:
            versions: dict[str, str] = client.run(_worker_version)
        except Exception as exc:
            raise BackendError(
                f"the Dask workers at {self.address} cannot import realpolitik "
                f"({type(exc).__name__}: {exc}); install realpolitik {__version__} on every "
                "worker"
            ) from exc
        wrong = {worker: v for worker, v in versions.items() if v != __version__}
        if wrong:
            listed = ", ".join(f"{w} has {v}" for w, v in sorted(wrong.items()))
            raise BackendError(
                f"Dask workers must run realpolitik {__version__}, like this process: {listed}"
            )

    def close(self) -> None:
        """Close the client (done by :meth:`map` when it ends); safe to call twice."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def map(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        on_result: Callable[[int, R], object] | None = None,
    ) -> Iterator[tuple[int, R]]:
        client = self._connect()
        distributed = _import_distributed()
        limit = IN_FLIGHT_PER_WORKER * self._threads
        run = uuid.uuid4().hex
        todo = enumerate(tasks)
        pending: dict[str, tuple[int, Any]] = {}
        ready = distributed.as_completed(loop=client.loop)

        def submit(n: int) -> None:
            for index, task in _take(todo, n):
                key = f"realpolitik-chunk-{index}-{run}"
                future = client.submit(fn, task, key=key, pure=False)
                pending[key] = (index, future)
                ready.add(future)

        try:
            submit(limit)
            for future in ready:
                index, _ = pending.pop(future.key)
                try:
                    result = future.result()
                except distributed.KilledWorker as exc:
                    raise BackendError(
                        f"chunk {index} killed every Dask worker that ran it ({exc}); "
                        "run with `workers=1` to debug in process"
                    ) from exc
                except Exception as exc:
                    _failed(index, exc)
                    raise
                future.release()
                submit(limit - len(pending))
                if on_result is not None:
                    on_result(index, result)
                yield index, result
        finally:
            if pending:
                try:
                    client.cancel([future for _, future in pending.values()])
                except Exception:  # best effort: the client is closed below
                    pass
            self.close()
