"""What a running job's card says once the history has learned how long jobs take, in both languages."""

from __future__ import annotations

from client.history import JobRecord
from client.jobs import InProgress
from ui.cards import Progress, progress_html
from ui.history_text import job_facts
from ui.screens import event_screen


def test_the_bar_fills_to_the_usual_end_then_says_any_moment_then_late():
    early = progress_html(Progress(running_s=20.0, usual_s=50.0, late_s=54.0), "en")
    assert 'aria-valuenow="40"' in early and "width: 40%" in early and "Usually ready in about 30 s" in early
    assert "pg-progress-on-time" in early
    near = progress_html(Progress(running_s=50.5, usual_s=50.0, late_s=54.0), "en")
    assert "Should be ready any moment" in near and "width: 100%" in near
    late = progress_html(Progress(running_s=60.0, usual_s=50.0, late_s=54.0), "en")
    assert "Taking longer than usual" in late and "pg-progress-late" in late
    assert "Prête d&#x27;habitude dans 30 s environ" in progress_html(Progress(20.0, 50.0, 54.0), "fr")
    assert "Plus longue que d&#x27;habitude" in progress_html(Progress(60.0, 50.0, 54.0), "fr")


def test_the_running_card_shows_it_only_when_something_was_learned_and_ticks_on():
    learned = InProgress("r1", elapsed=12.0, usual_s=50.0, late_s=54.0)
    first = event_screen(learned, None, lang="en", mode="app key", elapsed_s=12.0, seed=1)
    assert first.kind == "running" and "Usually ready in about 50 s" in first.status
    tick = event_screen(None, learned, lang="en", mode="app key", elapsed_s=42.0, seed=1)  # 30 s later
    assert "Usually ready in about 20 s" in tick.status and "width: 60%" in tick.status
    unknown = event_screen(InProgress("r1", elapsed=12.0), None, lang="en", mode="", elapsed_s=20.0, seed=1)
    assert "pg-progress" not in unknown.status and "Usually" not in unknown.status


def test_the_history_shows_how_a_jobs_end_was_seen():
    job = JobRecord("r1", "local", "m", "a prompt", 7, 121, "succeeded", 1000.0, 1050.0, calls=13,
                    seen_after_s=0.31)
    assert "13 status calls · seen 0.31 s after it ended" in job_facts(job, "en", followed=False)
    assert "13 appels de suivi · vue 0,31 s après la fin" in job_facts(job, "fr", followed=False)
    quiet = JobRecord("r2", "local", "m", "", 7, 121, "succeeded", 1000.0, 1050.0, calls=9)
    assert "9 status calls" in job_facts(quiet, "en", followed=False)
