"""The data every layer shares: presets, show and episode settings, probed audio."""
from __future__ import annotations

import re

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..chapters.chapters import Chapter
from ..audio.leveler import LevelerSettings

DEFAULT_PRESET = "podcast-stereo"
EPISODE_TYPES = ("full", "trailer", "bonus")


@dataclass(frozen=True)
class RenditionSettings:
    """A preset's [renditions] table: files made beside the MP3."""

    default: tuple[str, ...] = ()  # made when show.toml's [audio] renditions is not set
    m4a_bitrate: int = 128  # kb/s, AAC-LC
    opus_bitrate: int = 64  # kb/s
    main: str = "mp3"  # the feed's <enclosure>; the others are alternateEnclosures


@dataclass(frozen=True)
class Preset:
    name: str
    integrated: float
    true_peak: float
    tolerance: float
    bitrate_kbps: int
    sample_rate: int
    channels: int
    mode: str = "cbr"
    leveler: LevelerSettings = field(default_factory=LevelerSettings)
    renditions: RenditionSettings = field(default_factory=RenditionSettings)


def preset_fields(p: Preset) -> dict[str, object]:
    """The one record of the preset a build was made for: report.json's `preset`, and
    (as JSON) the MP3's TXXX frame that `check` judges the file by."""
    return {"name": p.name, "integrated": p.integrated, "true_peak": p.true_peak, "tolerance": p.tolerance,
            "max_spread_lu": p.leveler.max_spread_lu, "require_balance": p.leveler.require_balance,
            "bitrate_kbps": p.bitrate_kbps, "sample_rate": p.sample_rate, "channels": p.channels, "mode": p.mode}


def preset_record(p: Preset) -> str:
    """What the build writes into the MP3 (an ID3 TXXX frame)."""
    return json.dumps(preset_fields(p), sort_keys=True)


def preset_from_record(text: str) -> Preset | None:
    """The preset a build recorded; None for a record this version cannot read."""
    try:
        d = json.loads(text)
        leveler = replace(LevelerSettings(), max_spread_lu=float(d["max_spread_lu"]),
                          require_balance=bool(d.get("require_balance", False)))
        return Preset(name=str(d["name"]), integrated=float(d["integrated"]), true_peak=float(d["true_peak"]),
                      tolerance=float(d["tolerance"]), bitrate_kbps=int(d["bitrate_kbps"]),
                      sample_rate=int(d["sample_rate"]), channels=int(d["channels"]), mode=str(d["mode"]),
                      leveler=leveler)
    except (ValueError, TypeError, KeyError):
        return None


PERSON_GROUPS = ("cast", "writing", "video production", "audio production", "administration", "visuals",
                 "community", "misc", "audio post-production", "creative direction")


@dataclass(frozen=True)
class Person:
    """podcast:person: hosts in show.toml (every episode), guests in episode.toml."""

    name: str
    role: str = "host"  # the podcast taxonomy's role, lower case
    group: str = "cast"
    href: str | None = None
    img: Path | None = None  # inside the show folder; published beside the feed
    track: str | None = None  # the recording this person speaks on, relative to the episode folder


@dataclass(frozen=True)
class Funding:
    url: str
    text: str


# ---------------------------------------------------------------- Podcasting 2.0 (DESIGN.md "Every app")

MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course",
           "mixed", "podcastL", "musicL", "videoL", "filmL", "audiobookL", "newsletterL", "blogL", "publisherL",
           "courseL")  # podcast:medium's values, the namespace's list
GEO_URI = re.compile(r"^geo:-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?(,-?\d+(\.\d+)?)?(;u=\d+(\.\d+)?)?$")  # RFC 5870
OSM_ID = re.compile(r"^[NWR]\d+(#\d+)?$")  # an OpenStreetMap type letter, id and optional revision
RRULE = re.compile(r"^FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)")  # RFC 5545
TXT_MAX = 4000  # podcast:txt's text, characters
SHORT_MAX = 128  # a purpose, a license's or a location's name


@dataclass(frozen=True)
class Txt:
    text: str
    purpose: str | None = None  # "applepodcastsverify" and friends


@dataclass(frozen=True)
class License:
    name: str  # an SPDX identifier or a name
    url: str | None = None


@dataclass(frozen=True)
class Location:
    name: str
    geo: str | None = None  # "geo:51.05,3.72" (RFC 5870)
    osm: str | None = None  # "R897671": an OpenStreetMap type letter and id


@dataclass(frozen=True)
class UpdateFrequency:
    text: str  # "Weekly"
    rrule: str | None = None  # "FREQ=WEEKLY" (RFC 5545)


@dataclass(frozen=True)
class RemoteItem:
    feed_guid: str  # the other show's podcast:guid
    feed_url: str | None = None


@dataclass(frozen=True)
class Social:
    protocol: str  # "activitypub", "twitter", "bluesky", …
    uri: str  # the post where listeners talk about the episode
    account_id: str | None = None


@dataclass(frozen=True)
class Soundbite:
    """podcast:soundbite: a position in the finished episode, like a chapter's start."""

    start_ms: int
    duration_s: float
    title: str | None = None


@dataclass(frozen=True)
class AudioSettings:
    preset: str = DEFAULT_PRESET
    intro: Path | None = None
    outro: Path | None = None
    intro_crossfade: float = 0.0
    outro_crossfade: float = 0.0
    leveler: str = "adaptive"  # adaptive | tracks | off
    renditions: tuple[str, ...] | None = None  # beside the MP3 (m4a, opus); None: the preset's default


@dataclass(frozen=True)
class VideoSettings:
    """[video] of show.toml: the MP4 for YouTube (renditions = ["mp4"])."""
    width: int = 1920
    height: int = 1080
    captions: bool = False  # burn the transcript's cues in


LOCAL_BASE_URL = "http://localhost:8000"  # where `producer serve` answers by default


@dataclass(frozen=True)
class PublishSettings:
    target: str = "public"  # the default target; without a base_url its links are LOCAL_BASE_URL
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class Show:
    root: Path
    file: Path
    title: str
    author: str
    description: str
    link: str
    language: str
    artwork: Path
    owner_name: str | None = None
    owner_email: str | None = None
    categories: tuple[str, ...] = ()
    explicit: bool = False
    audio: AudioSettings = field(default_factory=AudioSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    locked: bool | None = None  # podcast:locked (with owner_email); None writes no tag
    funding: tuple[Funding, ...] = ()
    persons: tuple[Person, ...] = ()
    cleanup: tuple[tuple[str, object], ...] = ()  # [cleanup] keys as given (core.audio.cleanup.CleanupSettings)
    transcript_engine: str = "auto"  # [transcript] engine: "auto" recognises when no hand transcript is given
    transcript_model: Path | None = None  # [transcript] model: a local faster-whisper model folder
    vocabulary: tuple[str, ...] = ()  # [transcript] vocabulary: words the recogniser should expect
    description_chapters: bool = True  # [show] description_chapters: each item's description ends with its chapters
    medium: str | None = None  # [show] medium: podcast:medium
    txt: tuple[Txt, ...] = ()  # [show] txt: podcast:txt, any number
    license: License | None = None  # [show] license
    location: Location | None = None  # [show] location
    update_frequency: UpdateFrequency | None = None  # [show] update_frequency
    podroll: tuple[RemoteItem, ...] = ()  # [show] podroll: podcast:remoteItem each
    video: VideoSettings = field(default_factory=VideoSettings)
    cutting: tuple[tuple[str, object], ...] = ()  # [cutting] keys as given (core.cutting.settings.CuttingSettings)


@dataclass(frozen=True)
class Episode:
    folder: Path
    file: Path
    slug: str
    number: int
    title: str
    date: dt.date | dt.datetime
    description: str
    recordings: tuple[Path, ...]
    chapters: tuple[Chapter, ...]
    artwork: Path | None = None
    season: int | None = None
    episode_type: str = "full"
    chapters_file: Path | None = None
    leveler: str | None = None  # overrides the show's [audio] leveler
    guid: str | None = None  # the feed item's guid once published (or set by hand), kept verbatim
    persons: tuple[Person, ...] = ()  # guests; with the show's hosts they are the item's persons
    soundbites: tuple[Soundbite, ...] = ()
    transcript: Path | None = None  # .vtt or .srt, times in the recording
    cleanup: tuple[tuple[str, object], ...] = ()  # [cleanup] keys given here, over the show's
    cuts: tuple[tuple[int, int, str], ...] = ()  # [[cuts]]: (start, end) ms in the recordings as heard, reason
    vocabulary: tuple[str, ...] = ()  # top-level `vocabulary`: the episode's own words, beside the show's
    season_name: str | None = None  # podcast:season's name
    location: Location | None = None  # over the show's
    license: License | None = None  # over the show's
    social: tuple[Social, ...] = ()  # podcast:socialInteract
    cutting: tuple[tuple[str, object], ...] = ()  # [cutting] keys given here, over the show's


def recognises(show: Show, episode: Episode) -> bool:
    """The episode's words come from the recogniser: no hand transcript, and the show's engine on."""
    return episode.transcript is None and show.transcript_engine == "auto"


@dataclass(frozen=True)
class AudioInfo:
    """What ffprobe says of one input's first audio stream."""

    path: Path
    duration: float  # seconds
    sample_rate: int
    channels: int
    codec: str
    # a stereo file whose two channels hold the same samples throughout (one microphone
    # written twice, as many recorders and exports do), found by the analysis: the
    # assembly cleans it as the one channel it is and spreads it to both ears after,
    # which gives the same samples at half the cost of the cleanup (afftdn above all)
    same_channels: bool = False
    container: str = ""  # ffprobe's name for the file's format ("wav", "flac", "mp3"...): how to read it
