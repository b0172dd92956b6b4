"""Structured logs: JSON lines in production, readable lines on a terminal (`console`)."""

from __future__ import annotations

import logging
import sys

import structlog

from workflows.stale_clock import ClockBehindTimer

# The SDK's logger of failed workflow activations.
WORKFLOW_TASK_LOGGER = "temporalio.worker._workflow_instance"


class _StderrLogger:
    """Writes each line to whatever `sys.stderr` is at that moment (tests swap it)."""

    def __init__(self, *_args: object) -> None:
        pass

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def configure_logging(log_format: str = "json", level: int = logging.INFO) -> None:
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
        if log_format == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_StderrLogger,
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    workflow_tasks = logging.getLogger(WORKFLOW_TASK_LOGGER)
    if not any(isinstance(f, StaleClockOneLine) for f in workflow_tasks.filters):
        workflow_tasks.addFilter(StaleClockOneLine())


class StaleClockOneLine(logging.Filter):
    """A workflow task refused by the stale-clock guard is expected after a worker died and
    harmless (docs/reliability.md, "Faults"): one line saying so, not the SDK's traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ClockBehindTimer):
            record.msg = (
                f"{record.getMessage()}: {error}; expected after a worker died, the case is "
                "rebuilt from its history"
            )
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def case_logger(case_id: str, **context: object) -> structlog.stdlib.BoundLogger:
    """A logger with `case_id` bound, for activities working on one case."""
    return structlog.get_logger("repairdesk").bind(case_id=case_id, **context)
