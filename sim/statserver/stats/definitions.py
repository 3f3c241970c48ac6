"""Stat type definitions in Stat Server's own format: an INI file (docs/reference/stat-types.md §10).

One section per stat type, named by the stat type::

    [Total_Calls_Answered]
    Category = TotalNumber
    MainMask = CallAnswered
    Subject = DNAction
    Objects = Queue, RoutePoint, GroupQueues

plus three special sections: ``[TimeProfiles]`` (``<Name>,<Type> = <value>``, §6),
``[TimeRanges]`` (``<Name> = <a>-<b>``, §7) and ``[Filters]`` (``<Name> = <condition>``, §8).

A Stat Server client names the time profile, range and filter when it opens a statistic; this
project has no clients, so a stat type names them itself with three options of ours
(docs/decisions.md): ``TimeProfiles = Default, LastHour`` (historical categories; default
``Default``), ``TimeRange = <name>`` (default: ``[TimeRanges] Default``, else 0-20) and
``Filter = <name>``. Two more options of ours: ``AverageTimeBase = Total | Adjusted`` (Q3)
and ``Confidence = documented | assumed`` (the shipped library says which definitions are read
in a source and which are assumed, §11).

Every problem is a :class:`sim.errors.UserError` naming the file, section and option.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, NoReturn

from sim.errors import UserError
from sim.statserver.stats import names as N
from sim.statserver.stats.categories import (
    CATEGORIES,
    HISTORICAL,
    NOT_IMPLEMENTED,
    REQUIRED,
    STATE,
    Category,
)
from sim.statserver.stats.conditions import Condition, Term
from sim.statserver.stats.expressions import ExpressionError, parse_filter, parse_formula
from sim.statserver.stats.masks import Mask, MaskError, fixed_mask, parse_mask
from sim.statserver.stats.profiles import (
    DEFAULT_PROFILE,
    DEFAULT_RANGE,
    SELECTION,
    SINCE_LOGIN,
    ProfileError,
    TimeProfile,
    TimeRange,
    parse_profile,
    parse_range,
)

PROFILES_SECTION, RANGES_SECTION, FILTERS_SECTION = "TimeProfiles", "TimeRanges", "Filters"
SPECIAL_SECTIONS = (PROFILES_SECTION, RANGES_SECTION, FILTERS_SECTION)

# Options Stat Server knows (§10) that this engine accepts and ignores or stores.
BUSINESS_ATTRIBUTES = ("MediaType",)
KNOWN_OPTIONS = frozenset((
    "Category", "Subject", "MainMask", "RelMask", "Objects", "Description", "Formula",
    "UseSourceTimeStamps", "ReasonStartOverridesStatusStart",
    "TimeProfiles", "TimeRange", "Filter", "AverageTimeBase", "Confidence",
) + BUSINESS_ATTRIBUTES)
MEDIA_VOICE = "voice"


@dataclass(frozen=True)
class StatType:
    name: str
    category_name: str
    category: Category
    subject: str
    objects: tuple[str, ...]
    main_mask: Mask
    rel_mask: Mask | None = None
    aux_mask: Mask | None = None
    time_profiles: tuple[TimeProfile, ...] = (DEFAULT_PROFILE,)
    time_range: TimeRange = DEFAULT_RANGE
    explicit_range: bool = False
    filter_name: str | None = None
    filter: Condition | None = None
    formula: Term | None = None
    dist_by_conn: bool = False
    media_types: frozenset[str] | None = None   # None: any media
    average_time_base: str = "Total"
    confidence: str | None = None
    description: str = ""

    def subject_for(self, object_type: str) -> str:
        """The effective subject for an object type (the 8.1.2 rewrite, §2.3)."""
        return N.SUBJECT_REWRITE.get((self.subject, object_type), self.subject)

    @property
    def is_historical(self) -> bool:
        return self.category.kind == HISTORICAL

    @property
    def masks(self) -> tuple[Mask, ...]:
        return tuple(m for m in (self.main_mask, self.rel_mask, self.aux_mask) if m is not None)

    @property
    def voice(self) -> bool:
        """False when a MediaType restriction excludes voice (all records here are voice)."""
        return self.media_types is None or MEDIA_VOICE in self.media_types or "any" in self.media_types


@dataclass
class StatTypes:
    """A loaded definition file: the stat types and the named profiles, ranges and filters."""

    source: str
    types: dict[str, StatType] = field(default_factory=dict)
    profiles: dict[str, TimeProfile] = field(default_factory=dict)
    ranges: dict[str, TimeRange] = field(default_factory=dict)
    filters: dict[str, Condition] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.types.values())

    def __len__(self) -> int:
        return len(self.types)

    def __getitem__(self, name: str) -> StatType:
        return self.types[name]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _ini_error(exc: configparser.Error, source: str, text: str) -> UserError:
    """configparser's errors in the one-line form of the other inputs (file:line: what)."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return UserError(f"a line before the first [section]: {exc.line.strip()!r}",
                         where=f"{source}:{exc.lineno}")
    if isinstance(exc, configparser.DuplicateOptionError):
        return UserError(f"[{exc.section}] {exc.option}: given twice", where=f"{source}:{exc.lineno}")
    if isinstance(exc, configparser.DuplicateSectionError):
        return UserError(f"[{exc.section}]: defined twice", where=f"{source}:{exc.lineno}")
    if isinstance(exc, configparser.ParsingError):
        lineno = exc.errors[0][0]          # (its line comes as a repr: take the text's own)
        lines = text.splitlines()
        line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
        return UserError(f"not a 'key = value' line: {line.strip()!r}", where=f"{source}:{lineno}")
    return UserError(" ".join(str(exc).split()), where=source)


def parse_stattypes(text: str, source: str = "stattypes.ini") -> StatTypes:
    """Parse and validate a stat type file given as text."""
    parser = configparser.ConfigParser(interpolation=None, strict=True, default_section="\x00",
                                       inline_comment_prefixes=(";",), delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # option names are case-sensitive, as in Stat Server
    try:
        parser.read_string(text, source=source)
    except configparser.Error as exc:
        raise _ini_error(exc, source, text) from None
    out = StatTypes(source)
    out.profiles["Default"] = DEFAULT_PROFILE

    def fail(section: str, option: str | None, message: str) -> NoReturn:
        raise UserError(message, where=f"{source}: [{section}]" + (f" {option}" if option else ""))

    if parser.has_section(PROFILES_SECTION):
        for key, value in parser.items(PROFILES_SECTION):
            name, comma, kind = key.partition(",")
            if not comma or not name.strip():
                fail(PROFILES_SECTION, key,
                     "write <Name>,<Type> = <value> (Type: Growing, Sliding, Selection, SinceLogin)")
            try:
                out.profiles[name.strip()] = parse_profile(name.strip(), kind.strip(), value)
            except ProfileError as exc:
                fail(PROFILES_SECTION, key, str(exc))
    if parser.has_section(RANGES_SECTION):
        for key, value in parser.items(RANGES_SECTION):
            try:
                out.ranges[key] = parse_range(key, value)
            except ProfileError as exc:
                fail(RANGES_SECTION, key, str(exc))
    if parser.has_section(FILTERS_SECTION):
        for key, value in parser.items(FILTERS_SECTION):
            try:
                out.filters[key] = parse_filter(value)
            except ExpressionError as exc:
                fail(FILTERS_SECTION, key, f"bad filter: {exc}")
    for section in parser.sections():
        if section not in SPECIAL_SECTIONS:
            out.types[section] = _stat_type(section, dict(parser.items(section)), out, fail)
    return out


def _stat_type(name: str, opts: dict[str, str], lib: StatTypes, fail) -> StatType:
    """One [section] of a stat type file, checked option by option in the order a reader
    fills them in; the first problem ends it (``fail`` raises)."""
    _check_options(name, opts, fail)
    cat_name, cat = _category(name, opts, fail)
    subject = _subject(name, opts, cat_name, cat, fail)
    objects = _objects(name, opts, subject, cat_name, fail)
    main, rel, aux = _masks(name, opts, subject, cat_name, cat, fail)
    filter_name, filt = _filter(name, opts, lib, subject, cat_name, fail)
    _check_pseudo_actions(name, cat_name, main, rel, filt, fail)
    profiles = _profiles(name, opts, lib, subject, cat, objects, fail)
    rng, explicit = _time_range(name, opts, lib, fail)
    dist, formula = _formula(name, opts, cat_name, cat, fail)
    media, base, confidence = _extras(name, opts, fail)
    return StatType(name, cat_name, cat, subject, objects, main, rel, aux, profiles, rng, explicit,
                    filter_name, filt, formula, dist, media, base, confidence,
                    opts.get("Description", "").strip())


def _check_options(name: str, opts: dict[str, str], fail) -> None:
    for option in opts:
        if option not in KNOWN_OPTIONS:
            fail(name, option, f"unknown option {option!r}")
    for required in ("Category", "Subject", "Objects", "MainMask"):
        if not opts.get(required, "").strip():
            fail(name, required, f"option {required} is required")


def _category(name: str, opts: dict[str, str], fail) -> tuple[str, Any]:
    cat_name = opts["Category"].strip()
    if cat_name in NOT_IMPLEMENTED:
        fail(name, "Category", f"category {cat_name!r} is not implemented (docs/reference/stat-types.md §4)")
    if cat_name not in CATEGORIES:
        fail(name, "Category", f"unknown category {cat_name!r}")
    return cat_name, CATEGORIES[cat_name]


def _subject(name: str, opts: dict[str, str], cat_name: str, cat: Any, fail) -> str:
    subject = opts["Subject"].strip()
    subject = N.SUBJECT_ALIASES.get(subject, subject)
    if subject not in N.SUBJECT_OBJECTS:
        fail(name, "Subject", f"unknown or unsupported subject {subject!r}"
             f" (expected one of {', '.join(N.SUBJECT_OBJECTS)})")
    if cat.subject and subject != cat.subject:
        fail(name, "Subject", f"category {cat_name} requires Subject = {cat.subject}")
    if subject == N.GROUP_STATUS and cat.kind != STATE:
        fail(name, "Subject", "Subject = GroupStatus is only for CurrentState / CurrentStateReasons")
    return subject


def _objects(name: str, opts: dict[str, str], subject: str, cat_name: str, fail) -> tuple[str, ...]:
    objects = tuple(_split(opts["Objects"]))
    for ot in objects:
        if ot not in N.OBJECT_TYPES:
            fail(name, "Objects", f"unknown object type {ot!r} (expected {', '.join(N.OBJECT_TYPES)})")
        effective = N.SUBJECT_REWRITE.get((subject, ot), subject)
        if ot not in N.SUBJECT_OBJECTS[effective]:
            fail(name, "Objects", f"object type {ot} is not valid with Subject = {subject}")
    if len(set(objects)) != len(objects):
        fail(name, "Objects", "an object type is listed twice")
    if cat_name == "CurrentContinuousTime" and set(objects) - {"Agent", "Place"}:
        fail(name, "Objects", "CurrentContinuousTime applies to Agent and Place objects only")
    return objects


def _masks(name: str, opts: dict[str, str], subject: str, cat_name: str, cat: Any,
           fail) -> tuple[Mask, Mask | None, Mask | None]:
    """MainMask, RelMask (required, optional or ignored by the category) and the category's own mask."""
    vocabulary = N.ACTION_NAMES if subject == N.DN_ACTION else N.STATUS_NAMES

    def mask(option: str) -> Mask:
        try:
            return parse_mask(opts[option], vocabulary)
        except MaskError as exc:
            fail(name, option, str(exc))

    main = mask("MainMask")
    rel = mask("RelMask") if opts.get("RelMask", "").strip() else None
    if cat.rel == REQUIRED and rel is None:
        fail(name, "RelMask", f"category {cat_name} requires a RelMask")
    if cat.rel == "no":
        rel = None   # meaningless for this category: ignored (docs/decisions.md)
    aux = fixed_mask(*cat.aux_mask) if cat.aux_mask else None
    return main, rel, aux


def _filter(name: str, opts: dict[str, str], lib: StatTypes, subject: str, cat_name: str,
            fail) -> tuple[str | None, Any]:
    filter_name = opts.get("Filter", "").strip() or None
    filt = None
    if filter_name:
        if filter_name not in lib.filters:
            fail(name, "Filter", f"unknown filter {filter_name!r} (define it in [Filters])")
        filt = lib.filters[filter_name]
        if cat_name == "AverageNumberPerRelativeHour" and subject in N.STATUS_SUBJECTS:
            fail(name, "Filter", "AverageNumberPerRelativeHour takes no filter with a status subject")
    return filter_name, filt


def _check_pseudo_actions(name: str, cat_name: str, main: Mask, rel: Mask | None, filt: Any, fail) -> None:
    for option, m in (("MainMask", main), ("RelMask", rel)):
        pseudo = m.mentions() & N.PSEUDO_ACTIONS if m else set()
        if pseudo and (cat_name not in ("CurrentNumber", "CurrentRelativeNumberPercentage") or filt):
            fail(name, option, f"queue pseudo-action {sorted(pseudo)[0]} is usable only in unfiltered"
                 " CurrentNumber and CurrentRelativeNumberPercentage statistics")


def _profiles(name: str, opts: dict[str, str], lib: StatTypes, subject: str, cat: Any,
              objects: tuple[str, ...], fail) -> tuple[TimeProfile, ...]:
    profiles: tuple[TimeProfile, ...] = (DEFAULT_PROFILE,)
    if opts.get("TimeProfiles", "").strip():
        chosen = []
        for pname in _split(opts["TimeProfiles"]):
            if pname not in lib.profiles:
                fail(name, "TimeProfiles", f"unknown time profile {pname!r} (define it in [TimeProfiles])")
            chosen.append(lib.profiles[pname])
        profiles = tuple(chosen)
    for p in profiles:
        if p.kind == SELECTION and (subject != N.DN_ACTION or cat.uses_interval):
            fail(name, "TimeProfiles", f"Selection profile {p.name!r} needs Subject = DNAction and a"
                 " category that does not depend on the interval length")
        if p.kind == SINCE_LOGIN and set(objects) - {"Agent", "Place"}:
            fail(name, "TimeProfiles", f"SinceLogin profile {p.name!r} applies to Agent and Place objects only")
    return profiles


def _time_range(name: str, opts: dict[str, str], lib: StatTypes, fail) -> tuple[Any, bool]:
    rng, explicit = lib.ranges.get("Default", DEFAULT_RANGE), False
    if opts.get("TimeRange", "").strip():
        rname = opts["TimeRange"].strip()
        if rname not in lib.ranges:
            fail(name, "TimeRange", f"unknown time range {rname!r} (define it in [TimeRanges])")
        rng, explicit = lib.ranges[rname], True
    return rng, explicit


def _formula(name: str, opts: dict[str, str], cat_name: str, cat: Any, fail) -> tuple[bool, Any]:
    formula, dist = None, False
    if cat.custom:
        if not opts.get("Formula", "").strip():
            fail(name, "Formula", f"category {cat_name} requires Formula = [DistByConnID,] <expression>")
        try:
            dist, formula = parse_formula(opts["Formula"])
        except ExpressionError as exc:
            fail(name, "Formula", f"bad formula: {exc}")
    return dist, formula


def _extras(name: str, opts: dict[str, str], fail) -> tuple[frozenset[str] | None, str, str | None]:
    """MediaType, AverageTimeBase, Confidence and the yes / no flags."""
    media = None
    if opts.get("MediaType", "").strip():
        media = frozenset(v.lower() for v in _split(opts["MediaType"]))
    base = opts.get("AverageTimeBase", "Total").strip()
    if base not in ("Total", "Adjusted"):
        fail(name, "AverageTimeBase", f"expected Total or Adjusted, got {base!r}")
    confidence = opts.get("Confidence", "").strip() or None
    if confidence not in (None, "documented", "assumed"):
        fail(name, "Confidence", f"expected documented or assumed, got {confidence!r}")
    for flag in ("UseSourceTimeStamps", "ReasonStartOverridesStatusStart"):
        if opts.get(flag, "yes").strip().lower() not in ("yes", "no", "true", "false"):
            fail(name, flag, "expected yes or no")
    return media, base, confidence


def load_stattypes(path: str | None = None) -> StatTypes:
    """Load a stat type file; ``None`` loads the library shipped with the package."""
    if path is None:
        ref = resources.files("sim").joinpath("data/stattypes.ini")
        return parse_stattypes(ref.read_text(encoding="utf-8"), "sim/data/stattypes.ini")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError as exc:      # worded as for the TOML files (errors.read_toml)
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_stattypes(text, path)
