"""``make run``'s console: each worker line once, no PDF library progress, the logins and the
address last."""

from __future__ import annotations

import io
import logging
import socket

from django.core.management import call_command

from shuangfang.core.management.commands.serve import Command


def test_pdf_libraries_speak_only_of_warnings_and_huey_lines_are_printed_once():
    for name in ("weasyprint", "weasyprint.progress", "fontTools", "fontTools.subset"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
    huey = logging.getLogger("huey")
    # huey's consumer adds a handler of its own only to a "huey" logger without one; with one here
    # and no propagation to the root, each line is printed once.
    assert huey.handlers and not huey.propagate


def test_the_demo_is_silent_then_the_logins_and_the_address_come_last(db):
    built = io.StringIO()
    call_command("demo", verbosity=0, stdout=built)
    assert built.getvalue() == ""  # ``make run`` builds it with -v0
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        out = io.StringIO()
        command = Command(stdout=out)
        command._ready("127.0.0.1", port)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1].startswith(f"Shuangfang is running at http://127.0.0.1:{port}/")
    assert lines[0].startswith("Demo logins (password")
    assert any(line.split()[0] == "liuyang" for line in lines[1:-1])
