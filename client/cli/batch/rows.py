"""The rows of a batch CSV: read, named for the journal, and checked before anything is sent.

Columns (names are case-insensitive): ``image`` (a file path, relative to the CSV's folder, or an
https URL), ``prompt``, and optionally ``seed`` (blank or -1: random) and ``frames`` (blank: 121).
Rows are numbered from 1, the header not counted; a row whose cells are all blank is no job (it keeps
its number, so the numbers match a spreadsheet's data rows).
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from client import InputRefused, PreparedJob, build_job

REQUIRED = ("image", "prompt")
OPTIONAL = ("seed", "frames")


class BatchFileError(ValueError):
    """The CSV itself cannot be used (missing, unreadable, or without the required columns)."""


@dataclass(frozen=True)
class Row:
    """One data row as written in the CSV (cells stripped), and the folder its paths are relative to."""

    number: int
    image: str
    prompt: str
    seed: str
    frames: str
    base: Path

    @property
    def key(self) -> str:
        """The row's name in the journal: its number and its content, hashed.

        Any change to the row (another picture, prompt, seed or length) makes it a new row, so a
        journal entry is never taken for a row it was not written for. The picture is named as written
        (not by its bytes): hashing every picture on each run would read the whole batch twice.
        """
        text = json.dumps([self.number, self.image, self.prompt, self.seed, self.frames], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    @property
    def blank(self) -> bool:
        """True when every cell is empty (a spacer line, not a job)."""
        return not (self.image or self.prompt or self.seed or self.frames)

    @property
    def is_url(self) -> bool:
        """True when the image is given as a URL (checked as one, never fetched here)."""
        return "://" in self.image

    def image_path(self) -> Path:
        """The picture's file: absolute as written, else relative to the CSV's folder."""
        path = Path(self.image).expanduser()
        return path if path.is_absolute() else self.base / path

    def build(self) -> PreparedJob:
        """The checked job, exactly as ``generate`` builds it; InputRefused names the broken rule."""
        if self.is_url:
            return build_job(self.prompt, image_url=self.image, seed=self.seed or "-1", frames=self.frames)
        if not self.image:
            return build_job(self.prompt, image=None, seed=self.seed or "-1", frames=self.frames)
        path = self.image_path()
        if not path.is_file():
            raise InputRefused(f"no such image file: {path}", rule="image file", value=str(path))
        return build_job(self.prompt, image=path, seed=self.seed or "-1", frames=self.frames)


def read_rows(path: Path) -> list[Row]:
    """Every data row of the CSV at ``path`` (blank ones included, see :attr:`Row.blank`)."""
    try:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" export starts with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [cell.strip().lower() for cell in next(reader, [])]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                found = ", ".join(header) or "nothing"
                raise BatchFileError(f"{path}: the header must name the columns image and prompt "
                                     f"(missing: {', '.join(missing)}; found: {found})")
            where = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
            rows = []
            for number, cells in enumerate(reader, start=1):
                cell = {name: cells[i].strip() if i < len(cells) else "" for name, i in where.items()}
                rows.append(Row(number, cell["image"], cell["prompt"], cell.get("seed", ""),
                                cell.get("frames", ""), path.resolve().parent))
    except OSError as exc:
        raise BatchFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BatchFileError(f"{path}: not a UTF-8 CSV file ({exc})") from None
    return rows


@dataclass(frozen=True)
class Checked:
    """A row that passed every check: its length in frames (for the estimate) and the fixes it needs."""

    row: Row
    frames: int
    fixes: tuple[str, ...]


def check_rows(rows: list[Row]) -> tuple[list[Checked], list[tuple[Row, str]]]:
    """Every row checked as ``generate`` would: the good ones, and each refused one with its rule's sentence.

    Nothing stops at the first refusal: a person fixing the CSV wants the whole list at once.
    """
    good: list[Checked] = []
    refused: list[tuple[Row, str]] = []
    for row in rows:
        try:
            job = row.build()
        except InputRefused as exc:
            refused.append((row, str(exc)))
        else:
            good.append(Checked(row, job.request.frames, job.fixes))
    return good, refused
