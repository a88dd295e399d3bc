"""chaingame.fakeshell on the installed Solara: a page's comm message goes through the quiet events."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Run in a fresh interpreter: install() changes Solara's module for the whole process, as it does in the server.
CHECK = """
    from unittest import mock

    import ipywidgets
    import IPython
    import solara.server.app  # noqa: F401 - replaces IPython.get_ipython, as in the server
    from solara.server import kernel, kernel_context

    from chaingame import fakeshell

    context = kernel_context.VirtualKernelContext(id="k", kernel=kernel.Kernel(), session_id="s")
    with context:
        assert isinstance(IPython.get_ipython().events, mock.MagicMock), "Solara's shell no longer builds a MagicMock"
        assert fakeshell.install()
        shell = IPython.get_ipython()
        assert type(shell.events) is fakeshell.Events, type(shell.events)
        assert shell.events.trigger("pre_execute") is None
        assert shell.events.register("post_execute", print) is None
        field = ipywidgets.IntText(value=1)
        seen = []
        field.observe(lambda change: seen.append(change["new"]), "value")
        # what a page's browser sends when a player types 7: a comm message to the widget, handled by comm's
        # handle_msg, which triggers the shell's pre_execute and post_execute events around the widget's handler
        field.comm.handle_msg({"content": {"data": {"method": "update", "state": {"value": 7}, "buffer_paths": []}},
                               "buffers": []})
        assert field.value == 7 and seen == [7], (field.value, seen)
    context.close()
    print("ok")
"""


def test_a_comm_message_runs_through_the_quiet_events_not_a_magicmock():
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(CHECK)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_install_leaves_a_solara_whose_shell_builds_no_events_alone(monkeypatch):
    from solara.server import patch

    from chaingame import fakeshell

    class Shell:  # a FakeIPython that builds its events some other way
        def __init__(self, context):
            self.events = None

    monkeypatch.setattr(patch, "FakeIPython", Shell)
    before = patch.mock
    assert fakeshell.install() is False
    assert patch.mock is before
