"""One table per language: every key in each, the same placeholders, French that is French, numbers
written the French way, and every check, fix and refusal carrying its sentence as key + parameters."""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Callable

import pytest

from client.dreamina import (
    SCHEMA,
    InputRefused,
    Wording,
    build_job,
    check_frames,
    check_image_url,
    check_prompt,
    decimal_text,
    frames_text,
    inspect_image,
    language,
    number_text,
    prepare_image,
    refusal_text,
    resolve_seed,
    sentence,
    size_text,
)
from client.dreamina.wording import SENTENCES, TECHNICAL
from tests import image_corpus as corpus

NNBSP = "\u202f"
# Words that would betray English on the French page (none of them is also a French word).
ENGLISH = {
    "width", "height", "must", "file", "size", "will", "only", "the", "and", "than", "more", "less", "is",
    "be", "not", "of", "to", "with", "at", "by", "as", "cannot", "read", "bytes", "whole", "number",
    "converted", "convert", "downscale", "picture", "after", "before", "give", "empty", "missing",
}
# A value per format spec, to render every template.
SAMPLE = {"": 7, "n": 4_700_000, "dec": 1.78, "mb": 4_700_000, "mb1": 51_000_000, "size": 49_378,
          "or": ("JPEG", "PNG"), "semi": ("un", "deux")}


def fields(template: str) -> set[tuple[str, str, str | None]]:
    """Each placeholder of a template: (name, format spec, conversion)."""
    return {(name, spec or "", conv) for _, name, spec, conv in string.Formatter().parse(template) if name}


def french_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)}


def render(key: str, lang: str) -> str:
    wanted = fields(SENTENCES["en"][key]) | fields(SENTENCES[lang][key])
    params = {name: SAMPLE[spec] for name, spec, _ in wanted}
    return sentence(key, lang, **params)


# --- the tables -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", [lang for lang in SENTENCES if lang != "en"])
def test_every_key_is_in_every_table_with_the_same_placeholders(lang: str) -> None:
    assert set(SENTENCES[lang]) == set(SENTENCES["en"])
    for key, english in SENTENCES["en"].items():
        theirs, ours = fields(SENTENCES[lang][key]), fields(english)
        # Only a third party's English words ({detail}) may be left out, never added.
        assert theirs <= ours and {name for name, _, _ in ours - theirs} <= TECHNICAL, key


@pytest.mark.parametrize("lang", list(SENTENCES))
def test_every_sentence_renders(lang: str) -> None:
    for key in SENTENCES[lang]:
        assert isinstance(render(key, lang), str)


def test_no_french_sentence_holds_an_english_word() -> None:
    for key in SENTENCES["fr"]:
        leaked = french_words(render(key, "fr")) & ENGLISH
        assert not leaked, (key, leaked)


def test_the_words_list_would_catch_the_english_table() -> None:
    assert french_words(render("side_small", "en")) & ENGLISH
    assert french_words(render("will_reencode", "en")) & ENGLISH


def test_an_unknown_language_is_english_and_tags_are_read_by_their_base() -> None:
    assert [language(tag) for tag in ("fr", "FR", "fr-CA", "fr_BE", "de", "", None)] == [
        "fr", "fr", "fr", "fr", "en", "en", "en"
    ]
    w = Wording.of("side_small", side=Wording.of("side_width"), px=200, where="", min=320)
    assert w.text("de") == w.text() == "width 200 px: must be more than 320"
    assert w.text("fr") == "largeur 200 px : doit dépasser 320"


# --- numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "text"), [
    (0, "0 octets"), (999, "999 octets"), (1_000, "1,0 ko"), (49_378, "49,4 ko"), (123_442, "123 ko"),
    (999_500, "1,0 Mo"), (4_700_000, "4,7 Mo"), (12_345_678, "12,3 Mo"),
])
def test_sizes_in_french(size: int, text: str) -> None:
    assert size_text(size, "fr") == text


def test_numbers_in_french() -> None:
    assert number_text(4_700_000, "fr") == f"4{NNBSP}700{NNBSP}000" and number_text(4_700_000) == "4,700,000"
    assert decimal_text(1920 / 1080, "fr", 2) == "1,78" and decimal_text(1920 / 1080, "en", 2) == "1.78"
    assert decimal_text("2.997", "fr") == "2,997" and decimal_text(0.33, "fr") == "0,33"
    assert frames_text("fr") == "121 (≈5 s) ou 241 (≈10 s)" and frames_text() == "121 (≈5 s) or 241 (≈10 s)"


# --- the check panel --------------------------------------------------------------------------

def test_a_webp_check_panel_in_french() -> None:
    report = inspect_image(corpus.encode(corpus.quadrants(1920, 1080), "WEBP", quality=80))
    lines = [check.text_in("fr") for check in report.checks]
    size, exact = size_text(report.size_bytes, "fr"), number_text(report.size_bytes, "fr")
    assert lines == [
        "format WebP : l'API n'accepte que JPEG ou PNG",
        f"taille du fichier {size} ({exact} octets) : moins de 4,7 Mo (4{NNBSP}700{NNBSP}000 octets) ✓",
        "largeur 1920 px : plus de 320 et au plus 4096 ✓",
        "hauteur 1080 px : plus de 320 et au plus 4096 ✓",
        "rapport largeur/hauteur 1,78 : plus de 0,33 et moins de 3 ✓",
    ]
    assert report.fixes == ("will convert WebP to JPEG",)
    assert report.fixes_in("fr") == ("WebP sera converti en JPEG",)
    assert report.fixes == report.fixes_in("en") and [c.text for c in report.checks] == [
        c.text_in("en") for c in report.checks
    ]


FRENCH_SAMPLES = {  # name: (image, expected French refusal or None)
    "tiny": (corpus.solid(200, 400), "largeur 200 px : doit dépasser 320"),
    "sliver": (corpus.solid(8000, 100), "rapport largeur/hauteur 80,00 : doit être inférieur à 3"),
    "text": (corpus.TEXT, "le fichier est du texte : seules les images JPEG ou PNG sont acceptées (ou "
                          "WebP/BMP/TIFF/GIF, qui peuvent être converties)"),
    "gif": (corpus.animated_gif(frames=3), "le fichier est un GIF animé (3 images) : seule une image fixe "
                                           "peut être utilisée"),
    "bomb": (corpus.png_bomb(50_000, 50_000), None),
    "cut": (corpus.solid(600, 500, "JPEG")[:100], None),
    "empty": (b"", "le fichier est vide (0 octet)"),
    "cmyk": (corpus.solid(500, 400, "JPEG", color=(0, 80, 80, 0), mode="CMYK"), None),
    "rotated GPS": (corpus.encode(corpus.quadrants(1200, 900), "JPEG",
                                  exif=corpus.exif_bytes(orientation=6, gps=True)), None),
    "big": (corpus.solid(6000, 4000, "PNG"), None),
    "padded": (corpus.pad_jpeg_to(corpus.solid(600, 500, "JPEG"), 4_700_000), None),
}


@pytest.mark.parametrize("name", list(FRENCH_SAMPLES))
def test_french_check_panels_hold_no_english(name: str) -> None:
    data, expected = FRENCH_SAMPLES[name]
    report = inspect_image(data)
    said = [c.text_in("fr") for c in report.checks] + list(report.fixes_in("fr"))
    refusal = report.refusal_in("fr")
    if expected is not None:
        assert refusal == expected
    said += [refusal] if refusal else []
    for line in said:
        assert not french_words(line) & ENGLISH, line
    assert report.refusal == (report.refusal_item.text() if report.refusal_item else None)


def test_french_fixes_are_said_in_the_future_and_the_past() -> None:
    data = corpus.encode(corpus.quadrants(1200, 900), "JPEG", exif=corpus.exif_bytes(orientation=6, gps=True))
    assert inspect_image(data).fixes_in("fr") == (
        "l'image sera redressée (orientation EXIF 6)",
        "les métadonnées seront retirées (EXIF, position GPS)",
    )
    prepared = prepare_image(data)
    assert prepared.fixes_in("fr") == (
        "image redressée (orientation EXIF 6)", "métadonnées retirées (EXIF, position GPS)"
    )
    assert prepared.fixes == tuple(item.text() for item in prepared.fix_items)
    cmyk = inspect_image(corpus.solid(500, 400, "JPEG", color=(0, 80, 80, 0), mode="CMYK"))
    assert cmyk.fixes_in("fr") == ("JPEG CMJN sera converti en JPEG RVB",)
    assert cmyk.fixes == ("will convert CMYK JPEG to RGB JPEG",)
    big = inspect_image(corpus.solid(6000, 4000, "JPEG"))
    assert big.fixes_in("fr") == ("l'image sera réduite de 6000x4000 à 4096x2731",)


def test_the_job_carries_its_fixes_in_any_language() -> None:
    data = corpus.encode(corpus.quadrants(600, 400), "PNG", exif=corpus.exif_bytes(orientation=6))
    job = build_job("a prompt", image=data)
    assert job.fixes == ("applied EXIF rotation (orientation 6)", "removed metadata (EXIF)")
    assert job.fixes_in("fr") == ("image redressée (orientation EXIF 6)", "métadonnées retirées (EXIF)")
    assert build_job("a prompt", image_url="https://example.com/x.jpg").fix_items == ()


def test_records_holding_wordings_stay_hashable_and_copyable() -> None:
    report = inspect_image(corpus.solid(8000, 100))
    assert len({*report.checks}) == len(report.checks)
    twin = copy.deepcopy(report)  # Gradio's State deep-copies what it holds
    assert twin == report and twin.refusal_in("fr") == report.refusal_in("fr")


# --- refusals ---------------------------------------------------------------------------------

def refused(call, *args, **kwargs) -> InputRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(InputRefused) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(("error", "english", "french"), [
    (lambda: check_prompt("  "), "prompt is empty: describe the motion you want",
     "le prompt est vide : décrivez le mouvement voulu"),
    (lambda: check_prompt("a" * 801), "prompt is 801 characters: must be at most 800",
     "le prompt fait 801 caractères : 800 au maximum"),
    (lambda: resolve_seed(-5), f"seed -5: must be -1 (random) or 0 to {SCHEMA.seed_max}",
     f"graine -5 : doit valoir -1 (aléatoire) ou de 0 à {SCHEMA.seed_max}"),
    (lambda: check_frames(120), "frames 120: must be 121 (≈5 s) or 241 (≈10 s)",
     "nombre d'images 120 : doit valoir 121 (≈5 s) ou 241 (≈10 s)"),
    (lambda: check_image_url("http://example.com/x.jpg"), "image URL scheme 'http': must be https",
     "schéma 'http' dans l'URL de l'image : elle doit être en https"),
    (lambda: check_image_url("https://example.com:99999/x.jpg"), None,
     "l'URL de l'image a un port invalide"),
    (lambda: build_job("a prompt"), "give an image file or an https URL (exactly one of them)",
     "donnez un fichier image ou une URL https (l'un ou l'autre, pas les deux)"),
    (lambda: prepare_image(corpus.solid(4097, 2000), fix=False), None,
     "largeur 4097 px : ne doit pas dépasser 4096 (la correction automatique est désactivée)"),
    (lambda: prepare_image(corpus.solid(600, 500, "JPEG")[:-300]), None,
     "le fichier est tronqué ou endommagé"),
])
def test_refusals_say_the_same_thing_in_each_language(
    error: Callable[[], object], english: str | None, french: str
) -> None:
    exc = refused(error)
    assert exc.key and exc.text("fr") == refusal_text(exc, "fr") == french
    assert exc.text("en") == exc.message == str(exc)
    if english is not None:
        assert exc.message == english
    assert not french_words(french) & ENGLISH


def test_a_refusal_made_from_a_bare_message_still_works() -> None:
    exc = InputRefused("no job abc in the history", rule="stitch", value="abc")
    assert (exc.key, exc.message, exc.rule, exc.value) == ("", "no job abc in the history", "stitch", "abc")
    assert exc.text("fr") == exc.text() == str(exc) == "no job abc in the history"
