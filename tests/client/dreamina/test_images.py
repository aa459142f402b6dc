"""Image rules at their exact boundaries, the fixes, and a hostile corpus (all made by the tests)."""

from __future__ import annotations

import base64
import io
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile, ImageOps

from client.dreamina import (
    MAX_INPUT_BYTES,
    SCHEMA,
    InputRefused,
    PreparedImage,
    fit_within,
    inspect_image,
    prepare_image,
    ratio_ok,
    to_data_uri,
)
from tests import image_corpus as corpus

RULES = SCHEMA.image_rules
LIMIT = RULES.max_file_bytes_exclusive


def refused(source: object, *, fix: bool = True) -> InputRefused:
    with pytest.raises(InputRefused) as caught:
        prepare_image(source, fix=fix)  # type: ignore[arg-type]
    return caught.value


def assert_clean(prepared: PreparedImage) -> None:
    """The prepared bytes pass every rule as they are: nothing left to fix, nothing refused."""
    report = inspect_image(prepared.data)
    assert report.ok, report.refusal
    assert report.fixes == ()
    assert all(c.ok for c in report.checks), [c.text for c in report.checks if not c.ok]
    assert report.format in RULES.formats
    assert (report.width, report.height) == (prepared.width, prepared.height)
    assert prepared.mime == f"image/{report.format.lower()}"


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every pixel decode Pillow performs (a spy on ImageFile.load), to prove bombs are never decoded."""
    seen: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile):  # type: ignore[no-untyped-def]
        if self.tile:
            seen.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


# --- boundaries -------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "rule", "text"), [
    ((320, 400), "width", "width 320 px: must be more than 320"),
    ((400, 320), "height", "height 320 px: must be more than 320"),
])
def test_sides_of_320_are_refused(size: tuple[int, int], rule: str, text: str) -> None:
    error = refused(corpus.solid(*size))
    assert (error.rule, error.value, str(error)) == (rule, 320, text)
    assert inspect_image(corpus.solid(*size)).refusal == text


@pytest.mark.parametrize("size", [(321, 400), (400, 321), (4096, 2000), (2000, 4096), (4096, 4096)])
def test_sides_inside_the_bounds_are_sent_unchanged(size: tuple[int, int]) -> None:
    data = corpus.solid(*size)
    prepared = prepare_image(data)
    assert prepared.data == data and prepared.fixes == ()
    assert (prepared.width, prepared.height) == size


@pytest.mark.parametrize(("size", "rule", "expected"), [
    ((4097, 2000), "width", (4096, 2000)),
    ((2000, 4097), "height", (2000, 4096)),
])
def test_side_of_4097_is_downscaled_or_refused_without_fixing(
    size: tuple[int, int], rule: str, expected: tuple[int, int]
) -> None:
    data = corpus.solid(*size)
    prepared = prepare_image(data)
    assert (prepared.width, prepared.height) == expected
    assert prepared.fixes == (f"downscaled {size[0]}x{size[1]} -> {expected[0]}x{expected[1]}",)
    assert_clean(prepared)
    error = refused(data, fix=False)
    assert error.rule == rule and error.value == 4097
    assert f"{rule} 4097 px: must be at most 4096" in str(error) and "fixing is off" in str(error)
    will = f"will downscale {size[0]}x{size[1]} -> {expected[0]}x{expected[1]}"
    assert inspect_image(data).fixes == (will,)


@pytest.mark.parametrize(("size", "ok", "shown"), [
    ((963, 321), False, "ratio 3.00 (width/height): must be less than 3"),  # exactly 3
    ((962, 321), True, "ratio 2.997 (width/height): more than 0.33 and less than 3 ✓"),
    ((330, 1000), False, "ratio 0.33 (width/height): must be more than 0.33"),  # exactly 0.33
    ((331, 1000), True, "ratio 0.331 (width/height): more than 0.33 and less than 3 ✓"),
    ((321, 973), False, "ratio 0.3299 (width/height): must be more than 0.33"),  # 0.32990
    ((321, 972), True, "ratio 0.3302 (width/height): more than 0.33 and less than 3 ✓"),
])
def test_ratio_bounds_are_exact(size: tuple[int, int], ok: bool, shown: str) -> None:
    data = corpus.solid(*size)
    report = inspect_image(data)
    ratio_check = next(c for c in report.checks if c.name == "ratio")
    assert (ratio_check.ok, ratio_check.text) == (ok, shown)
    if ok:
        assert prepare_image(data).data == data
    else:
        error = refused(data)
        assert error.rule == "ratio" and str(error) == shown


def test_downscaling_never_rounds_a_ratio_out_of_bounds() -> None:
    assert ratio_ok(8000, 2667) and not ratio_ok(4096, 1365)
    assert fit_within(8000, 2667) == (4096, 1366)
    assert fit_within(6000, 4000) == (4096, 2731)
    for long, short in [(8000, 2667), (9000, 3001), (5000, 1667), (4097, 1366), (8191, 2731)]:
        for w, h in [(long, short), (short, long)]:
            if ratio_ok(w, h):
                fw, fh = fit_within(w, h)
                assert max(fw, fh) == 4096 and ratio_ok(fw, fh)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_file_size_boundary(fmt: str) -> None:
    base = corpus.solid(600, 500, fmt)
    pad = corpus.pad_png_to if fmt == "PNG" else corpus.pad_jpeg_to
    below, at = pad(base, LIMIT - 1), pad(base, LIMIT)
    assert (len(below), len(at)) == (4_699_999, 4_700_000)

    assert prepare_image(below).data == below  # passes as-is: byte for byte

    fixed = prepare_image(at)
    assert fixed.mime == "image/jpeg" and len(fixed.data) < LIMIT
    assert "re-encoded as JPEG (quality 90) because the file was 4.7 MB" in fixed.fixes
    assert_clean(fixed)
    error = refused(at, fix=False)
    assert error.rule == "file size" and error.value == LIMIT
    assert "file size 4.7 MB (4,700,000 bytes): must be less than 4.7 MB (4,700,000 bytes)" in str(error)


def test_quality_steps_down_until_the_file_fits(tmp_path: Path) -> None:
    # Noise is the worst case for JPEG: re-encoded at quality 90 this is 4.9 MB, at 85 it fits.
    photo = corpus.noise(2700, 2400, seed=3)
    source = corpus.encode(photo, "JPEG", quality=80, exif=corpus.exif_bytes(orientation=3))
    assert len(source) < LIMIT
    prepared = prepare_image(source)
    assert prepared.fixes[0] == "applied EXIF rotation (orientation 3)"
    assert "lowered JPEG quality to 85 to stay under 4.7 MB" in prepared.fixes
    assert len(prepared.data) < LIMIT
    assert_clean(prepared)


# --- hostile corpus ---------------------------------------------------------------------------

def test_header_only_bomb_is_refused_without_decoding(decodes: list[tuple[int, int]]) -> None:
    bomb = corpus.png_bomb(50_000, 50_000)
    assert len(bomb) < 1_000
    report = inspect_image(bomb)
    assert not report.ok and "2,500,000,000 pixels" in report.refusal
    error = refused(bomb)
    assert error.rule == "pixels" and error.value == 2_500_000_000
    assert decodes == []


def test_real_bomb_under_pillows_limit_is_refused_by_ours(decodes: list[tuple[int, int]]) -> None:
    # 81 million pixels of compressed zeros: Pillow itself would decode it (81 MB); we refuse from the header.
    bomb = corpus.png_bomb(9_000, 9_000, real=True)
    assert len(bomb) < 200_000 and 9_000 * 9_000 <= Image.MAX_IMAGE_PIXELS
    error = refused(bomb)
    assert error.rule == "pixels"
    assert str(error).startswith("image claims 9000x9000 (81,000,000 pixels): more than 67,108,864 pixels")
    report = inspect_image(bomb)
    assert (report.width, report.height) == (9_000, 9_000) and report.refusal == str(error)
    assert decodes == []


def test_pillow_bomb_warning_raised_as_error_is_a_refusal(decodes: list[tuple[int, int]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        error = refused(corpus.png_bomb(10_000, 10_000))
    assert error.rule == "pixels" and error.value == 100_000_000
    assert decodes == []


def test_inspect_never_decodes(decodes: list[tuple[int, int]]) -> None:
    for data in (corpus.solid(800, 600, "JPEG"), corpus.solid(800, 600, "PNG"), corpus.animated_gif()):
        inspect_image(data)
    assert decodes == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_files_are_refused(fmt: str) -> None:
    whole = corpus.encode(corpus.noise(600, 500), fmt)
    cut = whole[: len(whole) * 6 // 10]
    assert inspect_image(cut).ok  # the header is intact: only decoding can tell
    error = refused(cut)
    assert error.rule == "file" and str(error).startswith("the file is truncated or damaged: ")
    header_only = whole[:100] if fmt == "JPEG" else whole[:30]
    assert inspect_image(header_only).refusal.startswith("the file is truncated or damaged")


def test_truncation_is_caught_even_if_pillow_was_made_lenient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    whole = corpus.encode(corpus.noise(600, 500), "JPEG")
    error = refused(whole[: len(whole) // 2])
    assert "truncated" in str(error)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back as it was


NON_IMAGE_IDS = ["empty", "text", "SVG", "HTML", "PDF", "HEIC", "binary"]


@pytest.mark.parametrize(("data", "start"), ids=NON_IMAGE_IDS, argvalues=[
    (b"", "the file is empty (0 bytes)"),
    (corpus.TEXT, "file is text: "),
    (corpus.SVG, "file is SVG: "),
    (corpus.HTML, "file is HTML"),
    (b"%PDF-1.7\n" + bytes(range(256)), "file is PDF: "),
    (b"\x00\x00\x00\x18ftypheic" + bytes(40), "file is HEIC: "),
    (bytes(range(256)) * 4, "file is not an image we can read: "),
])
def test_non_images_are_refused_by_name(data: bytes, start: str) -> None:
    report = inspect_image(data)
    assert report.format is None and not report.ok and report.refusal.startswith(start)
    assert not report.checks[0].ok
    error = refused(data)
    assert str(error).startswith(start)
    if data:
        assert str(error).endswith("only JPEG or PNG images (or WebP/BMP/TIFF/GIF that can be converted)")


@pytest.mark.parametrize(("data", "text"), ids=["APNG", "GIF", "WebP"], argvalues=[
    (corpus.apng(frames=2), "file is an animated PNG (2 frames): only a still image can be used"),
    (corpus.animated_gif(frames=3), "file is an animated GIF (3 frames): only a still image can be used"),
    (corpus.animated_webp(), "file is an animated WebP (2 frames): only a still image can be used"),
])
def test_animations_are_refused(data: bytes, text: str) -> None:
    report = inspect_image(data)
    assert report.animated and report.refusal == text
    error = refused(data)
    assert (error.rule, str(error)) == ("animation", text)


def test_sparse_huge_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    with path.open("wb") as f:
        f.write(corpus.solid(800, 600, "JPEG"))
        f.truncate(MAX_INPUT_BYTES + 1)  # sparse: costs no disk and, if we are right, no memory
    error = refused(path)
    assert error.rule == "file size" and "files over 50 MB are not read" in str(error)
    report = inspect_image(path)
    assert report.size_bytes == MAX_INPUT_BYTES + 1 and not report.ok


def test_missing_file_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path / "nope.png")
    assert error.rule == "file" and "cannot read the image file 'nope.png'" in str(error)
    assert not inspect_image(str(tmp_path / "nope.png")).ok


# --- conversions and fixes --------------------------------------------------------------------

QUADRANTS = corpus.quadrants(500, 400)
CONVERTED = {  # name: (file, first fix sentence)
    "still GIF": (corpus.solid(500, 400, "GIF", color=3, mode="P"), "converted still GIF to PNG"),
    "lossy WebP": (corpus.encode(QUADRANTS, "WEBP", quality=80), "converted WebP to JPEG"),
    "lossless WebP": (corpus.encode(QUADRANTS, "WEBP", lossless=True), "converted WebP to PNG"),
    "BMP": (corpus.solid(500, 400, "BMP"), "converted BMP to PNG"),
    "TIFF": (corpus.solid(500, 400, "TIFF"), "converted TIFF to PNG"),
    "MPO": (corpus.mpo(), "converted MPO (multi-picture JPEG) to JPEG"),
    "CMYK JPEG": (
        corpus.solid(500, 400, "JPEG", color=(0, 80, 80, 0), mode="CMYK"), "converted CMYK JPEG to RGB JPEG"
    ),
    "16-bit gray PNG": (
        corpus.solid(500, 400, "PNG", color=200 * 257, mode="I;16"), "converted 16-bit PNG to 8-bit PNG"
    ),
    "16-bit RGB PNG": (corpus.rgb16_png(500, 400, 100 * 257), "converted 16-bit PNG to 8-bit PNG"),
    "palette PNG": (corpus.solid(500, 400, "PNG", color=7, mode="P"), "converted palette PNG to RGB PNG"),
    "LA PNG": (
        corpus.solid(500, 400, "PNG", color=(90, 128), mode="LA"), "converted grayscale+alpha PNG to RGBA PNG"
    ),
}


@pytest.mark.parametrize("name", list(CONVERTED))
def test_convertible_inputs_are_converted_and_reported(name: str) -> None:
    data, sentence = CONVERTED[name]
    report = inspect_image(data)
    assert report.ok and not next(c for c in report.checks if c.name == "format").ok
    assert report.fixes[0].startswith("will convert ")
    prepared = prepare_image(data)
    assert prepared.fixes[0] == sentence
    assert (prepared.width, prepared.height) == (500, 400)
    assert_clean(prepared)
    error = refused(data, fix=False)
    assert error.rule == "format" and "fixing is off" in str(error)


def test_sixteen_bit_samples_are_scaled_not_clipped() -> None:
    gray = Image.open(io.BytesIO(prepare_image(CONVERTED["16-bit gray PNG"][0]).data))
    assert gray.mode == "L" and gray.getpixel((10, 10)) == 200
    rgb = Image.open(io.BytesIO(prepare_image(CONVERTED["16-bit RGB PNG"][0]).data))
    assert rgb.getpixel((10, 10)) == (100, 100, 100)


def test_cmyk_becomes_rgb() -> None:
    out = Image.open(io.BytesIO(prepare_image(CONVERTED["CMYK JPEG"][0]).data))
    assert out.mode == "RGB"


def test_exif_rotation_is_measured_before_the_rules() -> None:
    # Stored 900x300, orientation 6: displayed 300x900, so the width rule fails (the ratio 0.333 holds).
    data = corpus.encode(Image.new("RGB", (900, 300)), "JPEG", exif=corpus.exif_bytes(orientation=6))
    report = inspect_image(data)
    assert (report.width, report.height) == (300, 900)
    assert report.refusal == "width 300 px (after EXIF rotation): must be more than 320"
    assert refused(data).rule == "width"


def test_exif_rotation_can_make_a_ratio_valid_or_invalid() -> None:
    # 993x330 is 3.009 as stored; turned a quarter it is 0.332, inside the bounds (and back).
    turned = corpus.encode(Image.new("RGB", (993, 330)), "PNG", exif=corpus.exif_bytes(orientation=6))
    assert prepare_image(turned).width == 330
    upright_wide = corpus.encode(Image.new("RGB", (330, 993)), "PNG", exif=corpus.exif_bytes(orientation=8))
    assert refused(upright_wide).rule == "ratio"


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_rotated_image_is_turned_upright_exactly(orientation: int) -> None:
    picture = corpus.quadrants(800, 500)
    data = corpus.encode(picture, "PNG", exif=corpus.exif_bytes(orientation=orientation))
    assert inspect_image(data).fixes[0] == f"will apply EXIF rotation (orientation {orientation})"
    prepared = prepare_image(data)
    assert prepared.fixes == (f"applied EXIF rotation (orientation {orientation})", "removed metadata (EXIF)")
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))  # Pillow's reading of the tag
    assert (prepared.width, prepared.height) == expected.size
    sent = Image.open(io.BytesIO(prepared.data))
    assert sent.tobytes() == expected.tobytes()  # PNG in, PNG out: lossless, so exactly equal
    assert_clean(prepared)
    error = refused(data, fix=False)
    assert error.rule == "orientation" and error.value == orientation


def test_png_orientation_after_the_pixels_is_found_when_decoding() -> None:
    # An eXIf chunk after IDAT: the header cannot know, the decode does.
    after = corpus.chunk(b"eXIf", corpus.exif_bytes(orientation=6)[6:])
    data = corpus.png_from_rows(600, 400, (bytes(range(256)) * 8)[:1800], after_idat=after)
    assert inspect_image(data).width == 600
    prepared = prepare_image(data)
    assert (prepared.width, prepared.height) == (400, 600)
    assert prepared.fixes[0] == "applied EXIF rotation (orientation 6)"
    assert_clean(prepared)


def test_gps_is_removed_whenever_the_file_is_re_encoded() -> None:
    data = corpus.encode(corpus.quadrants(1200, 900), "JPEG", exif=corpus.exif_bytes(orientation=8, gps=True),
                         comment=b"shot at home")
    assert "will remove metadata (EXIF, GPS location, comments)" in inspect_image(data).fixes
    prepared = prepare_image(data)
    assert prepared.fixes[-1] == "removed metadata (EXIF, GPS location, comments)"
    sent = Image.open(io.BytesIO(prepared.data))
    assert "exif" not in sent.info and "comment" not in sent.info
    assert ExifTags.IFD.GPSInfo not in sent.getexif() and b"shot at home" not in prepared.data


def test_valid_jpeg_with_gps_is_sent_unchanged() -> None:
    # By design a file that passes every rule is sent byte for byte, metadata included.
    data = corpus.encode(corpus.quadrants(1200, 900), "JPEG", exif=corpus.exif_bytes(gps=True))
    assert prepare_image(data).data == data


def test_content_decides_not_the_name(tmp_path: Path) -> None:
    data = corpus.solid(800, 600, "JPEG")
    path = tmp_path / "photo.png"
    path.write_bytes(data)
    assert inspect_image(path).format == "JPEG"
    prepared = prepare_image(str(path))
    assert prepared.mime == "image/jpeg" and prepared.data == data and prepared.fixes == ()


def test_large_photo_is_downscaled() -> None:
    data = corpus.solid(6000, 4000, "JPEG")
    prepared = prepare_image(data)
    assert prepared.fixes == ("downscaled 6000x4000 -> 4096x2731",)
    assert_clean(prepared)
    assert refused(data, fix=False).rule == "width"


def test_transparent_png_stays_png_when_converted() -> None:
    palette = Image.new("P", (600, 400), 1)
    palette.putpalette([0, 0, 0, 10, 200, 10] * 128)
    palette.paste(0, (0, 0, 300, 400))
    data = corpus.encode(palette, "PNG", transparency=0)
    prepared = prepare_image(data)
    assert prepared.fixes[0] == "converted palette PNG to RGBA PNG"
    assert prepared.mime == "image/png"
    assert Image.open(io.BytesIO(prepared.data)).mode == "RGBA"


def test_report_fields() -> None:
    report = inspect_image(corpus.solid(1920, 1080, "JPEG"))
    assert (report.format, report.width, report.height, report.animated) == ("JPEG", 1920, 1080, False)
    assert report.ratio == pytest.approx(1920 / 1080)
    assert [c.name for c in report.checks] == ["format", "file size", "width", "height", "ratio"]
    assert report.checks[2].text == "width 1920 px: more than 320 and at most 4096 ✓"
    assert report.ok and report.fixes == () and report.refusal is None


def test_data_uri_round_trip_and_short_repr() -> None:
    prepared = prepare_image(corpus.solid(800, 600, "JPEG"))
    uri = to_data_uri(prepared)
    head, payload = uri.split(",", 1)
    assert head == "data:image/jpeg;base64"
    assert base64.b64decode(payload) == prepared.data
    assert Image.open(io.BytesIO(base64.b64decode(payload))).size == (800, 600)
    assert len(repr(prepared)) < 200 and "800x600" in repr(prepared)


def test_big_rotated_jpeg_is_decoded_at_reduced_scale(decodes: list[tuple[int, int]]) -> None:
    # Stored 8200x5000 sideways (orientation 6): displayed 5000x8200. libjpeg decodes it at 1/2 scale.
    stored = Image.new("L", (8200, 5000), 0)
    stored.paste(255, (4100, 0, 8200, 5000))  # right half bright: after a quarter turn, the bottom half
    data = corpus.encode(stored, "JPEG", exif=corpus.exif_bytes(orientation=6))
    prepared = prepare_image(data)
    assert prepared.fixes[:2] == (
        "applied EXIF rotation (orientation 6)",
        "downscaled 5000x8200 -> 2498x4096",
    )
    assert decodes == [(4100, 2500)]
    sent = Image.open(io.BytesIO(prepared.data))
    assert sent.size == (2498, 4096)
    assert sent.getpixel((1249, 100)) < 30 and sent.getpixel((1249, 4000)) > 225


FUZZ_SEEDS = [
    corpus.encode(corpus.quadrants(400, 340), "JPEG", exif=corpus.exif_bytes(orientation=6, gps=True)),
    corpus.encode(corpus.quadrants(400, 340), "PNG"),
    corpus.encode(corpus.quadrants(400, 340), "WEBP"),
    corpus.solid(400, 340, "GIF", color=3, mode="P"),
    corpus.solid(400, 340, "TIFF"),
    corpus.apng(),
]


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about truncated TIFF tags, then we refuse
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(range(len(FUZZ_SEEDS))),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
    st.integers(0, 10**6),
)
def test_damaged_files_are_refused_never_crash(seed: int, flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(FUZZ_SEEDS[seed])
    for where, value in flips:
        data[where % len(data)] = value
    damaged = bytes(data[: max(1, cut % (len(data) + 200))])
    for check in (inspect_image, prepare_image):
        try:
            check(damaged)
        except InputRefused:
            pass  # the only exception a bad file may cause


# --- which rule refuses -----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_broken_ratio_is_the_refusal_not_the_side(fmt: str, decodes: list[tuple[int, int]]) -> None:
    # 8000x100: the height (100) and the width (8000, fixable) are broken too, but the ratio of 80 is
    # why no fix can help. A PNG's orientation is unknown before decoding; 80 is broken both ways up.
    data = corpus.solid(8000, 100, fmt)
    report = inspect_image(data)
    assert report.refusal == "ratio 80.00 (width/height): must be less than 3"
    assert report.refusal_rule == "ratio" and report.refusal_item is not None
    error = refused(data)
    assert (error.rule, str(error)) == ("ratio", report.refusal)
    assert decodes == []


def test_a_bomb_whose_ratio_a_quarter_turn_could_mend_is_still_refused_before_decoding(
    decodes: list[tuple[int, int]],
) -> None:
    # 15000x4995 (75 MP: over our budget, under what Pillow refuses at open) is 3.003, broken, but
    # 0.333 turned a quarter, fine: before decoding, the PNG's orientation is unknown, so the refusal
    # that holds either way up (the pixel count) is raised.
    bomb = corpus.png_bomb(15_000, 4_995)
    assert inspect_image(bomb).refusal_rule == "ratio"
    assert refused(bomb).rule == "pixels"
    assert decodes == []


def test_fixable_rules_are_marked_fixable_and_refusing_ones_are_not() -> None:
    big = corpus.pad_jpeg_to(corpus.solid(600, 500, "JPEG"), LIMIT + 1)
    checks = {c.name: c for c in inspect_image(big).checks}
    assert (checks["file size"].ok, checks["file size"].fixable) == (False, True)
    assert all(c.ok and not c.fixable for name, c in checks.items() if name != "file size")
    sliver = {c.name: c for c in inspect_image(corpus.solid(8000, 100)).checks}
    assert (sliver["ratio"].ok, sliver["ratio"].fixable) == (False, False)
    assert (sliver["height"].ok, sliver["height"].fixable) == (False, False)
    assert (sliver["width"].ok, sliver["width"].fixable) == (False, True)  # downscaling would mend it
    webp = {c.name: c for c in inspect_image(CONVERTED["lossy WebP"][0]).checks}
    assert (webp["format"].ok, webp["format"].fixable) == (False, True)
