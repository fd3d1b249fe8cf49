"""Roster solves as background jobs: submitted by the API, polled for progress."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from gateway.errors import GatewayError
from gateway.roster.service import SolveRequest, solve_site
from hrcore.errors import StoreError
from scheduler.errors import SchedulerError
from scheduler.model import Progress, SolveOptions

log = logging.getLogger(__name__)

#: jobs remembered (the oldest finished ones are forgotten past this)
MAX_JOBS = 200


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class JobView:
    id: int
    site_code: str
    status: JobStatus
    submitted_at: datetime
    finished_at: datetime | None = None
    #: best objective so far, seconds into the solve, rosters found
    objective: int | None = None
    seconds: float | None = None
    solutions: int = 0
    solve_status: str | None = None
    run_id: int | None = None
    message: str = ""


class SolveJobs:
    """One worker thread solves queued jobs in turn (a solve takes the CPU it is given)."""

    def __init__(
        self, factory: sessionmaker[Session], clock: Callable[[], datetime], workers: int = 1
    ) -> None:
        self._factory = factory
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="roster-job")
        self._lock = threading.Lock()
        self._jobs: dict[int, JobView] = {}
        self._next = 1

    def submit(self, req: SolveRequest, options: SolveOptions) -> JobView:
        with self._lock:
            job = JobView(
                id=self._next,
                site_code=req.site_code,
                status=JobStatus.QUEUED,
                submitted_at=self._clock(),
            )
            self._next += 1
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job.id, req, options)
        return job

    def get(self, job_id: int) -> JobView | None:
        with self._lock:
            return self._jobs.get(job_id)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _update(self, job_id: int, **changes: object) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)  # type: ignore[arg-type]

    def _forget_old(self) -> None:
        done = [j.id for j in self._jobs.values() if j.finished_at is not None]
        for job_id in done[: max(0, len(self._jobs) - MAX_JOBS)]:
            del self._jobs[job_id]

    def _run(self, job_id: int, req: SolveRequest, options: SolveOptions) -> None:
        self._update(job_id, status=JobStatus.RUNNING)

        def progress(p: Progress) -> None:
            self._update(job_id, objective=p.objective, seconds=p.seconds, solutions=p.solutions)

        try:
            out = solve_site(self._factory, req, options, clock=self._clock, on_progress=progress)
        except (StoreError, SchedulerError, GatewayError) as exc:
            self._update(
                job_id, status=JobStatus.FAILED, finished_at=self._clock(), message=str(exc)
            )
            log.warning("roster job failed job=%d site=%s error=%s", job_id, req.site_code, exc)
            return
        except Exception as exc:  # a job must end, and say why
            self._update(
                job_id,
                status=JobStatus.FAILED,
                finished_at=self._clock(),
                message=f"internal error: {type(exc).__name__}; see the log",
            )
            log.exception("roster job crashed job=%d site=%s", job_id, req.site_code)
            return
        res = out.result
        if out.run_id is None:
            self._update(
                job_id,
                status=JobStatus.FAILED,
                finished_at=self._clock(),
                solve_status=str(res.status),
                message=f"no roster found ({res.status}); relax the demand or allow more time",
            )
            return
        self._update(
            job_id,
            status=JobStatus.DONE,
            finished_at=self._clock(),
            objective=res.objective,
            seconds=res.seconds,
            solve_status=str(res.status),
            run_id=out.run_id,
            message=f"draft run {out.run_id} saved",
        )
        log.info("roster job done job=%d site=%s run=%d", job_id, req.site_code, out.run_id)
