"""Draw the example pictures shipped with the app (no third-party images, no network).

Run ``python examples/make_examples.py`` to (re)write them next to this file. Each one is drawn with
Pillow from a fixed random seed, so the output is the same on every machine, and each sits well
inside the model's image rules (JPEG or PNG, under 4.7 MB, sides between 321 and 4096 px, ratio
between 0.33 and 3): the first example must work in the offline preview with no fixes needed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
RGB = tuple[int, int, int]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    t = min(1.0, max(0.0, t))
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def _sky(size: tuple[int, int], stops: list[tuple[float, RGB]]) -> Image.Image:
    """A vertical gradient through colour stops (position 0..1 from the top)."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        pos = y / max(1, height - 1)
        for (p0, c0), (p1, c1) in pairwise(stops):
            if p0 <= pos <= p1:
                draw.line([(0, y), (width, y)], fill=_mix(c0, c1, (pos - p0) / max(1e-6, p1 - p0)))
                break
    return image


def _glow(image: Image.Image, centre: tuple[int, int], radius: int, colour: RGB, strength: float) -> None:
    """Add a soft light (sun, lamp) by blending a blurred disc over the picture."""
    layer = Image.new("RGB", image.size, (0, 0, 0))
    ImageDraw.Draw(layer).ellipse(
        [centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius], fill=colour
    )
    layer = layer.filter(ImageFilter.GaussianBlur(radius * 0.9))
    blended = Image.blend(image, Image.composite(layer, image, layer.convert("L")), strength)
    image.paste(blended)


def _ridge(
    draw: ImageDraw.ImageDraw, width: int, base: int, amp: int, colour: RGB, rng: random.Random
) -> None:
    """A mountain ridge: a few summed sines with random phases, filled down to the bottom."""
    phases = [rng.uniform(0, math.tau) for _ in range(3)]
    points = [(0, base)]
    for x in range(0, width + 8, 8):
        y = base - amp * (
            0.55 * math.sin(x / 170 + phases[0])
            + 0.3 * math.sin(x / 63 + phases[1])
            + 0.15 * math.sin(x / 23 + phases[2])
        )
        points.append((x, int(y)))
    points += [(width, 10_000), (0, 10_000)]
    draw.polygon(points, fill=colour)


def sunset_lake(size: tuple[int, int] = (1280, 720)) -> Image.Image:
    """Mountains at sunset over a still lake, the sun low on the horizon."""
    rng = random.Random(7)  # noqa: S311 - a fixed seed for drawing, not for security
    width, height = size
    horizon = int(height * 0.62)
    image = _sky(
        size,
        [
            (0.0, (38, 44, 96)),
            (0.35, (186, 92, 120)),
            (0.58, (250, 166, 90)),
            (0.62, (255, 206, 140)),
            (1.0, (30, 36, 70)),
        ],
    )
    draw = ImageDraw.Draw(image)
    _ridge(draw, width, horizon - 90, 80, (96, 64, 108), rng)
    sun = (int(width * 0.62), horizon - 60)
    _glow(image, sun, 120, (255, 200, 140), 0.6)
    draw = ImageDraw.Draw(image)
    draw.ellipse([sun[0] - 38, sun[1] - 38, sun[0] + 38, sun[1] + 38], fill=(255, 240, 200))
    _ridge(draw, width, horizon - 30, 60, (58, 40, 76), rng)
    _ridge(draw, width, horizon + 4, 26, (34, 26, 52), rng)
    # The lake: the sky above the horizon mirrored, darkened, with a few ripples of light.
    above = image.crop((0, horizon - (height - horizon), width, horizon)).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM
    )
    lake = Image.blend(above, Image.new("RGB", above.size, (20, 24, 52)), 0.45)
    image.paste(lake, (0, horizon + 4), None)
    draw = ImageDraw.Draw(image)
    sun_x = int(width * 0.62)
    for i in range(40):
        y = horizon + 10 + int((height - horizon) * (i / 40) ** 1.3)
        half = int(60 * (1 - i / 45)) + rng.randint(0, 30)
        draw.line([(sun_x - half, y), (sun_x + half, y)], fill=(255, 214, 150), width=2)
    return image.filter(ImageFilter.SMOOTH)


def golden_street(size: tuple[int, int] = (1280, 720)) -> Image.Image:
    """A city street at golden hour in one-point perspective: facades, windows, a low sun at the end."""
    rng = random.Random(11)  # noqa: S311 - a fixed seed for drawing, not for security
    width, height = size
    vx, vy = width // 2, int(height * 0.46)  # vanishing point, where the sun sets
    image = _sky(size, [(0.0, (110, 150, 200)), (0.45, (255, 196, 120)), (1.0, (120, 84, 60))])
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, height), (width, height), (vx + 30, vy), (vx - 30, vy)], fill=(92, 80, 74))
    for side in (-1, 1):  # facades on both sides, from near (large) to far (small)
        x_out = 0 if side < 0 else width
        for i in range(7):
            t0, t1 = i / 7, (i + 1) / 7

            def near(t: float, y: float, x_out: int = x_out) -> tuple[int, int]:
                # A point on this side's facade plane, a fraction t of the way to the vanishing point.
                return int(x_out + (vx - x_out) * t), int(y + (vy - y) * t)

            top_near, top_far = near(t0, -80 - 60 * (i % 3)), near(t1, -80 - 60 * ((i + 1) % 3))
            bottom_near, bottom_far = near(t0, height - 40), near(t1, height - 40)
            shade = 120 + 18 * (i % 3) + rng.randint(-10, 10)
            colour = (shade + 40, shade, shade - 40) if side < 0 else (shade, shade - 30, shade - 60)
            draw.polygon([top_near, top_far, bottom_far, bottom_near], fill=colour)
            for row in range(1, 5):  # windows catching the light
                for col in range(2):
                    t = t0 + (t1 - t0) * (0.25 + 0.4 * col)
                    top = near(t, -40 + row * (height - 80) / 6)
                    w = max(2, int(22 * (1 - t)))
                    lit = rng.random() < 0.35
                    x0, x1 = sorted((top[0], top[0] + w * side))
                    draw.rectangle(
                        [x0, top[1], x1, top[1] + int(w * 1.4)], fill=(255, 214, 130) if lit else (60, 52, 58)
                    )
    _glow(image, (vx, vy), 110, (255, 236, 190), 0.9)
    ImageDraw.Draw(image).ellipse([vx - 22, vy - 22, vx + 22, vy + 22], fill=(255, 248, 225))
    # A classic car's silhouette near the kerb and long shadows across the road.
    draw = ImageDraw.Draw(image)
    cx, cy = int(width * 0.33), int(height * 0.82)
    draw.rounded_rectangle([cx - 120, cy - 40, cx + 120, cy + 10], radius=18, fill=(150, 30, 40))
    draw.rounded_rectangle([cx - 70, cy - 80, cx + 60, cy - 30], radius=20, fill=(130, 24, 34))
    for wx in (cx - 75, cx + 75):
        draw.ellipse([wx - 24, cy - 10, wx + 24, cy + 38], fill=(24, 20, 22))
    shadows = Image.new("L", size, 0)
    for i in range(3):
        x = int(width * (0.62 + 0.12 * i))
        ImageDraw.Draw(shadows).polygon(
            [(x, height), (x + 60, height), (vx + 8, vy + 40), (vx, vy + 40)], fill=90
        )
    image.paste((60, 50, 50), (0, 0), shadows.filter(ImageFilter.GaussianBlur(6)))
    return image.filter(ImageFilter.SMOOTH)


def _lighthouse(draw: ImageDraw.ImageDraw, lx: int, foot: int, top: int) -> None:
    """The tower from ``foot`` up to ``top`` around x = ``lx``: white, three red bands, lamp room, roof."""
    draw.polygon(
        [(lx - 42, foot), (lx + 42, foot), (lx + 24, top), (lx - 24, top)], fill=(236, 232, 226)
    )
    for band in range(3):
        y = foot - 90 * band - 60
        draw.polygon(
            [
                (lx - 36 + 6 * band, y),
                (lx + 36 - 6 * band, y),
                (lx + 33 - 6 * band, y - 34),
                (lx - 33 + 6 * band, y - 34),
            ],
            fill=(190, 40, 46),
        )
    draw.rectangle([lx - 30, top - 56, lx + 30, top], fill=(255, 226, 150))
    draw.polygon([(lx - 36, top - 56), (lx + 36, top - 56), (lx, top - 90)], fill=(50, 46, 52))


def lighthouse_dusk(size: tuple[int, int] = (720, 1280)) -> Image.Image:
    """A portrait-orientation scene: a lighthouse on a cliff at dusk, its beam over the sea, stars."""
    rng = random.Random(3)  # noqa: S311 - a fixed seed for drawing, not for security
    width, height = size
    sea = int(height * 0.68)
    image = _sky(
        size,
        [
            (0.0, (12, 18, 52)),
            (0.5, (62, 60, 130)),
            (0.68, (236, 140, 110)),
            (0.7, (40, 60, 100)),
            (1.0, (10, 20, 40)),
        ],
    )
    draw = ImageDraw.Draw(image)
    for _ in range(140):
        x, y = rng.randrange(width), rng.randrange(int(sea * 0.6))
        r = rng.choice((1, 1, 1, 2))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(255, 255, 235))
    draw.polygon(
        [
            (0, sea - 120),
            (int(width * 0.45), sea - 150),
            (int(width * 0.55), sea - 60),
            (int(width * 0.62), sea + 40),
            (int(width * 0.5), height),
            (0, height),
        ],
        fill=(28, 30, 36),
    )
    lx, top = int(width * 0.28), sea - 470
    _lighthouse(draw, lx, sea - 140, top)
    beam = Image.new("RGB", size, (0, 0, 0))
    ImageDraw.Draw(beam).polygon(
        [(lx, top - 30), (width, top - 190), (width, top + 60)], fill=(255, 226, 150)
    )
    beam = beam.filter(ImageFilter.GaussianBlur(18))
    image.paste(Image.blend(image, Image.composite(beam, image, beam.convert("L")), 0.7))
    _glow(image, (lx, top - 30), 34, (255, 246, 200), 0.95)
    draw = ImageDraw.Draw(image)
    for i in range(60):  # moonlit ripples
        y = sea + 12 + int((height - sea) * (i / 60) ** 1.2)
        x = rng.randrange(int(width * 0.6), width)
        draw.line([(x, y), (x + rng.randint(20, 90), y)], fill=(120, 130, 170), width=1)
    return image.filter(ImageFilter.SMOOTH)


# File name -> (drawing function, save options). The order is the order of the app's examples.
PICTURES: dict[str, tuple[Callable[[], Image.Image], dict[str, object]]] = {
    "golden_street.jpg": (golden_street, {"format": "JPEG", "quality": 90, "optimize": True}),
    "sunset_lake.jpg": (sunset_lake, {"format": "JPEG", "quality": 90, "optimize": True}),
    "lighthouse_dusk.png": (lighthouse_dusk, {"format": "PNG", "optimize": True}),
}


def main(folder: Path = HERE) -> list[Path]:
    """Write every picture into ``folder`` and return their paths."""
    written = []
    for name, (draw, options) in PICTURES.items():
        path = folder / name
        draw().save(path, **options)
        written.append(path)
        print(f"{path.name}: {path.stat().st_size:,} bytes")
    return written


if __name__ == "__main__":
    main()
