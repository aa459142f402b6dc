"""Settings precedence and the token's masking."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from client.jobs import Settings, default_data_dir
from client.runcomfy import DEFAULT_BASE_URL, Secret


def test_defaults_with_nothing_set(tmp_path):
    settings = Settings.load(env={}, dotenv_path=tmp_path / "missing.env")
    assert settings.offline and settings.token is None
    assert settings.base_url == DEFAULT_BASE_URL and settings.deadline_s == 1800


def test_arguments_beat_environment_which_beats_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("RUNCOMFY_API_TOKEN=fake-from-dotenv\nRUNCOMFY_DEADLINE_SECONDS=10\n"
                      "RUNCOMFY_BASE_URL=http://127.0.0.1:1/v1\n")
    from_file = Settings.load(env={}, dotenv_path=dotenv)
    assert from_file.token == Secret("fake-from-dotenv") and from_file.deadline_s == 10
    from_env = Settings.load(env={"RUNCOMFY_API_TOKEN": "fake-from-env"}, dotenv_path=dotenv)
    assert from_env.token == Secret("fake-from-env") and from_env.deadline_s == 10
    from_args = Settings.load(env={"RUNCOMFY_API_TOKEN": "fake-from-env"}, dotenv_path=dotenv,
                              token="fake-from-args", deadline_s=None)
    assert from_args.token == Secret("fake-from-args") and from_args.deadline_s == 10
    assert "RUNCOMFY_API_TOKEN" not in os.environ or os.environ["RUNCOMFY_API_TOKEN"] != "fake-from-dotenv"


def test_official_cli_token_name_is_accepted_and_blank_means_offline():
    settings = Settings.load(env={"RUNCOMFY_TOKEN": "fake-cli-name"}, dotenv_path=None)
    assert settings.token == Secret("fake-cli-name")
    assert Settings.load(env={"RUNCOMFY_API_TOKEN": "   "}, dotenv_path=None).offline


def test_the_token_is_masked_everywhere():
    settings = Settings.load(env={"RUNCOMFY_API_TOKEN": "fake-secret-value-42"}, dotenv_path=None)
    for text in (repr(settings), str(settings), f"{settings.token}", repr(settings.token)):
        assert "fake-secret-value-42" not in text
    assert settings.token.reveal() == "fake-secret-value-42"
    with pytest.raises(TypeError):
        pickle.dumps(settings.token)


def test_a_bad_number_names_the_setting_not_the_value():
    with pytest.raises(ValueError, match="RUNCOMFY_DEADLINE_SECONDS") as info:
        Settings.load(env={"RUNCOMFY_DEADLINE_SECONDS": "fake-token-pasted-here"}, dotenv_path=None)
    assert "fake-token-pasted-here" not in str(info.value)


def test_default_data_dir_is_slash_data_only_on_a_space_with_writable_storage(tmp_path):
    assert default_data_dir({}, space_dir=tmp_path) == Path("data")
    assert default_data_dir({"SPACE_ID": "me/app"}, space_dir=tmp_path) == tmp_path
    assert default_data_dir({"SPACE_ID": "me/app"}, space_dir=tmp_path / "missing") == Path("data")
    settings = Settings.load(env={"RUNCOMFY_VIDEO_BUDGET_MB": "12.5"}, dotenv_path=None)
    assert settings.video_budget_mb == 12.5 and settings.data_dir == Path("data")
    assert Settings.load(env={"RUNCOMFY_DATA_DIR": str(tmp_path)}, dotenv_path=None).data_dir == tmp_path
