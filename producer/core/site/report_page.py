"""report.html: one self-contained page (inline CSS and SVG, no script, no network)
of what a build shipped or what `check` measured: loudness over time against the
target, the chapters along the time axis, the leveler's gains, the renders tried
and why, the checks."""
from __future__ import annotations

from importlib import resources

from dataclasses import dataclass, field
from html import escape
from typing import Any, Sequence

import numpy as np

from ..audio.loudness import Curve, Loudness
from .svg_plot import Line, Plot, svg
from ..chapters.timecode import format_time
from ..episode.verdicts import Verdict

FLOOR_LU = -60.0  # the plot's bottom: quieter than any speech worth seeing


@dataclass(frozen=True)
class Track:
    name: str
    summary: dict[str, Any]  # the leveler's per-track report (speech before/after, gain range, shares)
    gains_db: np.ndarray  # one a block
    times_s: np.ndarray  # each block's centre in the finished episode (after the intro, the cuts out)


@dataclass(frozen=True)
class PageData:
    title: str
    file: str
    target_lufs: float
    tolerance: float
    ceiling_dbtp: float
    preset: str
    output: Loudness
    verdicts: list[Verdict]
    input: Loudness | None = None  # the assembled programme before the gain
    chapters: Sequence[tuple[float, str]] = ()  # (seconds, title)
    attempts: Sequence[dict[str, Any]] = ()
    tracks: Sequence[Track] = ()
    leveler: str | None = None
    notes: Sequence[str] = field(default_factory=tuple)
    cleanup: dict[str, Any] = field(default_factory=dict)  # report.json's `cleanup`
    cuts: Sequence[dict[str, Any]] = ()  # report.json's `cuts`
    suggested: Sequence[dict[str, Any]] = ()  # report.json's `suggested_cuts`
    audio: str | None = None  # the episode's MP3 beside the page, for the cut review's player
    clips: Sequence[tuple[float, float]] = ()  # each applied cut's uncut audio ("as it was"): (start, length) s
    clips_file: str | None = None  # ... in this file beside the page


def page(d: PageData) -> str:
    ok = not any(v.fails for v in d.verdicts)
    warned = sum(v.warns for v in d.verdicts)
    body = [f"<header><h1>{escape(d.title)}</h1><p class=\"file\">{escape(d.file)} · preset "
            f"{escape(d.preset)}</p><p class=\"verdict {'pass' if ok else 'fail'}\">"
            f"{'PASS' if ok else 'FAIL'}: {sum(v.ok for v in d.verdicts)} of {len(d.verdicts)} checks"
            + (f", {warned} warning{'s' if warned > 1 else ''}" if warned else "") + "</p></header>",
            _figures(d), _loudness_section(d)]
    if d.chapters:
        body.append(_chapters(d.chapters))
    if d.cleanup.get("tracks"):
        body.append(_cleanup(d.cleanup, d.cuts))
    if (d.cuts or d.suggested) and d.audio:
        body.append(_review(d))
    if d.tracks:
        body.append(_leveler(d))
    if d.attempts:
        body.append(_attempts(d))
    body.append(_checks(d.verdicts))
    body += [f"<p class=\"note\">{escape(n)}</p>" for n in d.notes]
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<link rel=\"icon\" href=\"data:,\">"
            f"<title>{escape(d.title)}: loudness report</title><style>{CSS}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>\n")


def _figures(d: PageData) -> str:
    o = d.output
    rows = [("integrated", f"{o.integrated:.2f} LUFS", f"{d.target_lufs:g} ± {d.tolerance:g}"),
            ("true peak", f"{o.true_peak:.2f} dBTP", f"≤ {d.ceiling_dbtp:g}"),
            ("loudness range", f"{o.lra:.1f} LU", ""),
            ("duration", format_time(round(o.duration * 1000)), "")]
    if d.input is not None:
        rows.insert(0, ("input (before gain)", f"{d.input.integrated:.2f} LUFS", ""))
    cells = "".join(f"<tr><th>{escape(a)}</th><td>{escape(b)}</td><td>{escape(c)}</td></tr>" for a, b, c in rows)
    return f"<section><table class=\"figures\"><tr><th></th><th>measured</th><th>target</th></tr>{cells}</table></section>"


def _loudness_section(d: PageData) -> str:
    o = d.output
    lines = []
    if o.curve is not None:
        lines += _curve_lines(o.curve, "shipped", "out")
    if d.input is not None and d.input.curve is not None:
        c = d.input.curve
        lines.append(Line("input short-term (3 s), before the gain", _times(c), c.short_term, "in-short"))
    levels = [(d.target_lufs, f"target {d.target_lufs:g} LUFS", "target"),
              (d.ceiling_dbtp, f"ceiling {d.ceiling_dbtp:g} dBTP", "ceiling")]
    plot = Plot("Loudness over time", o.duration, FLOOR_LU, 0.0, "LUFS / dB", lines, levels,
                [(t, title) for t, title in d.chapters], cuts=_cut_marks(d.cuts))
    legend = ("<ul class=\"legend\"><li><i class=\"k out-mom\"></i>momentary (400 ms), range per step</li>"
              "<li><i class=\"k out-short\"></i>short-term (3 s)</li>"
              "<li><i class=\"k out-peak\"></i>sample peak per second</li>"
              + ("<li><i class=\"k in-short\"></i>input short-term, before the gain</li>" if d.input else "")
              + "<li><i class=\"k target\"></i>target</li><li><i class=\"k ceiling\"></i>true-peak ceiling</li></ul>")
    peak = (f"<p>True peak {o.true_peak:.2f} dBTP against a ceiling of {d.ceiling_dbtp:g} dBTP "
            f"({'under' if o.true_peak <= d.ceiling_dbtp + 1e-9 else 'OVER'}); loudest sample "
            f"{o.sample_peak:.2f} dBFS.</p>")
    return f"<section><h2>Loudness over time</h2>{svg(plot)}{legend}{peak}</section>"


def _curve_lines(c: Curve, what: str, css: str) -> list[Line]:
    t = _times(c)
    return [Line(f"{what} momentary (400 ms)", t, c.momentary, f"{css}-mom", band=True),
            Line(f"{what} short-term (3 s)", t, c.short_term, f"{css}-short"),
            Line(f"{what} sample peak per second", c.peak_times, c.peaks, f"{css}-peak")]


def _times(c: Curve) -> np.ndarray:
    return (np.arange(len(c.short_term)) + 1) * c.step_s


def _chapters(chapters: Sequence[tuple[float, str]]) -> str:
    items = "".join(f"<li><span class=\"t\">{format_time(round(t * 1000))}</span> {escape(title)}</li>"
                    for t, title in chapters)
    return f"<section><h2>Chapters</h2><ol class=\"chapters\">{items}</ol></section>"


def _cut_marks(cuts: Sequence[dict[str, Any]]) -> list[tuple[float, str]]:
    return [(c["episode_position"], f"{c['length']:.2f} s taken out ({c['reason']})") for c in cuts]


def _cleanup(c: dict[str, Any], cut_list: Sequence[dict[str, Any]]) -> str:
    def db(v: float | None, unit: str = " dB") -> str:
        return "–" if v is None else f"{v:.1f}{unit}"

    rows = "".join(
        f"<tr><th>{escape(t['file'])}</th><td>{db(t['noise_floor_lufs'], ' LUFS')}</td>"
        f"<td>{db(t.get('speech_over_floor_db'))}</td><td>{'off' if not t['denoise_db'] else db(t['denoise_db'])}</td>"
        f"<td>{escape(_hum_text(t.get('hum')))}</td></tr>" for t in c["tracks"])
    shipped = c.get("shipped") or {}
    rows += (f"<tr><th>shipped file</th><td>{db(shipped.get('noise_floor_lufs'), ' LUFS')}</td>"
             f"<td>{db(shipped.get('speech_over_floor_db'))}</td><td></td><td></td></tr>")
    cuts = "".join(f"<tr><td>{escape(x['reason'])}</td><td>{format_time(round(x['recording_start'] * 1000))}–"
                   f"{format_time(round(x['recording_end'] * 1000))}</td>"
                   f"<td>{format_time(round(x['episode_position'] * 1000))}</td><td>{x['length']:.2f} s</td></tr>"
                   for x in cut_list)
    cut_table = (f"<h3>Cuts: {c.get('time_saved_s', 0):.1f} s saved</h3><table class=\"tracks\"><tr><th>reason</th>"
                 f"<th>in the recording</th><th>in the episode</th><th>length</th></tr>{cuts}</table>") if cuts else ""
    return ("<section><h2>Cleanup</h2><table class=\"tracks\"><tr><th>track</th><th>noise floor</th>"
            "<th>speech over the floor</th><th>denoise</th><th>hum</th></tr>"
            f"{rows}</table><p class=\"note\">Noise floors as analysed: each recording before cleanup, the shipped "
            f"file after gain, cleanup and leveling; the distance under the speech is what no gain changes.</p>"
            f"{cut_table}</section>")


def _review(d: PageData) -> str:
    """Every suggested and applied cut, a row each: where, which detector, the words on
    both sides, and buttons that play two seconds around it (cuts.js). A suggestion
    plays as it is and as it would be; an applied cut as shipped (it is gone from the
    MP3: "as it was" plays its clip, dist/cuts/). Ticking suggestions gives their
    [[cuts]] text."""
    def row(x: dict[str, Any], suggestion: bool, clip: tuple[float, float] | None = None) -> str:
        at, length = x["episode_position"], x["length"] if suggestion else 0.0
        start, end = format_time(round(x["recording_start"] * 1000), True), format_time(round(x["recording_end"] * 1000), True)
        tick = (f"<input type=\"checkbox\" data-cut data-start=\"{start}\" data-end=\"{end}\" "
                f"data-reason=\"{escape(x['reason'])}\" aria-label=\"accept {x.get('number', '')}\">") if suggestion else ""
        buttons = (f"<button data-play=\"as-is\" data-at=\"{at:.3f}\" data-len=\"{length:.3f}\">▶ as it is</button>"
                   + (f" <button data-play=\"cut\" data-at=\"{at:.3f}\" data-len=\"{length:.3f}\">▶ as it would be"
                      f"</button>" if suggestion else "")
                   + (f" <button data-clip-at=\"{clip[0]:.3f}\" data-clip-len=\"{clip[1]:.3f}\">▶ as it was"
                      f"</button>" if clip else ""))
        return (f"<tr class=\"{'suggested' if suggestion else 'applied'}\"><td>{tick}</td>"
                f"<td>{format_time(round(at * 1000))}</td><td>{escape(x.get('detector') or x['reason'])}</td>"
                f"<td>{'suggested' if suggestion else 'cut'}</td><td>{x['length']:.2f} s</td>"
                f"<td>{escape(x.get('words') or '')}</td><td>{buttons}</td></tr>")

    clips = list(d.clips) + [None] * (len(d.cuts) - len(d.clips))
    rows = "".join([*(row(x, True) for x in d.suggested), *(row(x, False, c) for x, c in zip(d.cuts, clips))])
    was = (f"<audio id=\"cut-clips\" preload=\"metadata\" src=\"{escape(d.clips_file)}\"></audio>"
           if d.clips and d.clips_file else "")
    return (f"<section id=\"cut-review\"><h2>Cuts to review</h2><audio id=\"cut-player\" preload=\"metadata\" "
            f"src=\"{escape(d.audio or '')}\"></audio>{was}<table class=\"tracks\"><tr><th></th><th>in the episode</th>"
            f"<th>detector</th><th></th><th>length</th><th>words around it</th><th>listen</th></tr>{rows}</table>"
            f"<p class=\"note\">Tick the suggestions to keep; paste this into episode.toml (or run "
            f"<code>producer cuts EP --accept N,M</code>):</p><textarea id=\"cuts-text\" rows=\"6\" cols=\"60\" "
            f"readonly></textarea><script>{CUTS_JS}</script></section>")


def _hum_text(hum: dict[str, Any] | None) -> str:
    if not hum:
        return "none found"
    return f"{hum['base_hz']} Hz, harmonics {', '.join(str(k) for k in hum['harmonics'])} notched"


def _leveler(d: PageData) -> str:
    seconds = d.output.duration
    lines = [Line(f"{t.name} gain", t.times_s, t.gains_db, f"gain-{i % 4}") for i, t in enumerate(d.tracks)]
    lo = min(-6.0, *(float(np.min(t.gains_db)) - 1 for t in d.tracks if len(t.gains_db)))
    hi = max(6.0, *(float(np.max(t.gains_db)) + 1 for t in d.tracks if len(t.gains_db)))
    plot = Plot("The leveler's gain per track", seconds, lo, hi, "dB", lines, [(0.0, "0 dB", "zero")],
                [(t, title) for t, title in d.chapters], height=220)
    head = ("<tr><th>track</th><th>speech before</th><th>speech after</th><th>balance</th>"
            "<th>gain range</th><th>speech</th><th>gated</th></tr>")
    rows = "".join(_track_row(i, t) for i, t in enumerate(d.tracks))
    return (f"<section><h2>Leveler: {escape(d.leveler or '')}</h2>{svg(plot)}"
            f"<table class=\"tracks\">{head}{rows}</table></section>")


def _track_row(i: int, t: Track) -> str:
    s = t.summary

    def f(key: str, unit: str, fmt: str = "{:.1f}") -> str:
        v = s.get(key)
        return "–" if v is None else fmt.format(v) + unit

    return (f"<tr><th><i class=\"k gain-{i % 4}\"></i>{escape(t.name)}</th><td>{f('speech_lufs_before', ' LUFS')}</td>"
            f"<td>{f('speech_lufs_after', ' LUFS')}</td><td>{f('balance_db', ' dB', '{:+.1f}')}</td>"
            f"<td>{f('gain_min_db', '', '{:+.1f}')} … {f('gain_max_db', ' dB', '{:+.1f}')}</td>"
            f"<td>{f('speech_share', ' %', '{:.0%}').replace('% %', '%')}</td>"
            f"<td>{f('gated_share', ' %', '{:.0%}').replace('% %', '%')}</td></tr>")


def _attempts(d: PageData) -> str:
    rows = []
    for n, a in enumerate(d.attempts, 1):
        out = a.get("output", {})
        rows.append(f"<tr><td>{n}</td><td>{a['gain_db']:+.2f} dB</td><td>{a['limiter_ceiling_db']:.2f} dB</td>"
                    f"<td>{_num(out.get('integrated'), ' LUFS')}</td><td>{_num(out.get('true_peak'), ' dBTP')}</td>"
                    f"<td class=\"why\">{escape(why(n, d.attempts, d))}</td></tr>")
    head = "<tr><th>#</th><th>gain</th><th>limiter ceiling</th><th>MP3 loudness</th><th>MP3 true peak</th><th>why</th></tr>"
    return f"<section><h2>Renders</h2><table class=\"renders\">{head}{''.join(rows)}</table></section>"


def why(n: int, attempts: Sequence[dict[str, Any]], d: PageData) -> str:
    """Why render n was made, and whether it shipped."""
    shipped = " Shipped." if n == len(attempts) else ""
    if n == 1:
        loss = attempts[0].get("predicted_loss_lu")
        guess = f" (the limiter predicted to take {loss:.2f} LU)" if loss else ""
        return f"First render: the gain that brings the measured input to the target{guess}.{shipped}"
    prev = attempts[n - 2].get("output", {})
    reasons = []
    if prev.get("integrated") is not None and abs(prev["integrated"] - d.target_lufs) > d.tolerance:
        reasons.append(f"render {n - 1} measured {prev['integrated']:.2f} LUFS, outside {d.target_lufs:g} ± {d.tolerance:g}")
    if prev.get("true_peak") is not None and prev["true_peak"] > d.ceiling_dbtp:
        reasons.append(f"render {n - 1} peaked at {prev['true_peak']:.2f} dBTP, over {d.ceiling_dbtp:g}")
    return ("Corrected: " + "; ".join(reasons) if reasons else f"Corrected after render {n - 1}") + "." + shipped


def _num(v: float | None, unit: str) -> str:
    return "–" if v is None else f"{v:.2f}{unit}"


def _row_class(v: Verdict) -> str:
    return "pass" if v.ok else "warn" if v.warns else "fail"


def _checks(verdicts: list[Verdict]) -> str:
    rows = "".join(f"<tr class=\"{_row_class(v)}\"><td>{'✓' if v.ok else '!' if v.warns else '✗'}</td>"
                   f"<th>{escape(v.name)}</th><td>{escape(str(v.measured))}</td><td>{escape(str(v.expected))}</td>"
                   f"<td>{escape(v.reason)}</td></tr>" for v in verdicts)
    return ("<section><h2>Checks</h2><table class=\"checks\"><tr><th></th><th>check</th><th>measured</th>"
            f"<th>expected</th><th></th></tr>{rows}</table></section>")


CSS = "\n" + (resources.files(__package__) / "assets" / "report.css").read_text(encoding="utf-8")
CUTS_JS = (resources.files(__package__) / "assets" / "cuts.js").read_text(encoding="utf-8")
