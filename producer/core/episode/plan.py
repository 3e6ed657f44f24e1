"""Pure: validated settings + probed inputs → what each stage does.

Nothing here touches the disk or runs a process, so every rule about
crossfades, durations and chapters is testable on plain data.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from ...errors import InputError
from ..chapters import chapters as chap
from ..audio import cuts
from ..audio.cleanup import CleanupSettings, settings_for
from ..transcripts.transcript import Cue
from ..cutting.settings import CuttingSettings, settings_for as cutting_for
from ..audio.cuts import Cut
from .episode_files import EpisodeFiles
from .models import AudioInfo, Episode, Preset, Show, recognises


EXACT_CODECS = {"flac", "alac", "wavpack", "tta"}
GAIN_RATE = 400  # the leveler's gain curves as ffmpeg reads them; upsampled to the episode's rate


@dataclass(frozen=True)
class Assembly:
    intro: AudioInfo | None
    recordings: tuple[AudioInfo, ...]
    outro: AudioInfo | None
    intro_crossfade: float
    outro_crossfade: float
    sample_rate: int
    channels: int
    cleanup: tuple[str, ...] = ()  # filter text a recording (core.audio.cleanup), "" for none
    cuts: tuple[Cut, ...] = ()  # taken out of the assembled episode, in its uncut time

    @property
    def inputs(self) -> list[AudioInfo]:
        return [t for t in (self.intro, *self.recordings, self.outro) if t is not None]

    @property
    def exact_durations(self) -> bool:
        """Whether every input's header states its length exactly (PCM, FLAC...); an MP3
        or AAC header without a frame count only estimates it."""
        return all(t.codec.startswith("pcm_") or t.codec in EXACT_CODECS for t in self.inputs)

    @property
    def programme_seconds(self) -> float:
        return max(r.duration for r in self.recordings)

    @property
    def programme_offset_ms(self) -> int:
        """Where the recordings start in the episode: after the intro, less its crossfade."""
        return round((self.intro.duration - self.intro_crossfade) * 1000) if self.intro else 0

    @property
    def cuttable_ms(self) -> tuple[int, int]:
        """Where cuts may fall (uncut episode time): the recordings clear of the music's crossfades."""
        start = self.programme_offset_ms + round(self.intro_crossfade * 1000)
        return start, self.programme_offset_ms + round((self.programme_seconds - self.outro_crossfade) * 1000)

    @property
    def expected_seconds(self) -> float:
        """intro + recording + outro − crossfades − cuts, as ffprobe reports the inputs."""
        total = self.programme_seconds - cuts.total_ms(self.cuts) / 1000
        if self.intro:
            total += self.intro.duration - self.intro_crossfade
        if self.outro:
            total += self.outro.duration - self.outro_crossfade
        return total


@dataclass(frozen=True)
class BuildPlan:
    show: Show
    episode: Episode
    preset: Preset
    assembly: Assembly
    artwork: Path
    out_dir: Path
    files: EpisodeFiles
    leveler: str = "off"  # adaptive | tracks | off, as it applies to this episode
    cleanup: CleanupSettings = field(default_factory=CleanupSettings)
    cutting: CuttingSettings = field(default_factory=CuttingSettings)
    captions: tuple[Cue, ...] = ()  # the cues burned into the video ([video] captions), in episode time

    @property
    def mp3_name(self) -> str:
        return self.files.mp3

    @property
    def renditions(self) -> tuple[str, ...]:
        return self.files.renditions

    @property
    def chapters(self) -> list[chap.Chapter]:
        return list(self.episode.chapters)


def make_assembly(show: Show, episode: Episode, preset: Preset,
                  infos: dict[Path, AudioInfo]) -> Assembly:
    audio = show.audio
    intro = infos[audio.intro] if audio.intro else None
    outro = infos[audio.outro] if audio.outro else None
    recordings = tuple(infos[p] for p in episode.recordings)
    assembly = Assembly(intro, recordings, outro,
                        audio.intro_crossfade if intro else 0.0,
                        audio.outro_crossfade if outro else 0.0,
                        preset.sample_rate, preset.channels)
    _check_crossfades(assembly, show)
    manual = tuple(cuts.Cut(assembly.programme_offset_ms + a, assembly.programme_offset_ms + b, reason,
                            allowed="a [[cuts]] entry of episode.toml")
                   for a, b, reason in episode.cuts)
    cuts.check_manual(manual, *assembly.cuttable_ms, str(episode.file))
    return replace(assembly, cuts=tuple(sorted(manual, key=lambda c: c.start_ms)))


def _check_crossfades(a: Assembly, show: Show) -> None:
    shortest_recording = min(r.duration for r in a.recordings)
    for name, track, fade in (("intro", a.intro, a.intro_crossfade), ("outro", a.outro, a.outro_crossfade)):
        if track is None:
            continue
        if fade >= track.duration:
            raise InputError(f"{show.file}: audio.{name}_crossfade: {fade:g} s is not shorter than "
                             f"the {name} ({track.path.name}, {track.duration:.3f} s)")
    if a.intro_crossfade + a.outro_crossfade >= shortest_recording:
        raise InputError(f"{show.file}: audio.intro_crossfade + audio.outro_crossfade: "
                         f"{a.intro_crossfade + a.outro_crossfade:g} s is not shorter than the recording "
                         f"({shortest_recording:.3f} s)")


def make_plan(show: Show, episode: Episode, preset: Preset, infos: dict[Path, AudioInfo]) -> BuildPlan:
    assembly = make_assembly(show, episode, preset, infos)
    if assembly.exact_durations:  # otherwise checked once the audio is decoded
        chap.validate_against_duration(list(episode.chapters), int(assembly.expected_seconds * 1000
                                                                   + cuts.total_ms(assembly.cuts)),
                                       str(episode.file))
    cutting, cleanup = cutting_for(show, episode, settings_for(show, episode), recognises(show, episode))
    return BuildPlan(show=show, episode=episode, preset=preset, assembly=assembly,
                     artwork=episode.artwork or show.artwork,
                     out_dir=episode.folder / "dist", files=episode_files(show, episode, preset),
                     leveler=leveler_mode(episode.leveler or show.audio.leveler, len(episode.recordings)),
                     cleanup=cleanup, cutting=cutting)


def episode_files(show: Show, episode: Episode, preset: Preset) -> EpisodeFiles:
    """What this episode's build writes and its publish uploads."""
    return EpisodeFiles(episode.slug, chosen_renditions(show, preset), transcript=episode.transcript is not None or recognises(show, episode),
                        chapters=bool(episode.chapters))


def chosen_renditions(show: Show, preset: Preset) -> tuple[str, ...]:
    """show.toml's [audio] renditions, else the preset's default list."""
    return show.audio.renditions if show.audio.renditions is not None else preset.renditions.default


def leveler_mode(chosen: str, recordings: int) -> str:
    """`tracks` balances several recordings; with one there is nothing to balance."""
    return "off" if chosen == "tracks" and recordings < 2 else chosen


def filter_graph(a: Assembly, gains: Sequence[Path] | None = None) -> tuple[list[str], str]:
    """ffmpeg input arguments and the -filter_complex text that assembles the episode.

    The intro fades out under the recording (which keeps its level from its first
    word); the outro fades in under the recording's end. Tracks are mixed by plain
    summing: levels are set once, later, by the loudness stage. With `gains` (one
    file a recording: f32 mono at GAIN_RATE, the leveler's gain curve), each
    recording is first multiplied by its curve, upsampled; the music never is.
    """
    args: list[str] = []
    chains: list[str] = []
    labels: list[str] = []
    idx = 1 if a.intro else 0
    mono_until_leveled = []  # recordings spread to both ears only after their gain
    for i, track in enumerate(a.inputs):
        args += read_args(track)
        recording = 0 <= i - idx < len(a.recordings)
        cleanup = a.cleanup[i - idx] if a.cleanup and recording else ""
        one = "pan=mono|c0=c0," if track.same_channels else ""  # cleaned once, spread to both ears after
        heard = 1 if one else track.channels
        # a voice in one channel is resampled and leveled once and copied to both ears last:
        # the same samples, the assembly's resampling and multiply on one channel, not two
        late = gains is not None and recording and heard == 1 and a.channels == 2
        mono_until_leveled.append(late)
        chains.append(f"[{i}:a:0]{one}{cleanup + ',' if cleanup else ''}"
                      f"{conform_filter(heard, 1 if late else a.channels, a.sample_rate)}[in{i}]")
        labels.append(f"in{i}")
    recs = labels[idx: idx + len(a.recordings)]
    if gains is not None:
        recs = [_gained(label, path, len(a.inputs) + k, a, args, chains, mono_until_leveled[idx + k])
                for k, (label, path) in enumerate(zip(recs, gains))]
    intro = labels[0] if a.intro else None
    outro = labels[-1] if a.outro else None
    current = recs[0]
    if len(recs) > 1:
        chains.append("".join(f"[{r}]" for r in recs) +
                      f"amix=inputs={len(recs)}:normalize=0:duration=longest:dropout_transition=0[prog]")
        current = "prog"
    if intro:
        chains.append(_join(intro, current, a.intro_crossfade, "qsin", "nofade", "withintro"))
        current = "withintro"
    if outro:
        chains.append(_join(current, outro, a.outro_crossfade, "nofade", "qsin", "withoutro"))
        current = "withoutro"
    # one-second frames (as io.ffmpeg.whole_seconds): ffmpeg writes a frame at a time
    chains.append(f"[{current}]asetnsamples=n={a.sample_rate}:p=0[out]")
    return args, ";".join(chains)


BOTH_EARS = "pan=stereo|c0=c0|c1=c0"  # one channel's samples in both ears, at its own level


def _gained(label: str, gain_file: Path, index: int, a: Assembly, args: list[str], chains: list[str],
            mono: bool = False) -> str:
    """`label` times its gain curve; the curve file becomes input `index`. `mono`: the
    track is one channel, to be spread to the episode's two after the multiply."""
    args += ["-f", "f32le", "-ar", str(GAIN_RATE), "-ac", "1", "-i", str(gain_file)]
    # swr's default filter (a short one sags between the curve's samples: tested), mono
    # until it is at the episode's rate, then to both ears (unless the track is spread after)
    stereo = a.channels == 2 and not mono
    spread = f"{BOTH_EARS},"
    # Both sides in one-second frames: amultiply fed frames of different sizes cuts
    # them into slivers (a 60-minute assembly: 3.7 → 2.3 s, same samples out)
    second = f"asetnsamples=n={a.sample_rate}:p=0"
    chains.append(f"[{index}:a:0]aresample={a.sample_rate},{second},{spread if stereo else ''}"
                  f"aformat=sample_fmts=flt:channel_layouts={'stereo' if stereo else 'mono'}[g{label}]")
    after = f",{spread}aformat=sample_fmts=flt:channel_layouts=stereo" if mono else ""
    chains.append(f"[{label}]{second}[s{label}];[s{label}][g{label}]amultiply{after}[lv{label}]")
    return f"lv{label}"


# The WAV demuxer's packet size in bytes (ffmpeg's default: 4,096, 1,024 stereo frames).
# Every filter of a graph runs once a frame, and at 1,024 samples that is most of
# their cost: the hour's analysis decodes 6.3–6.7 → 3.7–3.9 CPU-s, its assembly 7.0 → 4.8,
# the samples out the same (the assembly's bit for bit; a biquad's rounding may move
# by 2e-9). 32 and 128 kB cost more than 64 (docs/dev/performance.md).
WAV_PACKET = 65536
# ffmpeg looks into a WAV's first packets for a bitstream in disguise (S/PDIF), a packet
# more each round until its probe size: 2 MB of 64-kB packets cost 0.15 s of CPU an
# input, where 4-kB ones stopped at 128 kB. 256 kB looks further than that, at no cost.
WAV_PROBE = 262144
PACKETED = ("wav", "w64")  # the demuxers that take -max_size


def read_args(track: AudioInfo) -> list[str]:
    """ffmpeg's input options and -i for one recording or piece of music."""
    packets = ["-probesize", str(WAV_PROBE), "-max_size", str(WAV_PACKET)] if track.container in PACKETED else []
    return [*packets, "-i", str(track.path)]


def conform_filter(in_channels: int, out_channels: int, rate: int) -> str:
    """A track in the episode's rate and channels, as 32-bit float."""
    steps = []
    if in_channels == 2 and out_channels == 1:
        steps.append("pan=mono|c0=0.5*c0+0.5*c1")
    steps.append(f"aresample={rate}:resampler=soxr")
    if in_channels == 1 and out_channels == 2:  # resampled once, then the same samples in both ears
        steps.append(f"aformat=sample_fmts=flt:channel_layouts=mono,{BOTH_EARS}")
    layout = "stereo" if out_channels == 2 else "mono"
    steps.append(f"aformat=sample_fmts=flt:channel_layouts={layout}")
    return ",".join(steps)


def _join(first: str, second: str, seconds: float, c1: str, c2: str, out: str) -> str:
    if seconds <= 0:
        return f"[{first}][{second}]concat=n=2:v=0:a=1[{out}]"
    return f"[{first}][{second}]acrossfade=d={seconds:.6f}:c1={c1}:c2={c2}[{out}]"
