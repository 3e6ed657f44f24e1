"""`make bench`: producer build side by side with a plain ffmpeg MP3 encode and
ffmpeg-normalize, then build time and memory from 10 to 120 minutes, then the
feed update on a feed of 2,000 items. Results go to bench/results.md.

Each command runs as its own process tree (the ratio's three rows: best of two runs); wall and CPU time come from the
clock and getrusage, peak memory from summing the proportional set sizes (PSS)
of the whole tree every 250 ms (psutil; every second in the floor's rows, whose
ratios the sampler's own CPU would move), loudness and true peak of every output
from ffmpeg's own ebur128 filter.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import factory  # noqa: E402  (the same media generators the tests use)

WORK = ROOT / "bench" / "work"
PRODUCER = [sys.executable, "-m", "producer"]
# Reading PSS walks every process's page tables; sampled too often it takes CPU from
# the command measured, which on 2 cores penalises a tree of processes most.
SAMPLE_EVERY = 0.25
# The floor's rows read PSS every fourth sample: at every sample the sampler took 6.0
# CPU-s of a 116-s build with all three formats (5 % of a core the build needed),
# and a plain encode's single process costs it next to nothing to sample
FLOOR_PSS_EVERY = 4


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    peak_mb: float
    integrated: float | None = None
    true_peak: float | None = None
    processes: dict[str, float] = field(default_factory=dict)  # CPU s by what each process of the tree did
    stages: dict[str, float] = field(default_factory=dict)  # a build's report.json "seconds" (wall, by stage)
    renders: dict[str, int] = field(default_factory=dict)  # a build's renders a format (report.json "tries")
    passes: int = 0  # a build's reads of the programme (report.json "passes")
    sampler_cpu: float = 0.0  # CPU s the bench's own sampling thread took while the command ran


# What each process of a build's tree does, told by its command line: the first row
# whose words all appear names it (a table, so a new process kind is one row)
PROCESS_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("LAME encoder", ("libmp3lame",)),
    ("AAC encoder", ("-c:a aac",)),
    ("Opus encoder", ("libopus",)),
    ("MP3 verifying decode", ("-f mp3 -i pipe:0",)),
    ("AAC verifying decode", ("-f aac -i pipe:0",)),
    ("Opus verifying decode", ("-f ogg -i pipe:0",)),
    ("M4A remux", (".unmuxed",)),
    ("assembly", ("-filter_complex", "[out]", "acrossfade")),
    ("assembly", ("-filter_complex", "[out]", "amix")),
    ("analysis decodes", ("ffmpeg",)),
    ("ffprobe", ("ffprobe",)),
    ("producer (Python)", ("producer",)),
)


def process_kind(cmdline: list[str]) -> str:
    line = " ".join(cmdline)
    return next((kind for kind, words in PROCESS_KINDS if all(w in line for w in words)), "other")


def run(name: str, cmd: list[str], out: Path | None = None, pss_every: int = 1) -> Run:
    """Wall, CPU (user+sys of the whole tree) and peak summed PSS of one command, the
    PSS read at every `pss_every`-th sample (each process's CPU at every one)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()
    seen: dict[int, tuple[str, float]] = {}  # pid: (kind, its CPU seconds at the last look)

    sampler_cpu = 0.0

    def sample() -> None:
        nonlocal peak, sampler_cpu
        n = 0
        while not stop.is_set():
            pss = n % pss_every == 0
            n += 1
            try:
                tree = [proc, *proc.children(recursive=True)]
                total = 0
                for p in tree:
                    try:  # PSS: shared libraries counted once across the tree, not once a process
                        if pss:
                            total += p.memory_full_info().pss
                        times = p.cpu_times()
                        kind = seen[p.pid][0] if p.pid in seen else process_kind(p.cmdline())
                        seen[p.pid] = (kind, times.user + times.system)
                    except psutil.Error:
                        pass
                peak = max(peak, total)
            except psutil.Error:
                pass
            stop.wait(SAMPLE_EVERY)
        own = resource.getrusage(resource.RUSAGE_THREAD)
        sampler_cpu = own.ru_utime + own.ru_stime

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed: {err.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = Run(name, wall, cpu, peak / 2**20, sampler_cpu=sampler_cpu)
    for kind, seconds in seen.values():  # a process's last quarter second before it ended is not seen
        result.processes[kind] = result.processes.get(kind, 0.0) + seconds
    if out is not None:
        m = factory.ebur128(out)
        result.integrated, result.true_peak = m.integrated, m.true_peak
    return result


def best_of(n: int, name: str, cmd: list[str], out: Path) -> Run:
    """The fastest of n runs: the ratio the bench reports compares two best times,
    not one command's good moment with the other's bad one (this machine's timings
    move by a second or two from run to run)."""
    return min((run(name, cmd, out) for _ in range(n)), key=lambda r: r.wall)


def make_episode(folder: Path, minutes: int, pause_db: float = -60.0) -> Path:
    """A show whose episode is `minutes` of speech-like audio (its pauses `pause_db`
    under the talk) plus intro and outro."""
    ep = folder / "ep1"
    if (ep / "episode.toml").exists():
        return ep
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "music").mkdir(exist_ok=True)
    (ep / "raw").mkdir(parents=True, exist_ok=True)
    factory.music_like(folder / "music" / "intro.wav", 6.0, 48000, 2)
    factory.music_like(folder / "music" / "outro.wav", 5.0, 44100, 2)
    # a clean studio floor (cleanup's denoise stays off, as on most shows); a noisy
    # recording's cost is the cleanup section's
    factory.speech_like(ep / "raw" / "host.wav", minutes * 60.0, 44100, 2, level_db=8, seed=minutes,
                        pause_db=pause_db)
    factory.cover(folder / "artwork.jpg")
    (folder / "show.toml").write_text(factory.SHOW_TOML, encoding="utf-8")
    (ep / "episode.toml").write_text(
        factory.episode_toml(["raw/host.wav"], [("00:00", "Start", None), ("00:01:00", "Later", None)],
                             number=1, title="Benchmark"), encoding="utf-8")
    return ep


def assembled_wav(ep: Path) -> Path:
    """The assembled programme as a WAV, for the other tools to start from the same audio."""
    out = ep.parent / "assembled.wav"
    if not out.exists():
        subprocess.run([*PRODUCER[:1], "-c", ASSEMBLE, str(ep), str(out)], check=True)
    return out


ASSEMBLE = """
import sys
from pathlib import Path
from producer.commands.build import prepare
from producer.core.episode.plan import filter_graph
from producer.io.config import load_context
plan, _ = prepare(load_context(Path(sys.argv[1])))
args, graph = filter_graph(plan.assembly)
import subprocess
subprocess.run(["ffmpeg", "-v", "error", "-y", *args, "-filter_complex", graph, "-map", "[out]",
                "-c:a", "pcm_s16le", "-ar", "44100", "-ac", "2", sys.argv[2]], check=True)
"""


def ratio_only(minutes: int) -> None:
    """`--ratio-only`: the three rows the 1.5× goal is judged on, alternated, best of
    three each; printed, results.md left alone."""
    ep = make_episode(WORK / f"show{minutes}", minutes)
    wav = assembled_wav(ep)
    ours, plain = [], []
    for _ in range(3):
        ours.append(run("producer build", [*PRODUCER, "build", "--quiet", str(ep)], ep / "dist" / "ep1.mp3"))
        plain.append(run("plain", plain_encode(wav, "mp3"), WORK / "plain.mp3"))
    best, base = min(r.wall for r in ours), min(r.wall for r in plain)
    print(f"producer build {[round(r.wall, 1) for r in ours]} s, plain encode {[round(r.wall, 1) for r in plain]} s; "
          f"best {best:.1f} / {base:.1f} = {best / base:.2f}×")


def side_by_side(minutes: int) -> list[Run]:
    ep = make_episode(WORK / f"show{minutes}", minutes)
    wav = assembled_wav(ep)
    shutil.rmtree(ep / "dist", ignore_errors=True)
    off = ep.parent / "ep1-off"  # the same episode with the leveler off: what leveling costs
    if not off.exists():
        shutil.copytree(ep, off, ignore=shutil.ignore_patterns("dist"))
        toml = off / "episode.toml"
        toml.write_text('leveler = "off"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    variants = {formats: renditions_show(ep, formats) for formats in (("m4a",), ("opus",), ("m4a", "opus"))}
    runs = [best_of(2, "producer build", [*PRODUCER, "build", "--quiet", str(ep)], ep / "dist" / "ep1.mp3"),
            best_of(2, "producer build, leveler off", [*PRODUCER, "build", "--quiet", str(off)],
                    off / "dist" / "ep1-off.mp3"),
            *(run(f"producer build + {' + '.join(formats)}", [*PRODUCER, "build", "--quiet", str(copy)],
                  copy / "dist" / "ep1.mp3") for formats, copy in variants.items()),
            best_of(2, "ffmpeg plain MP3 encode (128k)", plain_encode(wav, "mp3"), WORK / "plain.mp3")]
    normalize = shutil.which("ffmpeg-normalize", path=str(Path(sys.executable).parent)) or shutil.which(
        "ffmpeg-normalize")
    if normalize:
        runs.append(run("ffmpeg-normalize (EBU, -16 LUFS, 128k)",
                        [normalize, str(wav), "-f", "-nt", "ebu", "-t", "-16", "-tp", "-1", "-c:a", "libmp3lame",
                         "-b:a", "128k", "-ext", "mp3", "-o", str(WORK / "normalized.mp3")],
                        WORK / "normalized.mp3"))
    return runs


def renditions_show(ep: Path, formats: tuple[str, ...]) -> Path:
    """The same show with `renditions = [formats]`; the recording hard-linked, not
    copied (a symbolic link would point outside the show folder)."""
    folder = ep.parent.with_name(ep.parent.name + "-" + "-".join(formats))
    copy = folder / ep.name
    if not copy.exists():
        shutil.copytree(ep.parent / "music", folder / "music")
        shutil.copy(ep.parent / "artwork.jpg", folder / "artwork.jpg")
        (copy / "raw").mkdir(parents=True)
        os.link(ep / "raw" / "host.wav", copy / "raw" / "host.wav")
        shutil.copy(ep / "episode.toml", copy / "episode.toml")
        show = (ep.parent / "show.toml").read_text(encoding="utf-8")
        listed = ", ".join(f'"{f}"' for f in formats)
        (folder / "show.toml").write_text(show.replace("[audio]\n", f"[audio]\nrenditions = [{listed}]\n"),
                                          encoding="utf-8")
    shutil.rmtree(copy / "dist", ignore_errors=True)
    return copy


def scaling(lengths: list[int]) -> list[tuple[int, Run, dict]]:
    rows = []
    for minutes in lengths:
        ep = make_episode(WORK / f"show{minutes}", minutes)
        shutil.rmtree(ep / "dist", ignore_errors=True)
        r = run(f"build {minutes} min", [*PRODUCER, "build", "--quiet", str(ep)], ep / "dist" / "ep1.mp3")
        report = json.loads((ep / "dist" / "report.json").read_text())
        rows.append((minutes, r, report))
    return rows


def feed_at_scale(items: int = 2000) -> float:
    """Seconds for one publish's feed work (parse, upsert, serialize) on a feed of `items` items."""
    from producer.core.feed import feed

    channel = feed.ChannelInfo("Show", "https://x.test", "d", "en", "a", None, None, "https://x.test/a.jpg",
                               ("Technology",), False, "https://x.test/feed.xml")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def item(i: int, when: dt.datetime) -> feed.ItemInfo:
        return feed.ItemInfo(f"guid-{i}", f"Episode {i}", "Notes https://x.test/", when, f"https://x.test/{i}.mp3",
                             1000 + i, "audio/mpeg", 3600, i)

    body = "".join(feed.item_xml(item(i, now - dt.timedelta(days=i))) for i in range(items)).encode()
    empty, _ = feed.upsert(None, channel, item(-1, now), now)
    big = empty.split(b"<item>")[0] + body + b"</channel></rss>"
    started = time.monotonic()
    out, change = feed.upsert(big, channel, item(items, now + dt.timedelta(days=1)), now)
    seconds = time.monotonic() - started
    assert change == "added" and len(feed.item_guids(out)) == items + 1
    return seconds


def status_at_scale(episodes: int = 300) -> dict[str, float]:
    """`producer status` on a show of `episodes` built and published episodes (local
    target): seconds, best of three, for the table and for --json. The show is made
    once with the real commands (`build -j 2`, `publish -j 2`) and kept in bench/work."""
    show = WORK / f"status{episodes}"
    if not (show / "public" / "feed.xml").is_file():
        shutil.rmtree(show, ignore_errors=True)
        (show / "music").mkdir(parents=True)
        factory.cover(show / "artwork.jpg")
        toml = factory.SHOW_TOML.split('intro = "music')[0] + "\n[publish]\n"  # no music: the builds are short
        (show / "show.toml").write_text(toml, encoding="utf-8")
        for n in range(1, episodes + 1):
            ep = show / f"ep{n}"
            (ep / "raw").mkdir(parents=True)
            factory.speech_like(ep / "raw" / "host.wav", 3.0, 44100, 1, level_db=8, seed=n)
            (ep / "episode.toml").write_text(factory.episode_toml(["raw/host.wav"], [("00:00", "Start", None)],
                                                                  number=n, title=f"Episode {n}"), encoding="utf-8")
        for command in ("build", "publish"):
            subprocess.run([*PRODUCER, command, "-q", "-j", "2", "."], cwd=show, check=True,
                           stdout=subprocess.DEVNULL)
    took = {}
    for name, extra in (("table", []), ("json", ["--json"])):
        best = float("inf")
        for _ in range(3):
            started = time.monotonic()
            out = subprocess.run([*PRODUCER, "status", *extra], cwd=show, check=True, capture_output=True,
                                 text=True).stdout
            best = min(best, time.monotonic() - started)
        took[name] = best
    rows = json.loads(out)
    assert len(rows) == episodes and all(r["built"] and r["published"] and not r["stale"] for r in rows), \
        "the benchmark show is not built and published as it should be"
    return took


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[0]
    mem = psutil.virtual_memory().total / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {ffmpeg}")


def report_page(path: Path) -> tuple[int, float] | None:
    """(bytes, ms until the load event) of a build's report page in headless Chromium,
    the median of five loads; None without Debian's chromium and chromedriver."""
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path and path.is_file()):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        times = []
        for _ in range(5):
            driver.get(path.as_uri())
            times.append(driver.execute_script(
                "var n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime;"))
    finally:
        driver.quit()
    return path.stat().st_size, sorted(times)[2]


FLOOR_TITLE = "## Against the floor: three plain encodes side by side"
# The encodes a build makes, from the assembled WAV, exactly as core.episode.formats
# asks them (the floor two cores allow: nothing a build does beyond encoding)
PLAIN_ENCODES = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    "m4a": ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k"],
    "opus": ["-af", "aresample=48000:resampler=soxr", "-c:a", "libopus", "-b:a", "64k", "-vbr", "constrained"],
}


def plain_encode(wav: Path, fmt: str) -> list[str]:
    return ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(wav), *PLAIN_ENCODES[fmt], str(WORK / f"plain.{fmt}")]


def side_by_side_encodes(wav: Path) -> list[str]:
    """The three plain encodes started at once, as one command (its tree is measured)."""
    return ["bash", "-c", " & ".join(" ".join(f"'{a}'" for a in plain_encode(wav, f)) for f in PLAIN_ENCODES)
            + " & wait"]


def floor_rows(minutes: int, pause_db: float) -> tuple[dict[str, Run], dict[str, list[Run]]]:
    """The MP3 alone against one plain encode, MP3 + M4A + Opus against the three side by
    side, on one show: the four alternated, best of two each (every ratio's two
    figures from the same rounds)."""
    ep = make_episode(WORK / (f"show{minutes}" if pause_db == -60 else f"show{minutes}-floor{-pause_db:g}"),
                      minutes, pause_db)
    wav = assembled_wav(ep)
    every = renditions_show(ep, ("m4a", "opus"))
    rows: dict[str, list[Run]] = {"mp3": [], "plain": [], "all": [], "three": []}
    for _ in range(2):
        for key, folder in (("mp3", ep), ("all", every)):
            shutil.rmtree(folder / "dist", ignore_errors=True)
            r = run(key, [*PRODUCER, "build", "--quiet", str(folder)], folder / "dist" / "ep1.mp3", FLOOR_PSS_EVERY)
            report = json.loads((folder / "dist" / "report.json").read_text())
            r.stages = report["seconds"]
            r.renders = {"mp3": report["tries"], **{f: x["tries"] for f, x in report.get("renditions", {}).items()}}
            r.passes = report.get("passes", report["tries"])
            rows[key].append(r)
        rows["plain"].append(run("plain", plain_encode(wav, "mp3"), WORK / "plain.mp3", FLOOR_PSS_EVERY))
        rows["three"].append(run("three", side_by_side_encodes(wav), pss_every=FLOOR_PSS_EVERY))
    return {k: min(v, key=lambda r: r.wall) for k, v in rows.items()}, rows


def floor_lines(minutes: int) -> list[str]:
    """#37's yardstick: a clean floor (pauses 60 dB under the talk) and a real room's (40
    dB under); per process, where the CPU goes (memory_lines is the memory table)."""
    when = f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M}"
    lines = [FLOOR_TITLE, "", f"`python bench/run.py --floor-only` ({when} UTC): {minutes} minutes with intro and "
             "outro, leveler on; the four rows alternated, best of two each.", ""]
    for pause_db, what in ((-60.0, "clean floor (pauses 60 dB under the talk)"),
                           (-40.0, "noisy floor (pauses 40 dB under the talk, as real rooms)")):
        best, rows = floor_rows(minutes, pause_db)
        lines += [f"### {what}", "", "| work | wall s (both runs) | CPU s | peak MB (tree PSS) | integrated LUFS | "
                  "true peak dBTP | the bench's sampler, CPU s |", "|---|---|---|---|---|---|---|"]
        for key, name in (("mp3", "producer build, MP3"), ("plain", "plain MP3 encode"),
                          ("all", "producer build, MP3 + M4A + Opus"), ("three", "three plain encodes side by side")):
            r = best[key]
            lines.append(f"| {name} | {r.wall:.1f} ({', '.join(f'{x.wall:.1f}' for x in rows[key])}) | {r.cpu:.1f} | "
                         f"{r.peak_mb:.0f} | {fmt(r.integrated)} | {fmt(r.true_peak)} | {r.sampler_cpu:.1f} |")
        for key, name in (("mp3", "MP3"), ("all", "MP3 + M4A + Opus")):
            stages = ", ".join(f"{k} {v:.1f}" for k, v in best[key].stages.items() if k != "total")
            renders = ", ".join(f"{f} {n}" for f, n in best[key].renders.items())
            lines.append(f"\nThe build, {name} (report.json): {best[key].passes} pass(es) over the programme, "
                         f"renders {renders}; stages (wall s) {stages}")
        lines += ["", f"- the MP3 alone ÷ a plain encode: **{best['mp3'].wall / best['plain'].wall:.2f}×** wall "
                  "(the bar 1.1×, must 1.3×)",
                  f"- MP3 + M4A + Opus ÷ the three plain encodes side by side: "
                  f"**{best['all'].wall / best['three'].wall:.2f}×** wall (the bar 1.3×, must 2.0×)", "",
                  "CPU seconds by process (sampled every 250 ms; a process's last quarter second is not seen):", "",
                  "| process | " + " | ".join(("producer MP3", "plain MP3", "producer, three", "three plain"))
                  + " |", "|---|---|---|---|---|"]
        kinds = sorted({k for r in best.values() for k in r.processes},
                       key=lambda k: -max(r.processes.get(k, 0) for r in best.values()))
        for kind in kinds:
            lines.append(f"| {kind} | " + " | ".join(fmt(best[k].processes.get(kind)) for k in ("mp3", "plain", "all",
                                                                                                   "three")) + " |")
        lines.append("")
    return lines


MEMORY_TITLE = "## Memory with all three formats"


def memory_lines(lengths: list[int]) -> list[str]:
    """The tree's peak PSS of a build with MP3, M4A and Opus along the lengths (the
    bench's clean show), and what each process held at that peak."""
    when = f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M}"
    lines = [MEMORY_TITLE, "", f"`python bench/run.py --memory-only` ({when} UTC; also part of --floor-only), "
             "the bar: 300 MB.", "", "| minutes, all three formats | wall s | CPU s | peak MB (tree PSS) |",
             "|---|---|---|---|"]
    for length in lengths:
        folder = renditions_show(make_episode(WORK / f"show{length}", length), ("m4a", "opus"))
        r = run(f"all {length}", [*PRODUCER, "build", "--quiet", str(folder)], folder / "dist" / "ep1.mp3")
        lines.append(f"| {length} | {r.wall:.1f} | {r.cpu:.1f} | {r.peak_mb:.0f} |")
    return lines + [""]


CLEANUP_TITLE = "## Cleanup and transcripts"


def noisy_show(ep: Path) -> Path:
    """The same episode with broadband noise at -50 dBFS and 50 Hz hum at -40 dBFS RMS
    (harmonics at -46 and -52; ffmpeg's sine is 1/8 of full scale before the volume)
    mixed into the recording: what denoise and dehum = "auto" act on."""
    folder = ep.parent.with_name(ep.parent.name + "-noisy")
    copy = folder / ep.name
    if not copy.exists():
        shutil.copytree(ep.parent / "music", folder / "music")
        shutil.copy(ep.parent / "artwork.jpg", folder / "artwork.jpg")
        shutil.copy(ep.parent / "show.toml", folder / "show.toml")
        (copy / "raw").mkdir(parents=True)
        shutil.copy(ep / "episode.toml", copy / "episode.toml")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(ep / "raw" / "host.wav"), "-filter_complex",
                        "anoisesrc=c=white:a=0.0055:r=44100[n];sine=f=50:r=44100,volume=0.113[h1];"
                        "sine=f=100:r=44100,volume=0.057[h2];sine=f=150:r=44100,volume=0.028[h3];"
                        "[0:a][n][h1][h2][h3]amix=inputs=5:normalize=0:duration=first", "-c:a", "pcm_s16le",
                        str(copy / "raw" / "host.wav")], check=True)
    shutil.rmtree(copy / "dist", ignore_errors=True)
    return copy


def talk_show(minutes: int) -> Path:
    """An espeak-ng conversation (the tests' two voices) looped to `minutes`, one
    recording, one host: what the recogniser works on in an hour of talk."""
    folder = WORK / f"talk{minutes}"
    ep = folder / "ep1"
    if not (ep / "episode.toml").exists():
        (ep / "raw").mkdir(parents=True, exist_ok=True)
        _, voices = factory.conversation(44100, gap=0.8, long_pause=1.5)
        one = factory.write_wav(folder / "one.wav", voices["host"] * 0.5 + voices["guest"] * 0.3, 44100)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(one), "-t", str(minutes * 60),
                        "-c:a", "pcm_s16le", str(ep / "raw" / "talk.wav")], check=True)
        factory.cover(folder / "artwork.jpg")
        show = factory.SHOW_TOML.replace('intro = "music/intro.wav"\noutro = "music/outro.wav"\n'
                                         'intro_crossfade = 2.0\noutro_crossfade = 3.0\n', "")
        show = re.sub(r'engine = "off".*\n', 'engine = "auto"\n', show) + '\n[[persons]]\nname = "Hanna Host"\n'
        (folder / "show.toml").write_text(show, encoding="utf-8")
        (ep / "episode.toml").write_text(factory.episode_toml(["raw/talk.wav"], [("00:00", "Start", None)],
                                                              number=1, title="Talk"), encoding="utf-8")
    shutil.rmtree(ep / "dist", ignore_errors=True)
    shutil.rmtree(ep / ".producer-cache", ignore_errors=True)
    return ep


# The yardstick for a build with its transcript: the same Whisper model alone on the
# same recording, in 28-s windows (the longest a build hands it), nothing else running
WHISPER_ALONE = """
import sys
from pathlib import Path
import numpy as np
from producer.io import ffmpeg, recogniser
audio = np.concatenate([c[:, 0] for c in ffmpeg.decode(Path(sys.argv[1]), recogniser.RATE, 1)])
step = int(28 * recogniser.RATE)
with recogniser.Engine(recogniser.model_folder(None), "en", Path("show.toml")) as engine:
    words = sum(len(engine.words(audio[at:at + step], 0)) for at in range(0, len(audio), step))
print(words)
"""


def cleanup_and_transcripts(minutes: int) -> list[str]:
    ep = make_episode(WORK / f"show{minutes}", minutes)
    wav = assembled_wav(ep)
    noisy = noisy_show(ep)
    plain = best_of(2, "plain", plain_encode(wav, "mp3"), WORK / "plain.mp3")
    clean = run("noisy", [*PRODUCER, "build", "--quiet", str(noisy)], noisy / "dist" / "ep1.mp3")
    report = json.loads((noisy / "dist" / "report.json").read_text())
    track = report["cleanup"]["tracks"][0]
    talk = talk_show(minutes)
    first = run("talk", [*PRODUCER, "build", "--quiet", str(talk)], talk / "dist" / "ep1.mp3")
    heard = json.loads((talk / "dist" / "report.json").read_text())["transcript"]
    alone = run("whisper alone", [sys.executable, "-c", WHISPER_ALONE, str(talk / "raw" / "talk.wav")])
    toml = talk / "episode.toml"
    # the show notes changed, not the title: the title is in Whisper's prompt
    # (stages/recognise.whisper_prompt), so a new one is recognised again
    notes = toml.read_text(encoding="utf-8")
    toml.write_text(notes.replace('description = "', 'description = "Corrected. '), "utf-8")
    again = run("talk again", [*PRODUCER, "build", "--quiet", "--if-stale", str(talk)], talk / "dist" / "ep1.mp3")
    toml.write_text(notes, "utf-8")
    when = f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M}"
    return [CLEANUP_TITLE, "", f"`python bench/run.py --cleanup-only` ({when} UTC), {minutes} minutes, one run each "
            f"(the plain encode best of two: {plain.wall:.1f} s).", "",
            "| build | wall s | CPU s | peak MB (tree PSS) | ÷ plain encode | what |", "|---|---|---|---|---|---|",
            f"| noise at −50 dBFS and 50 Hz hum, cleanup auto | {clean.wall:.1f} | {clean.cpu:.1f} | "
            f"{clean.peak_mb:.0f} | {clean.wall / plain.wall:.2f} | floor {track['noise_floor_lufs']} LUFS → shipped "
            f"{report['cleanup']['shipped']['noise_floor_lufs']} LUFS, afftdn {track['denoise_db']:g} dB, hum "
            f"{(track['hum'] or {}).get('base_hz')} Hz × {len((track['hum'] or {}).get('harmonics', []))} |",
            f"| espeak-ng talk, transcript recognised | {first.wall:.1f} | {first.cpu:.1f} | {first.peak_mb:.0f} | "
            f"{first.wall / plain.wall:.2f} | {heard.get('model')}: {heard.get('words')} words, recognition "
            f"{heard.get('recognition_seconds')} s (realtime factor "
            f"{(heard.get('recognition_seconds') or 0) / (minutes * 60):.3f}) |",
            f"| the same after a change of the show notes (words from the cache) | {again.wall:.1f} | {again.cpu:.1f} | "
            f"{again.peak_mb:.0f} | {again.wall / plain.wall:.2f} | |",
            f"| the same Whisper model alone on the same recording (28-s windows, no build) | {alone.wall:.1f} | "
            f"{alone.cpu:.1f} | {alone.peak_mb:.0f} | {alone.wall / plain.wall:.2f} | |", "",
            f"The build with its transcript ÷ the model alone: **{first.wall / alone.wall:.2f}×** wall.", ""]


CUTTING_TITLE = "## Automatic cutting"


def cutting_cost(minutes: int) -> list[str]:
    """The same talk built with every [cutting] detector off and on "suggest",
    alternated, best of two, the recognition's cache emptied before each build."""
    rows: dict[str, list[Run]] = {"off": [], "suggest": []}
    for _ in range(2):
        for mode in rows:
            talk = talk_show(minutes)
            toml = talk / "episode.toml"
            text = re.sub(r"\n\[cutting\][^\[]*", "\n", toml.read_text(encoding="utf-8"))
            if mode == "suggest":
                text += '\n[cutting]\nfillers = "suggest"\nstumbles = "suggest"\nnoises = "suggest"\n'
            toml.write_text(text, encoding="utf-8")
            rows[mode].append(run(f"cutting {mode}", [*PRODUCER, "build", "--quiet", str(talk)],
                                  talk / "dist" / "ep1.mp3"))
    off, on = (min(v, key=lambda r: r.wall) for v in rows.values())
    found = json.loads((talk_show_dir(minutes) / "ep1" / "dist" / "report.json").read_text())["suggested_cuts"]
    when = f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M}"
    return [CUTTING_TITLE, "", f"`python bench/run.py --cutting-only` ({when} UTC), {minutes} minutes of espeak-ng "
            f"talk, transcript recognised, best of two each, alternated.", "",
            "| detectors | wall s (both runs) | CPU s | peak MB (tree PSS) |", "|---|---|---|---|",
            f"| off | {off.wall:.1f} ({', '.join(f'{r.wall:.1f}' for r in rows['off'])}) | {off.cpu:.1f} | "
            f"{off.peak_mb:.0f} |",
            f"| fillers, stumbles, noises on \"suggest\" | {on.wall:.1f} "
            f"({', '.join(f'{r.wall:.1f}' for r in rows['suggest'])}) | {on.cpu:.1f} | {on.peak_mb:.0f} |", "",
            f"Added by the detectors: **{on.wall - off.wall:+.1f} s** of wall ({on.cpu - off.cpu:+.1f} s of CPU) "
            f"for {minutes} minutes; {len(found)} suggestions on this talk, which has no filler, stumble or "
            f"cough in it.", ""]


VIDEO_TITLE = "## The video for YouTube"


def video_cost(minutes: int) -> list[str]:
    """The bench's show built with the MP3 alone and with the MP3 and the MP4, each run
    once (the video's picture is a still: its cost is x264's on a frame a second)."""
    ep = make_episode(WORK / f"show{minutes}", minutes)
    show = ep.parent / "show.toml"
    base = show.read_text(encoding="utf-8")
    rows = {}
    for name, formats in (("mp3", None), ("mp3 + mp4", ("mp4",))):
        text = re.sub(r"renditions = .*\n", "", base)
        if formats:
            text = text.replace("[audio]\n", f"[audio]\nrenditions = {json.dumps(list(formats))}\n")
        show.write_text(text, encoding="utf-8")
        shutil.rmtree(ep / "dist", ignore_errors=True)
        rows[name] = run(name, [*PRODUCER, "build", "--quiet", str(ep)], ep / "dist" / "ep1.mp3")
    show.write_text(base, encoding="utf-8")
    seconds = minutes * 60
    when = f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M}"
    video = rows["mp3 + mp4"]
    return [VIDEO_TITLE, "", f"`python bench/run.py --video-only` ({when} UTC), {minutes} minutes, one run each.", "",
            "| build | wall s | ÷ realtime | CPU s | peak MB (tree PSS) |", "|---|---|---|---|---|",
            *(f"| {k} | {r.wall:.1f} | {r.wall / seconds:.3f} | {r.cpu:.1f} | {r.peak_mb:.0f} |" for k, r in rows.items()),
            "", f"The build with the video: **{video.wall / seconds:.3f}× realtime** (the bar: 0.15×); the video "
            f"adds {video.wall - rows['mp3'].wall:+.1f} s of wall and {video.cpu - rows['mp3'].cpu:+.1f} s of CPU.", ""]


def talk_show_dir(minutes: int) -> Path:
    return WORK / f"talk{minutes}"


STATUS_TITLE = "## Status at scale"


def status_lines(took: dict[str, float]) -> list[str]:
    return [STATUS_TITLE, "", f"`producer status` on a show of 300 built and published episodes (local target, "
            f"wall time of the whole command, best of three): **{took['table']:.2f} s** for the table, "
            f"**{took['json']:.2f} s** with `--json` (the issue's ceiling: 2 s). It reads each report.json's "
            f"stamps, stats the inputs and the published objects (their SHA-256 kept in an extended attribute "
            f"as S3 keeps it in metadata); no audio is read.", ""]


def _replace_section(title: str, lines: list[str]) -> None:
    path = ROOT / "bench" / "results.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    before, _, after = text.partition(title)
    rest = after.split("\n## ", 1)
    tail = ("\n## " + rest[1]) if len(rest) > 1 else ""
    path.write_text(before.rstrip("\n") + "\n\n" + "\n".join(lines) + tail, encoding="utf-8")
    print("\n".join(lines))


def fmt(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=60, help="length of the side-by-side episode")
    ap.add_argument("--lengths", default="10,30,60,120", help="lengths for the growth table")
    ap.add_argument("--status-only", action="store_true", help="only `producer status` on 300 episodes; "
                    "its section of bench/results.md is replaced")
    ap.add_argument("--ratio-only", action="store_true", help="only the build against the plain encode, "
                    "alternated, best of three; prints, writes nothing")
    ap.add_argument("--floor-only", action="store_true", help="only the MP3 alone against a plain encode and "
                    "all three formats against the three plain encodes side by side, on a clean and a noisy "
                    "floor, with the CPU of every process; its section of bench/results.md is replaced")
    ap.add_argument("--memory-only", action="store_true", help="only the tree's peak memory with all three "
                    "formats along --memory-lengths; its section of bench/results.md is replaced")
    ap.add_argument("--memory-lengths", default="10,60,120", help="lengths for the memory table")
    ap.add_argument("--video-only", action="store_true", help="only the MP3 against the MP3 and the MP4 video; "
                    "its section of bench/results.md is replaced")
    ap.add_argument("--cutting-only", action="store_true", help="only [cutting] off against \"suggest\" on an "
                    "hour of talk; its section of bench/results.md is replaced")
    ap.add_argument("--cleanup-only", action="store_true", help="only cleanup (a noisy episode) and recognition "
                    "(an hour of talk); its section of bench/results.md is replaced")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.ratio_only:
        ratio_only(args.minutes)
        return
    if args.cleanup_only:
        _replace_section(CLEANUP_TITLE, cleanup_and_transcripts(args.minutes))
        return
    memory_lengths = [int(x) for x in args.memory_lengths.split(",") if x]
    if args.floor_only:
        _replace_section(FLOOR_TITLE, floor_lines(args.minutes))
    if args.floor_only or args.memory_only:
        _replace_section(MEMORY_TITLE, memory_lines(memory_lengths))
        return
    if args.video_only:
        _replace_section(VIDEO_TITLE, video_cost(args.minutes))
        return
    if args.cutting_only:
        _replace_section(CUTTING_TITLE, cutting_cost(args.minutes))
        return
    if args.status_only:
        _replace_section(STATUS_TITLE, status_lines(status_at_scale()))
        return
    runs = side_by_side(args.minutes)
    rows = scaling([int(x) for x in args.lengths.split(",") if x])
    feed_seconds = feed_at_scale()
    page = report_page(WORK / f"show{args.minutes}" / "ep1" / "dist" / "report.html")
    plain = next(r for r in runs if r.name.startswith("ffmpeg plain"))
    ours = runs[0]
    lines = [f"# Benchmark ({dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"Machine: {machine()}", "", "Command: `make bench` (`python bench/run.py`); the build, leveler-off and plain-encode rows "
             "are the best of two runs each", "",
             f"## {args.minutes}-minute episode with intro and outro, side by side", "",
             "| work | wall s | CPU s | peak MB (tree PSS) | integrated LUFS | true peak dBTP | wall ÷ plain encode |",
             "|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r.name} | {r.wall:.1f} | {r.cpu:.1f} | {r.peak_mb:.0f} | {fmt(r.integrated)} | "
                     f"{fmt(r.true_peak)} | {r.wall / plain.wall:.2f} |")
    normalize = next((r for r in runs if r.name.startswith("ffmpeg-normalize")), None)
    lines += ["", f"- producer build ÷ plain encode: **{ours.wall / plain.wall:.2f}×** wall"]
    off = next((r for r in runs if r.name.endswith("leveler off")), None)
    if off:
        lines.append(f"- the leveler's share: {ours.wall - off.wall:+.1f} s wall "
                     f"({(ours.wall - off.wall) / ours.wall * 100:.0f} % of the build), {ours.cpu - off.cpu:+.1f} s CPU")
    for r in (r for r in runs if " + " in r.name):
        formats = r.name.split("build + ", 1)[1].split(" + ")
        report = json.loads((WORK / f"show{args.minutes}-{'-'.join(formats)}" / "ep1" / "dist" / "report.json")
                            .read_text())
        tries = ", ".join(f"{fmt_} {x['tries']}" for fmt_, x in report.get("renditions", {}).items())
        lines.append(f"- MP3 + {' + '.join(formats)} ÷ the MP3 alone: **{r.wall / ours.wall:.2f}×** wall "
                     f"(+{r.wall - ours.wall:.1f} s; {report.get('passes')} pass(es) over the programme; "
                     f"renders: {tries})")
    if normalize:
        lines.append(f"- ffmpeg-normalize ÷ producer build: **{normalize.wall / ours.wall:.2f}×** "
                     f"(producer is that many times faster)")
    lines += ["", "## Growth with length (producer build)", "",
              "| minutes | wall s | CPU s | peak MB (tree PSS) | renders | integrated LUFS | true peak dBTP | "
              "stage seconds |", "|---|---|---|---|---|---|---|---|"]
    for minutes, r, report in rows:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in report["seconds"].items() if k != "total")
        lines.append(f"| {minutes} | {r.wall:.1f} | {r.cpu:.1f} | {r.peak_mb:.0f} | {report['tries']} | "
                     f"{fmt(r.integrated)} | {fmt(r.true_peak)} | {stages} |")
    if page:
        lines += ["", "## Report page", "",
                  f"The {args.minutes}-minute build's `report.html`: **{page[0] / 1000:.0f} kB**, loaded and drawn "
                  f"by headless Chromium in **{page[1]:.0f} ms** (median of five loads, to the load event)."]
    lines += ["", "## Feed at scale", "",
              f"Inserting an episode into a feed of 2,000 items (parse, upsert, serialize): "
              f"**{feed_seconds * 1000:.0f} ms**.", ""]
    lines += floor_lines(args.minutes) + memory_lines([10, 60, 120])
    lines += cleanup_and_transcripts(args.minutes)
    lines += status_lines(status_at_scale())
    text = "\n".join(lines)
    (ROOT / "bench" / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
