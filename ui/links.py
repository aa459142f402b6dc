"""Links back to a job, and a word when one ends while the tab is in the background.

Each finished job's facts carry a link, ``?job=<request id>``: opened again (a person who left on a
phone and comes back), the page shows that job in the result column if it is this browser's (its
owner id, as the history checks it); anyone else's link shows nothing, as a job that does not exist.

Notifications are the browser's own: permission is asked on the first Generate (never before), and
a job that ends while the tab is hidden says so; this is all in the page's script (``NOTIFY_JS``).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ui.cards import facts_markdown
from ui.handlers import Playground
from ui.history import HistoryHandlers
from ui.hosting import into_gradio_cache
from ui.messages import msg
from ui.options import QUICK
from ui.result_panel import ResultPanel
from ui.screens import screen

# In the page's head: ask once, on the first press of Generate; say when a job ends out of sight; and
# when one ends in sight, bring its video fully into view.
NOTIFY_JS = """
(() => {
  document.addEventListener('click', (e) => {
    if (e.target.closest && e.target.closest('#generate') && 'Notification' in window
        && Notification.permission === 'default') Notification.requestPermission();
  }, true);
  let last = null;
  new MutationObserver(() => {
    const el = document.querySelector('#status [data-state]');
    const state = el && el.dataset.state;
    if (!state || state === last) return;
    last = state;
    const ended = ['done', 'failed', 'cancelled'].includes(state);
    const card = document.querySelector('#status');
    const video = document.querySelector('#video');
    if (state === 'done' && !document.hidden && card && video) {
      // The person is watching the result: bring the whole video into view as it arrives.
      const r = card.getBoundingClientRect();
      const seen = r.bottom > 0 && r.top < innerHeight;
      if (seen) setTimeout(() => video.scrollIntoView({block: 'nearest'}), 300);
    }
    if (ended && document.hidden && 'Notification' in window && Notification.permission === 'granted') {
      const head = document.querySelector('#status .pg-head');
      new Notification(document.title, {body: head ? head.innerText.trim() : state});
    }
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true});
})();
"""


def job_link(request_id: str, lang: str) -> str:
    """The Markdown link that brings the page back on this job."""
    return f"[{msg(lang, 'job_link')}](?job={request_id})"


class JobLinks:
    """Opens ``?job=<request id>`` for the browser that owns that job, and for nobody else."""

    def __init__(self, play: Playground, history: HistoryHandlers, result: ResultPanel) -> None:
        self.play, self.history, self.result = play, history, result

    async def open(self, owner: Any, request: gr.Request) -> dict[Any, Any]:
        """The linked job in the result column, or nothing changed (not given, or not this browser's)."""
        r = self.result
        keep = {r.status: gr.skip(), r.request_id: gr.skip(), r.video: gr.skip(), r.facts: gr.skip(),
                r.download: gr.skip()}
        params = getattr(request, "query_params", None) or {}
        rid = params.get("job") if hasattr(params, "get") else None
        job = await self.history.job(rid, owner) if rid else None
        if job is None or job.facts is None or not job.has_local_video or job.video_path is None:
            return keep
        if not job.video_path.is_file():
            return keep
        lang = self.play.language(request)
        video = await into_gradio_cache(job.video_path)
        facts = facts_markdown(job.facts, seed=job.seed, total_s=max(0.0, job.updated_at - job.created_at),
                               cost=None if job.offline else job.cost, lang=lang)
        shown = screen("done", lang, msg(lang, "done"), msg(lang, "job_reopened"), request_id=job.request_id)
        return {r.status: shown.status, r.request_id: job.request_id, r.video: str(video),
                r.facts: f"{facts} · {job_link(job.request_id, lang)}", r.download: gr.DownloadButton(
                    value=str(video), visible=True)}


def wire_job_links(links: JobLinks, owner: Any, demo: gr.Blocks) -> None:
    """On load: the job named by ``?job=``, if it is this browser's."""
    r = links.result
    demo.load(links.open, inputs=owner, outputs=[r.status, r.request_id, r.video, r.facts, r.download],
              **QUICK)
