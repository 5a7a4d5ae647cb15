"""Draw catsite's own kitty picture with Pillow: static/kitty.png (and kitty-640.png for
high-density screens) and static/favicon.png.

The pictures are committed; run this (`scripts/draw-kitty`) only to change them.
"""

import argparse

from PIL import Image, ImageDraw

from catsite_tools import ROOT

FUR, LIGHT, DARK = (152, 152, 164), (214, 212, 220), (62, 62, 74)
PINK, EYE, BG, SHADOW = (236, 146, 166), (118, 196, 92), (250, 236, 214), (232, 214, 188)
#: Drawn this many times larger, then scaled down: smooth (anti-aliased) edges from ImageDraw.
SUPERSAMPLE = 4


def draw(size: int) -> Image.Image:
    """A grey cat sitting and looking at you: whole body, front paws, a curled tail, striped head."""
    big = size * SUPERSAMPLE
    s = big / 320
    img = Image.new("RGB", (big, big), BG)
    d = ImageDraw.Draw(img)
    line = max(1, round(3.5 * s))
    thin = max(1, line // 2)

    def box(x0, y0, x1, y1):
        return [x0 * s, y0 * s, x1 * s, y1 * s]

    def blob(x0, y0, x1, y1, fill=FUR, outline=DARK):
        d.ellipse(box(x0, y0, x1, y1), fill=fill, outline=outline, width=line)

    d.ellipse(box(70, 292, 262, 316), fill=SHADOW)  # the floor under it
    # The tail: a thick curve from behind the right haunch, up and curling over at the tip
    # (a quadratic Bezier drawn as discs: the outline first, then the fur inside it).
    tail = [((1 - t) ** 2 * 215 + 2 * (1 - t) * t * 300 + t * t * 268,
             (1 - t) ** 2 * 292 + 2 * (1 - t) * t * 270 + t * t * 170, 15 - 4 * t)
            for t in (step / 40 for step in range(41))]  # fmt: skip
    for grow, colour in ((2, DARK), (-2, FUR)):
        for x, y, r in tail:
            d.ellipse(box(x - r - grow, y - r - grow, x + r + grow, y + r + grow), fill=colour)
    blob(88, 140, 232, 300)  # body
    blob(78, 222, 158, 302)  # haunches
    blob(162, 222, 242, 302)
    d.ellipse(box(122, 160, 198, 270), fill=LIGHT)  # chest
    blob(112, 270, 154, 304, fill=LIGHT)  # front paws, with toes
    blob(166, 270, 208, 304, fill=LIGHT)
    for cx in (133, 187):
        for dx in (-7, 7):
            d.line([((cx + dx) * s, 292 * s), ((cx + dx) * s, 302 * s)], fill=DARK, width=thin)
    # Ears, then the head over their base.
    d.polygon([(96 * s, 92 * s), (102 * s, 18 * s), (152 * s, 58 * s)], fill=FUR, outline=DARK, width=line)
    d.polygon([(224 * s, 92 * s), (218 * s, 18 * s), (168 * s, 58 * s)], fill=FUR, outline=DARK, width=line)
    d.polygon([(108 * s, 76 * s), (110 * s, 36 * s), (138 * s, 60 * s)], fill=PINK)
    d.polygon([(212 * s, 76 * s), (210 * s, 36 * s), (182 * s, 60 * s)], fill=PINK)
    blob(78, 44, 242, 180)  # head
    for dx, top in ((-14, 58), (0, 54), (14, 58)):  # forehead stripes
        d.line([((160 + dx) * s, top * s), ((160 + dx * 0.7) * s, (top + 20) * s)], fill=DARK, width=line)
    for side in (-1, 1):  # cheek stripes
        for dy in (0, 12):
            x0 = 160 + side * 80
            d.line([(x0 * s, (110 + dy) * s), ((x0 - side * 16) * s, (112 + dy) * s)], fill=DARK, width=line)
    d.ellipse(box(128, 118, 192, 166), fill=LIGHT)  # muzzle
    for cx in (124, 196):  # eyes: green, a slit pupil, a highlight
        d.ellipse(box(cx - 19, 84, cx + 19, 122), fill=EYE, outline=DARK, width=line)
        d.ellipse(box(cx - 5, 87, cx + 5, 119), fill=DARK)
        d.ellipse(box(cx - 12, 92, cx - 5, 99), fill=(255, 255, 255))
    d.polygon([(150 * s, 126 * s), (170 * s, 126 * s), (160 * s, 138 * s)], fill=PINK, outline=DARK)  # nose
    d.line([(160 * s, 138 * s), (160 * s, 146 * s)], fill=DARK, width=line)
    d.arc(box(146, 136, 162, 154), 20, 160, fill=DARK, width=line)  # mouth
    d.arc(box(158, 136, 174, 154), 20, 160, fill=DARK, width=line)
    for dy in (-6, 4, 14):  # whiskers
        for outer, inner in ((56, 132), (264, 188)):
            d.line(
                [(outer * s, (134 + dy * 1.4) * s), (inner * s, (140 + dy * 0.4) * s)], fill=DARK, width=thin
            )
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    parser = argparse.ArgumentParser(prog="scripts/draw-kitty", description=__doc__)
    parser.parse_args()
    for name, size in (("kitty.png", 320), ("kitty-640.png", 640), ("favicon.png", 48)):
        path = ROOT / "static" / name
        draw(size).quantize(32).save(path, optimize=True)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
