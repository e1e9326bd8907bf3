"""The reviews pages' charts, from the reviews service's JSON: a school's implementation level over time
(its finalized reviews) and the district-implementation analytics (the three analyses' figures). School and
strand names come from the roster and the rubric the page already read."""

from __future__ import annotations

import altair as alt
from markupsafe import Markup

from web.charts.render import MUTED, draw

LEVELS = ("Minimal/No", "Partial", "Proficient", "Deep Implementation")
KINDS = {"pre": "Pre-review", "interim": "Interim review", "site": "Site review"}
SITE, OTHER, LINE, WHISKER = "#1e7e46", "#8e5c00", "#1f5f99", "#b03a2e"
STRANDS = ("#1f4e79", "#b03a2e", "#1e7e46", "#7d3c98", "#8e5c00", "#2c3e50", "#c0392b", "#16a085")


def school_year(value: str | int) -> str:
    value = str(value)
    return f"{value}-{(int(value) + 1) % 100:02d}" if value.isdigit() else value


def _empty(message: str) -> alt.Chart:
    """Said in the middle of the plot, so an empty chart does not look broken."""
    return alt.Chart(alt.Data(values=[{"m": message}])).mark_text(fontSize=13, color=MUTED).encode(text="m:N")


def _pct(value: float | None) -> str:
    return "no data" if value is None else f"{value:.0%}"


# --- a school's implementation level over time ---------------------------------------------------------------
def history_spec(reviews: list[tuple[str, str, float | None]], *, title: str) -> alt.LayerChart:
    """One point per finalized review (date, kind, mean rating 0-3), oldest first, joined by a line; the rubric's
    levels name the y axis."""
    rows = [{"on": on, "kind": "Site review" if kind == "site" else "Pre- or interim review", "mean": mean, "label": f"{mean:.1f}"}
            for on, kind, mean in reviews if mean is not None]  # fmt: skip
    x = alt.X("on:O", title="Date of the review", sort=None, scale=alt.Scale(domain=[on for on, _, _ in reviews]),
              axis=alt.Axis(labelAngle=0))  # fmt: skip
    levels = " : ".join(f"datum.value == {i} ? '{i} {name}'" for i, name in enumerate(LEVELS)) + " : ''"
    y = alt.Y("mean:Q", title="Mean rating (0-3)", scale=alt.Scale(domain=[0, 3]),
              axis=alt.Axis(values=[0, 1, 2, 3], labelExpr=levels))  # fmt: skip
    kinds = ["Site review", "Pre- or interim review"]
    colour = alt.Color("kind:N", title="Review", scale=alt.Scale(domain=kinds, range=[SITE, OTHER]))
    base = alt.Chart(alt.Data(values=rows)).encode(x=x, y=y)
    layers = [base.mark_line(color=LINE, strokeWidth=2.5), base.mark_point(filled=True, size=90, opacity=1).encode(color=colour),
              base.mark_text(dy=-12, fontWeight="bold").encode(text="label:N")]  # fmt: skip
    if not reviews:
        layers = [_empty("No finalized review yet")]
    return alt.layer(*layers).properties(title=title, width=520, height=240)


def history_words(reviews: list[tuple[str, str, float | None]]) -> str:
    said = "; ".join(
        f"{on} {KINDS.get(kind, kind).lower()}: "
        + (f"mean rating {mean:.1f} of 3 ({LEVELS[min(int(mean + 1e-9), 3)]})" if mean is not None else "not rated")
        for on, kind, mean in reviews
    )  # fmt: skip
    return ("The school's mean rating on the rubric (0 Minimal/No, 1 Partial, 2 Proficient, 3 Deep Implementation) "
            f"on each finalized review, oldest first. {said or 'No finalized review yet'}.")  # fmt: skip


async def history_chart(reviews: list[tuple[str, str, float | None]], *, school: str) -> Markup:
    title = f"Implementation level over time: {school}"
    return await draw(history_spec(reviews, title=title), chart_id="chart-history", title=title,
                      description=history_words(reviews))  # fmt: skip


# --- district implementation: shares with their Wilson intervals ---------------------------------------------
def proportions_spec(groups: list[dict], *, title: str) -> alt.LayerChart:
    rows = [{"group": f"{g['label']}|{g['k']} of {_plural(g['n'], 'school')}", "p": g["p"] or 0.0, "label": _pct(g["p"]) if g["n"] else "no schools",
             "lo": (g.get("wilson_95") or [None, None])[0], "hi": (g.get("wilson_95") or [None, None])[1]} for g in groups]  # fmt: skip
    x = alt.X("group:N", title="Group of program schools", sort=None,
              axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '|')", labelLineHeight=16))  # fmt: skip
    share = alt.Scale(domain=[0, 1])
    names = ["Share in a district implementation", "95 % interval (Wilson)"]
    colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=names, range=[LINE, WHISKER]),
                       legend=alt.Legend(symbolType="square"))  # fmt: skip
    base = alt.Chart(alt.Data(values=rows)).encode(x=x)
    bars = (
        base.transform_calculate(series=f"'{names[0]}'")
        .mark_bar(width={"band": 0.5})
        .encode(
            y=alt.Y("p:Q", title="Share of schools", scale=share, axis=alt.Axis(format="%")), color=colour
        )
    )
    interval = base.transform_filter("datum.lo != null").transform_calculate(series=f"'{names[1]}'")
    whiskers = [interval.mark_rule(strokeWidth=2).encode(y=alt.Y("lo:Q", scale=share), y2="hi:Q", color=colour),
                *(interval.mark_tick(size=14, thickness=2, opacity=1).encode(y=alt.Y(f"{end}:Q", scale=share), color=colour)
                  for end in ("lo", "hi"))]  # fmt: skip
    labels = base.mark_text(align="left", dx=-40, dy=-8, fontWeight="bold").encode(
        y=alt.Y("p:Q", scale=share), text="label:N"
    )
    layers = [bars, *whiskers, labels] if any(g["n"] for g in groups) else [_empty("No program school yet")]
    return alt.layer(*layers).properties(title=title, width=520, height=260)


def proportions_words(groups: list[dict]) -> str:
    said = "; ".join(
        f"{g['label']}: {g['k']} of {g['n']} schools ({_pct(g['p'])}"
        + (
            f", 95 % interval {g['wilson_95'][0]:.0%} to {g['wilson_95'][1]:.0%})"
            if g.get("wilson_95")
            else ")"
        )
        for g in groups
    )
    return f"Share of program schools that are part of a district implementation, by group. {said}."


# --- implementation vs achievement ---------------------------------------------------------------------------
def scatter_spec(points: list[dict], *, title: str) -> alt.LayerChart:
    pct = alt.Scale(domain=[0, 100])
    x = alt.X(
        "implementation:Q",
        title="Rubric indicators rated Proficient or Deep (latest site review, %)",
        scale=pct,
    )
    y = alt.Y("achievement:Q", title="Students proficient (summative, %)", scale=pct)
    dots = alt.Chart(alt.Data(values=[{**p, "series": "One school"} for p in points])).mark_point(
        filled=True, size=60, opacity=0.8).encode(x=x, y=y, color=alt.Color(
            "series:N", title=None, scale=alt.Scale(domain=["One school"], range=[LINE])))  # fmt: skip
    layers = [dots] if points else [dots, _empty("No school with both a site review and results yet")]
    return alt.layer(*layers).properties(title=title, width=520, height=300)


def scatter_words(points: list[dict]) -> str:
    said = "; ".join(f"({p['implementation']:.0f} %, {p['achievement']:.0f} %)"
                     for p in sorted(points, key=lambda p: (p["implementation"], p["achievement"])))  # fmt: skip
    return ("One dot per school: across, the share of rubric indicators rated Proficient or Deep on its latest site "
            f"review; up, the share of its students proficient on summative assessments that year. "
            f"{said or 'No school has both yet'}.")  # fmt: skip


# --- strand points by school year ----------------------------------------------------------------------------
def trend_rows(by_year: list[dict], strands: dict[str, str]) -> list[dict]:
    ids = sorted({s for t in by_year for s in t["strands"]}, key=lambda s: strands.get(s, s))
    return [{"year": school_year(t["value"]), "strand": strands.get(s, s), "points": t["strands"].get(s, {}).get("points")}
            for t in by_year for s in ids]  # fmt: skip


def trend_spec(by_year: list[dict], strands: dict[str, str], *, title: str) -> alt.LayerChart:
    """One line per strand (named from the rubric) over the school years; the legend gives each strand's latest
    value, so the lines that end on top of each other stay told apart."""
    rows = [r for r in trend_rows(by_year, strands) if r["points"] is not None]
    latest = {r["strand"]: r["points"] for r in rows}  # rows run oldest year first: the last one wins
    years = [f"{school_year(t['value'])}|{t['n']} review{'s' if t['n'] != 1 else ''}" for t in by_year]
    rows = [{**r, "year": next(y for y in years if y.startswith(r["year"] + "|")),
             "strand": f"{r['strand']}: {_pct(latest[r['strand']])}"} for r in rows]  # fmt: skip
    names = list(dict.fromkeys(r["strand"] for r in rows))
    x = alt.X("year:O", title="School year", scale=alt.Scale(domain=years),
              axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '|')", labelLineHeight=16))  # fmt: skip
    y = alt.Y("points:Q", title="Strand points (% of the maximum)", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))  # fmt: skip
    heading = f"In {school_year(by_year[-1]['value'])}" if by_year else "Strand"
    colour = alt.Color("strand:N", title=heading, legend=alt.Legend(columns=2, symbolType="stroke"),
                       scale=alt.Scale(domain=names, range=[STRANDS[i % len(STRANDS)] for i in range(len(names))]))  # fmt: skip
    lines = alt.Chart(alt.Data(values=rows)).mark_line(
        point=alt.OverlayMarkDef(filled=True, size=40), strokeWidth=2.5
    )
    layers = (
        [lines.encode(x=x, y=y, color=colour, detail="strand:N")]
        if rows
        else [_empty("No finalized site review yet")]
    )
    return alt.layer(*layers).properties(title=title, width=520, height=280)


def trend_words(by_year: list[dict], strands: dict[str, str]) -> str:
    rows, said = trend_rows(by_year, strands), []
    for name in dict.fromkeys(r["strand"] for r in rows):
        said.append(
            f"{name}: " + ", ".join(f"{r['year']} {_pct(r['points'])}" for r in rows if r["strand"] == name)
        )
    return ("Mean rubric points of each strand as a share of the most a strand can score (every indicator rated "
            f"Deep Implementation), by school year. {'; '.join(said) or 'No finalized site review yet'}.")  # fmt: skip


# --- the analytics page's three charts -----------------------------------------------------------------------
def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


async def implementation_chart(di: dict) -> Markup:
    title = f"Schools in district implementations (n = {_plural(di['schools'], 'school')}, {_plural(di['districts'], 'district')})"
    c = di["non_recognized_vs_recognized"]
    groups = [di["program_vs_recognized"]["a"], c["a"], c["b"]]
    return await draw(proportions_spec(groups, title=title), chart_id="chart-district-implementation", title=title,
                      description=proportions_words(groups))  # fmt: skip


async def achievement_chart(found: dict) -> Markup:
    r = f", Pearson r = {found['pearson']['r']:.2f}" if found.get("pearson") else ""
    title = f"Implementation vs achievement (n = {found['n']}{r})"
    return await draw(scatter_spec(found["points"], title=title), chart_id="chart-implementation-achievement",
                      title=title, description=scatter_words(found["points"]))  # fmt: skip


async def trends_chart(trends: dict, strands: dict[str, str]) -> Markup:
    years = trends["by_year"]
    title = f"Strand points by school year (n = {_plural(sum(t['n'] for t in years), 'site review')})"
    return await draw(trend_spec(years, strands, title=title), chart_id="chart-trends", title=title,
                      description=trend_words(years, strands))  # fmt: skip
