"""Every failure becomes a message on the page, never a traceback.

``shown_errors`` wraps a section of a page: bad input (a scenario, data, physics or
scheduling error, whose message already says what is wrong and how to fix it) becomes an
``st.error``, its text escaped (it quotes values and file names as the user wrote them:
they show as written and never become a link, an image or HTML); anything else an
"internal error" line, with the traceback going to the server's log only. Streamlit's own control flow (``st.stop``, ``st.rerun``) derives from
``BaseException`` and passes through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ui.tables import markdown_text

LOG = logging.getLogger("coolshift.ui")


def input_message(exc: BaseException) -> str:
    """The message of an input error as Markdown: one line of the page per line of it, an
    indented line (the CLI's list of details) as a list item.

    The message names what the user gave (field values, file names, cells of a file), so
    every line is escaped (:func:`ui.tables.markdown_text`): it reads as written and
    becomes no link, image, HTML or formatting.
    """
    text = str(exc).strip() or type(exc).__name__
    lines = text.split("\n")
    out = markdown_text(lines[0])
    for line in lines[1:]:
        if line.startswith("  ") and line.strip():
            out += "\n\n- " + markdown_text(line)
        else:
            out += "  \n" + markdown_text(line)
    return out


def error_text(exc: Exception, action: str) -> str:
    """The message shown for an exception raised while trying to do ``action``.

    Parameters
    ----------
    exc : Exception
        An input error (its message shown, escaped) or anything else (an "internal
        error" line; the traceback goes to the server's log only).
    action : str
        What was being done, as in "Cannot {action}"; it may name the user's scenario
        or run, so it is escaped too. Only the bold lead is coolshift's own Markdown.
    """
    from scenarios.explore import input_errors  # here: the app's first page starts faster

    what = markdown_text(action)
    if isinstance(exc, input_errors()):
        return f"**Cannot {what}.** {input_message(exc)}"
    LOG.error("internal error while trying to %s", action, exc_info=exc)
    return (
        f"**Internal error while trying to {what}** ({type(exc).__name__}). This is a bug "
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
