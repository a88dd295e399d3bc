"""A drop zone one can also click: the scenario upload of the host's form.

Solara's ``FileDrop`` only takes a dragged file; a teacher on a laptop expects to click and pick one.
This is Solara's own drop zone (``FileDropZone``, the same upload protocol) with a file picker behind
a click (or Enter, or Space) on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import solara
from solara.components.file_drop import FileDropZone


class _ClickDropZone(FileDropZone):
    template_file = (__file__, "scenario_drop.vue")


@solara.component
def ClickableFileDrop(label: str, on_file: Callable[[dict], None]):
    """A zone that takes a dropped or clicked-for file; ``on_file`` gets Solara's file info with its ``data``."""
    file_info, set_file_info = solara.use_state(None)
    wired, set_wired = solara.use_state(None)
    zone = _ClickDropZone.element(label=label, on_file_info=set_file_info, multiple=False)

    def wire():
        if file_info:
            real = solara.get_widget(zone)
            real.version += 1  # as Solara's FileDrop does: a new read of the new file
            real.reset_stats()
            set_wired(real.get_files())

    solara.use_effect(wire, [file_info])

    def read(cancel: threading.Event):
        if wired:
            wired[0]["data"] = wired[0]["file_obj"].read()
            on_file(wired[0])

    result = solara.use_thread(read, [wired])
    if result.error:
        raise result.error
    return zone
