"""Server-rendered SVG charts are one image each, named and described (RGAA 1.1, 1.3)."""

import re
from decimal import Decimal

from django.utils import translation

from core.charts import accessible_svg, series_desc
from diagnostics.charts import profile_radar


def test_the_svg_becomes_an_image_with_a_first_title_and_a_desc():
    svg = accessible_svg(
        '<svg xmlns="http://www.w3.org/2000/svg" id="c"><g><title>point</title></g></svg>',
        title="Stocks & flux <2026>",
        desc="Attendu : 3",
    )
    assert svg.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" id="c" role="img">'
        "<title>Stocks &amp; flux &lt;2026&gt;</title><desc>Attendu : 3</desc><g>"
    )


def test_series_are_described_in_words_the_french_way():
    desc = series_desc([("Attendu", [10, 2.5]), ("Réalisé", [Decimal("7"), None])], ["T1", "T2"])
    assert desc == "Attendu : T1 10, T2 2,5 ; Réalisé : T1 7, T2 —"


def test_the_radar_names_itself_and_gives_each_theme_score():
    with translation.override("fr"):
        svg = profile_radar(
            themes=[("stocks", "Stocks"), ("qualite", "Qualité")],
            scores={"stocks": Decimal("20"), "qualite": Decimal("75")},
            previous={"stocks": Decimal("10")},
        )
    opening = re.match(r"<svg[^>]*>", svg).group(0)
    assert 'role="img"' in opening
    assert "<title>Profil de maturité par thème (0 à 100 %)</title>" in svg
    assert (
        "<desc>Stocks : 20\u00a0% (avant : 10\u00a0%) ; Qualité : 75\u00a0% (avant : —)</desc>"
        in svg
    )


def test_the_radar_writes_every_theme_name_whole_and_large_enough():
    svg = profile_radar(
        themes=[("maintenance", "Maintenance des équipements"), ("a", "A"), ("b", "B")],
        scores={"maintenance": Decimal("54.5"), "a": Decimal("10"), "b": Decimal("0")},
    )
    names = "".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg))
    assert "Maintenance des" in names and "équipements" in names and "…" not in svg
    sizes = [int(s) for s in re.findall(r'<text[^>]*font-size="(\d+)"', svg)]
    assert min(sizes) >= 12
    assert "54,5\u00a0%" in svg  # French decimals in the description too
