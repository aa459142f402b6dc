"""Offline, nothing goes to RunComfy and nothing is billed: the page never says otherwise, EN or FR."""

from __future__ import annotations

import asyncio
from pathlib import Path

import gradio as gr

from client.history import JobRecord
from client.jobs import Cancelled, InProgress, PollPlan, Queued, Routes, Settings, Submitted, connect
from client.media import VideoFacts
from client.offline import OfflineConfig
from tests.apps import ROOT
from ui.handlers import Playground
from ui.history_text import job_facts
from ui.screens import event_screen
from ui.session import VisitorSession
from ui.visitors import HourlyLimit

EXAMPLE = str(ROOT / "examples" / "golden_street.jpg")
SAYS_RUNCOMFY_OR_MONEY = ("RunComfy", "bill", "factur", "cost", "coût", "$")


def test_each_state_of_an_offline_job_speaks_of_the_offline_preview_only():
    events = [Submitted("r1", 5), Queued("r1", None), Queued("r1", 0), Queued("r1", 2), InProgress("r1"),
              Cancelled("r1")]
    for lang, name in (("en", "offline preview"), ("fr", "aperçu hors ligne")):
        for event in events:
            shown = event_screen(event, None, lang=lang, mode=name, elapsed_s=1.0, seed=5, offline=True)
            assert not any(word in shown.text for word in SAYS_RUNCOMFY_OR_MONEY), (lang, event, shown.text)
        queued = event_screen(Queued("r1", 2), None, lang=lang, mode="", elapsed_s=1.0, seed=5, offline=True)
        assert name in queued.text
    # With a key, RunComfy is named as before.
    assert "RunComfy" in event_screen(InProgress("r1"), None, lang="en", mode="", elapsed_s=1.0, seed=5).text


def test_an_offline_run_on_the_page_names_no_api_and_shows_no_cost(tmp_path: Path):
    async def go() -> list[object]:
        settings = Settings.load(env={}, dotenv_path=None, outputs_dir=tmp_path)
        own = connect(settings, offline_config=OfflineConfig(queue_s=0.3, run_s=0.3, start_position=1))
        own.poll = PollPlan.fixed(0.05)
        play = Playground(Routes(own, own), limiter=HourlyLimit(1), tick_s=0.1)
        request = gr.Request(headers={"accept-language": "en"}, client={"host": "10.0.0.1"})
        form = {"prompt": "A slow push-in", "image": EXAMPLE, "image_url": "", "source": "upload", "seed": 3,
                "random_seed": False, "frames": 121}
        return [s async for s in play.generate(**form, session=VisitorSession(), request=request)]

    screens = asyncio.run(asyncio.wait_for(go(), 30))
    assert screens[-1].kind == "done" and "5.04 s" in screens[-1].facts
    for shown in screens:
        assert not any(word in shown.text + str(shown.facts) for word in SAYS_RUNCOMFY_OR_MONEY), shown.text


def test_the_history_never_shows_a_cost_for_an_offline_job():
    facts = VideoFacts(5.04, 121, 24.0, 1280, 720, 123_000)
    offline = JobRecord("r1", "local", "m", "p", 1, 121, "succeeded", 1.0, 2.0, facts=facts, cost=0.25,
                        offline=True)
    paid = JobRecord("r2", "local", "m", "p", 1, 121, "succeeded", 1.0, 2.0, facts=facts, cost=0.25)
    assert "$" not in job_facts(offline, "en", followed=False) and "coût" not in job_facts(offline, "fr",
                                                                                           followed=False)
    assert "cost $0.25" in job_facts(paid, "en", followed=False)
