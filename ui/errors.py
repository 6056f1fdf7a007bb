"""Every failure becomes a message on the page, never a traceback.

``shown_errors`` wraps a section of a page: bad input (a scenario, data, physics or
scheduling error, whose message already says what is wrong and how to fix it) becomes an
``st.error``; anything else an "internal error" line, with the traceback going to the
server's log only. Streamlit's own control flow (``st.stop``, ``st.rerun``) derives from
``BaseException`` and passes through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

LOG = logging.getLogger("coolshift.ui")


def input_message(exc: BaseException) -> str:
    """The message of an input error, one paragraph per line of it."""
    text = str(exc).strip() or type(exc).__name__
    return text.replace("\n  ", "\n\n- ").replace("\n", "  \n")


def error_text(exc: Exception, action: str) -> str:
    """The message shown for an exception raised while trying to do ``action``."""
    from scenarios.explore import input_errors  # here: the app's first page starts faster

    if isinstance(exc, input_errors()):
        return f"**Cannot {action}.** {input_message(exc)}"
    LOG.error("internal error while trying to %s", action, exc_info=exc)
    return (
        f"**Internal error while trying to {action}** ({type(exc).__name__}). This is a bug "
        "in coolshift, not in your input; the details are in the server log. Try another "
        "value, or reload the page."
    )


@contextmanager
def shown_errors(action: str) -> Iterator[None]:
    """Show any exception raised in the block as an error message about ``action``.

    Parameters
    ----------
    action : str
        What the block does, as in "Cannot {action}", e.g. "simulate the halls".
    """
    try:
        yield
    except Exception as exc:
        st.error(error_text(exc, action))


@contextmanager
def noted_errors(action: str, notes: list) -> Iterator[None]:
    """Like :func:`shown_errors` for callbacks, which run before the page is drawn: the
    message is appended to ``notes`` as ("error", text) for the page to show."""
    try:
        yield
    except Exception as exc:
        notes.append(("error", error_text(exc, action)))
