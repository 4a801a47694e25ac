"""The workshop store: workshops, their anonymous participants and every contribution, in one database.

SQLAlchemy 2 (Core) over SQLite by default (a file next to the results, in WAL mode so that
the shared screen reads while phones write) or PostgreSQL by URL
(``JUMEAU_DB=postgresql+pg8000://…``, with the ``postgresql`` extra; any SQLAlchemy driver
works). The schema is the project's: its version is kept
in the ``jumeau_schema`` table; a database written by a newer jumeau is refused rather
than misread.

Nothing personal is stored. A participant is a random token (``secrets``, not derived from
an address or a device) that their browser keeps to change their answers; the database
keeps only its SHA-256. Every write is one transaction. A rating or a weight is one row
per participant and scenario (or dimension), replaced when changed; a pin or a comment
carries the id its page drew for it, so a submission sent twice (a phone retrying on a
bad network) is stored once. Reports are one per participant and item; an item reported
by :attr:`Store.report_threshold` participants is hidden until the facilitator reviews it.

>>> store = Store("sqlite://")  # in memory
>>> workshop = store.create_workshop("Place du marché", ["baseline", "trees"])
>>> token = store.join(workshop.code, group="habitant")
>>> store.rate(token, "trees", 5, favourite=True)
>>> store.tally(workshop.id).ratings["trees"].mean
5.0
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import statistics
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError

from jumeau.errors import InputError

SCHEMA_VERSION = 3  # 2: a workshop chooses the questions it asks; 3: a pin may mark a line or an area
QUESTIONS = ("rate", "weights", "pins", "comments")  # what a participant may be asked, each optional for them
GROUPS = ("habitant", "commercant", "association", "elu", "technicien")
CATEGORIES = ("trop_chaud", "eau", "ombre", "idee")  # what a pin says about its place
LABELS = {  # what people read, French then English
    "habitant": ("Habitants", "Residents"), "commercant": ("Commerçants", "Shopkeepers"),
    "association": ("Associations", "Associations"), "elu": ("Élus", "Elected officials"),
    "technicien": ("Services techniques", "Council officers"), "": ("Sans groupe", "No group"),
    "trop_chaud": ("Trop chaud ici", "Too hot here"), "eau": ("L'eau s'accumule", "Water collects"),
    "ombre": ("Il faut de l'ombre", "Shade needed"), "idee": ("Une idée", "An idea"),
}
SCORES = range(1, 6)
WEIGHT_RANGE = (0.0, 3.0)
MAX_COMMENT = 500  # characters
MAX_TITLE = 200
MAX_VERTICES = 100  # of a pin's line or area: a phone's taps, not a survey
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on a phone
CODE_LENGTH = 6
REPORT_THRESHOLD = 3

metadata = sa.MetaData()
schema = sa.Table("jumeau_schema", metadata, sa.Column("version", sa.Integer, nullable=False))
workshops = sa.Table(
    "workshops", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("code", sa.String(CODE_LENGTH), nullable=False, unique=True),
    sa.Column("title", sa.String(MAX_TITLE), nullable=False),
    sa.Column("held_on", sa.Date),
    sa.Column("place", sa.String(MAX_TITLE), nullable=False, default=""),
    sa.Column("scenarios", sa.JSON, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("questions", sa.JSON),  # None: every question (the workshops of schema 1)
)
participants = sa.Table(
    "participants", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("group_name", sa.String(20)),
    sa.Column("area", sa.String(MAX_TITLE)),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)
ratings = sa.Table(
    "ratings", metadata,
    sa.Column("participant_id", sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("scenario", sa.String(MAX_TITLE), primary_key=True),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("favourite", sa.Boolean, nullable=False, default=False),
)
weights = sa.Table(
    "weights", metadata,
    sa.Column("participant_id", sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("dimension", sa.String(20), primary_key=True),
    sa.Column("weight", sa.Float, nullable=False),
)
pins = sa.Table(
    "pins", metadata,
    sa.Column("id", sa.String(36), primary_key=True),  # drawn by the participant's page: a resent pin is one pin
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("participant_id", sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("comment", sa.String(MAX_COMMENT), nullable=False, default=""),
    sa.Column("x", sa.Float, nullable=False),  # in the site's CRS
    sa.Column("y", sa.Float, nullable=False),
    sa.Column("shape", sa.Text),  # a line or an area the pin marks (WKT, site CRS); None: the point only
    sa.Column("hidden", sa.Boolean, nullable=False, default=False),
    sa.Column("reviewed", sa.Boolean, nullable=False, default=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)
comments = sa.Table(
    "comments", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("participant_id", sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("scenario", sa.String(MAX_TITLE), nullable=False),
    sa.Column("text", sa.String(MAX_COMMENT), nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False, default=False),
    sa.Column("reviewed", sa.Boolean, nullable=False, default=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)
reports = sa.Table(
    "reports", metadata,
    sa.Column("participant_id", sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(10), primary_key=True),  # "pin" or "comment"
    sa.Column("item_id", sa.String(36), primary_key=True),
)
ITEMS = {"pin": pins, "comment": comments}


@dataclass(frozen=True)
class Workshop:
    id: str
    code: str
    title: str
    scenarios: tuple[str, ...]
    place: str = ""
    held_on: dt.date | None = None
    questions: tuple[str, ...] = QUESTIONS

    def asks(self, question: str) -> bool:
        return question in self.questions


@dataclass(frozen=True)
class Rating:
    """A scenario's ratings: how many, their mean and median, the count of each score, its favourites."""

    count: int
    mean: float
    median: float
    scores: dict[int, int]
    favourites: int


@dataclass(frozen=True)
class Answers:
    """What one participant gave so far, for their own page to show and change: never shown to others."""

    workshop: Workshop
    group: str | None
    scores: dict[str, int]  # scenario -> score
    favourite: str | None
    weights: dict[str, float]
    own: frozenset[str]  # the ids of their pins and comments (not theirs to report)


@dataclass(frozen=True)
class Tally:
    """What the shared screen shows: aggregates only, never a participant's own answers."""

    participants: int
    groups: dict[str, int]
    ratings: dict[str, Rating]
    weights: dict[str, float]  # the room's median weight per dimension
    weights_by_group: dict[str, dict[str, float]]
    pins: list[dict] = field(default_factory=list)  # the visible pins: id, category, comment, x, y
    comments: list[dict] = field(default_factory=list)


def default_database() -> str:
    """``$JUMEAU_DB``, else a SQLite file beside the default results folder."""
    return os.environ.get("JUMEAU_DB") or str(Path("runs") / "atelier.sqlite")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value: str, name: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InputError(f"{name}: {len(value)} characters, at most {limit}; shorten it.")
    return value


class Store:
    """The workshops of one server; ``url`` is a SQLAlchemy URL or the path of a SQLite file."""

    def __init__(self, url: str | Path, *, report_threshold: int = REPORT_THRESHOLD):
        self.url = url if isinstance(url, str) and "://" in url else f"sqlite:///{Path(url)}"
        if self.url.startswith("sqlite:///") and len(self.url) > len("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.report_threshold = report_threshold
        sqlite = self.url.startswith("sqlite")
        try:  # what messages show: a server's password never
            self.shown_url = sa.engine.make_url(self.url).render_as_string(hide_password=True)
        except (SQLAlchemyError, ValueError):
            self.shown_url = "the database of JUMEAU_DB"
        try:
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30} if sqlite else {})
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise InputError(f"JUMEAU_DB / store: cannot use the database {self.shown_url!r} ({exc}); give a SQLite "
                             "file or a URL such as postgresql+pg8000://user@host/db (pip install jumeau[postgresql]).") from None
        if sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self._create()

    def _create(self) -> None:
        try:
            with self.engine.begin() as connection:
                metadata.create_all(connection)
                found = connection.execute(sa.select(schema.c.version)).scalar()
                if found is None:
                    connection.execute(schema.insert().values(version=SCHEMA_VERSION))
                elif found < SCHEMA_VERSION:
                    _migrate(connection, found)
                elif found > SCHEMA_VERSION:
                    raise InputError(f"{self.shown_url}: workshop database of schema {found}, newer than this jumeau's "
                                     f"{SCHEMA_VERSION}; update jumeau or use another database.")
        except (OperationalError, InterfaceError) as exc:  # a file that cannot be written; a server not answering
            raise InputError(f"{self.shown_url}: the workshop database cannot be opened ({exc.orig}); check the path and "
                             "its permissions, or that the server runs and answers at this address.") from None

    # -- workshops and participants -------------------------------------------------------

    def create_workshop(self, title: str, scenarios: Sequence[str], *, place: str = "",
                        held_on: dt.date | None = None, questions: Sequence[str] = QUESTIONS) -> Workshop:
        """A new workshop showing ``scenarios`` (ids) and asking ``questions`` (of :data:`QUESTIONS`), with a
        short code to join it."""
        title = _text(title, "title", MAX_TITLE)
        if not title:
            raise InputError("title: a workshop needs a title (e.g. the place and the date).")
        if not scenarios:
            raise InputError("scenarios: a workshop shows at least one scenario.")
        unknown = [q for q in questions if q not in QUESTIONS]
        if unknown or not questions:
            raise InputError(f"questions: {', '.join(unknown) or 'none'}; ask one or more of {', '.join(QUESTIONS)}.")
        questions = tuple(q for q in QUESTIONS if q in questions)
        for _ in range(20):  # a code already taken is drawn again
            workshop = Workshop(str(uuid.uuid4()), "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
                                title, tuple(scenarios), _text(place, "place", MAX_TITLE), held_on, questions)
            try:
                with self.engine.begin() as connection:
                    connection.execute(workshops.insert().values(
                        id=workshop.id, code=workshop.code, title=workshop.title, held_on=held_on,
                        place=workshop.place, scenarios=list(workshop.scenarios), created=_now(),
                        questions=list(questions)))
                return workshop
            except IntegrityError:
                continue
        raise InputError("could not draw a free workshop code; purge old workshops.")

    def workshop(self, code_or_id: str) -> Workshop:
        with self.engine.connect() as connection:
            return _find_workshop(connection, code_or_id)

    def workshops(self) -> list[Workshop]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(workshops).order_by(workshops.c.created.desc())).all()
        return [_workshop(r) for r in rows]

    def join(self, code: str, *, group: str | None = None, area: str | None = None) -> str:
        """A new anonymous participant of the workshop ``code``; returns their token (kept by their browser)."""
        if group is not None and group not in GROUPS:
            raise InputError(f"group: {group!r}; choose one of {', '.join(GROUPS)} or none.")
        token = secrets.token_urlsafe(24)
        with self.engine.begin() as connection:  # one connection: a room joining at once waits less for the pool
            workshop = _find_workshop(connection, code)
            connection.execute(participants.insert().values(
                workshop_id=workshop.id, token_hash=_hash(token), group_name=group,
                area=_text(area or "", "area", MAX_TITLE) or None, created=_now()))
        return token

    def _participant(self, connection, token: str) -> tuple[int, Workshop]:
        row = connection.execute(sa.select(participants.c.id.label("participant"), workshops)
                                 .join(workshops).where(participants.c.token_hash == _hash(token or ""))).first()
        if row is None:
            raise InputError("This participation is unknown (the workshop may have been purged); join again.")
        return row.participant, _workshop(row)

    def answers(self, token: str) -> Answers:
        """The participant's own answers (their token is unknown: :class:`InputError`)."""
        with self.engine.connect() as connection:
            participant, workshop = self._participant(connection, token)
            group = connection.execute(sa.select(participants.c.group_name)
                                       .where(participants.c.id == participant)).scalar()
            rated = connection.execute(sa.select(ratings).where(ratings.c.participant_id == participant)).all()
            weighed = connection.execute(sa.select(weights).where(weights.c.participant_id == participant)).all()
            own = [row.id for table in (pins, comments)
                   for row in connection.execute(sa.select(table.c.id).where(table.c.participant_id == participant))]
        return Answers(workshop, group, {r.scenario: r.score for r in rated},
                       next((r.scenario for r in rated if r.favourite), None),
                       {w.dimension: w.weight for w in weighed}, frozenset(own))

    # -- contributions ----------------------------------------------------------------------

    def rate(self, token: str, scenario: str, score: int, *, favourite: bool = False) -> None:
        """The participant's rating of a scenario (1–5), replacing theirs; one favourite per participant."""
        if score not in SCORES:
            raise InputError(f"score: {score!r}; give a whole number from 1 to 5.")
        with self.engine.begin() as connection:
            participant, workshop = self._participant(connection, token)
            _asked(workshop, "rate")
            _shown(workshop, scenario)
            if favourite:
                connection.execute(ratings.update().where(ratings.c.participant_id == participant)
                                   .values(favourite=False))
            _replace(connection, ratings, {"participant_id": participant, "scenario": scenario},
                     {"score": int(score), "favourite": bool(favourite)})

    def set_weights(self, token: str, chosen: dict[str, float]) -> None:
        """The participant's own weights of the public-value dimensions (0–3 each)."""
        from jumeau.study.indicators import DIMENSIONS

        for dimension, weight in chosen.items():
            if dimension not in DIMENSIONS:
                raise InputError(f"weights: unknown dimension {dimension!r}; use {', '.join(DIMENSIONS)}.")
            if not WEIGHT_RANGE[0] <= float(weight) <= WEIGHT_RANGE[1]:
                raise InputError(f"weights: {dimension} = {weight}; give a weight from 0 to 3.")
        with self.engine.begin() as connection:
            participant, workshop = self._participant(connection, token)
            _asked(workshop, "weights")
            for dimension, weight in chosen.items():
                _replace(connection, weights, {"participant_id": participant, "dimension": dimension},
                         {"weight": float(weight)})

    def add_pin(self, token: str, category: str, x: float, y: float, *, comment: str = "",
                submission: str | None = None, line: Sequence[tuple[float, float]] | None = None,
                area: bool = False) -> str:
        """A pin on the district map (site CRS); ``submission`` is the id the page drew for it. With ``line``
        (its vertices), the pin marks that line, or the area it closes if ``area``. Returns its id."""
        if category not in CATEGORIES:
            raise InputError(f"category: {category!r}; choose one of {', '.join(CATEGORIES)}.")
        values = {"category": category, "comment": _text(comment, "comment", MAX_COMMENT), "x": float(x), "y": float(y),
                  "shape": _shape(line, area) if line else None}
        return self._add(token, pins, values, submission, "pins")

    def add_comment(self, token: str, scenario: str, text: str, *, submission: str | None = None) -> str:
        text = _text(text, "comment", MAX_COMMENT)
        if not text:
            raise InputError("comment: empty; write a few words.")
        with self.engine.connect() as connection:
            _shown(self._participant(connection, token)[1], scenario)
        return self._add(token, comments, {"scenario": scenario, "text": text}, submission, "comments")

    def _add(self, token: str, table: sa.Table, values: dict, submission: str | None, question: str) -> str:
        item = submission or str(uuid.uuid4())
        try:
            with self.engine.begin() as connection:
                participant, workshop = self._participant(connection, token)
                _asked(workshop, question)
                connection.execute(table.insert().values(id=item, workshop_id=workshop.id, participant_id=participant,
                                                         created=_now(), **values))
        except IntegrityError:  # sent before: stored once
            pass
        return item

    def report(self, token: str, kind: str, item: str) -> None:
        """A participant flags a pin or a comment; at the threshold it is hidden until reviewed."""
        table = _item_table(kind)
        with self.engine.begin() as connection:
            participant, _ = self._participant(connection, token)
            if connection.execute(sa.select(table.c.id).where(table.c.id == item)).first() is None:
                raise InputError(f"No {kind} {item!r} to report.")
            inserted = _insert_new(connection, reports, {"participant_id": participant, "kind": kind, "item_id": item})
            if inserted:
                count = connection.execute(sa.select(sa.func.count()).select_from(reports).where(
                    (reports.c.kind == kind) & (reports.c.item_id == item))).scalar_one()
                if count >= self.report_threshold:
                    connection.execute(table.update().where((table.c.id == item) & ~table.c.reviewed)
                                       .values(hidden=True))

    def moderate(self, kind: str, item: str, *, hidden: bool) -> None:
        """The facilitator hides or restores a pin or a comment (it is then reviewed: reports no longer hide it)."""
        table = _item_table(kind)
        with self.engine.begin() as connection:
            done = connection.execute(table.update().where(table.c.id == item).values(hidden=hidden, reviewed=True))
            if done.rowcount == 0:
                raise InputError(f"No {kind} {item!r} to moderate.")

    # -- reading --------------------------------------------------------------------------------

    def tally(self, workshop_id: str) -> Tally:
        with self.engine.connect() as connection:
            people = connection.execute(sa.select(participants.c.id, participants.c.group_name).where(
                participants.c.workshop_id == workshop_id)).all()
            rated = connection.execute(sa.select(ratings).join(participants).where(
                participants.c.workshop_id == workshop_id)).all()
            weighed = connection.execute(sa.select(weights, participants.c.group_name).join(participants).where(
                participants.c.workshop_id == workshop_id)).all()
            shown_pins = connection.execute(sa.select(pins.c.id, pins.c.category, pins.c.comment, pins.c.x, pins.c.y,
                                                      pins.c.shape)
                                            .where((pins.c.workshop_id == workshop_id) & ~pins.c.hidden)
                                            .order_by(pins.c.created)).all()
            shown_comments = connection.execute(sa.select(comments.c.id, comments.c.scenario, comments.c.text).where(
                (comments.c.workshop_id == workshop_id) & ~comments.c.hidden).order_by(comments.c.created)).all()
        groups: dict[str, int] = {}
        for person in people:
            groups[person.group_name or ""] = groups.get(person.group_name or "", 0) + 1
        by_scenario: dict[str, list] = {}
        for row in rated:
            by_scenario.setdefault(row.scenario, []).append(row)
        tallied = {scenario: Rating(len(rows), statistics.fmean(r.score for r in rows),
                                    statistics.median(r.score for r in rows),
                                    {s: sum(r.score == s for r in rows) for s in SCORES},
                                    sum(bool(r.favourite) for r in rows))
                   for scenario, rows in by_scenario.items()}
        return Tally(len(people), groups, tallied, _medians(weighed),
                     {group or "": _medians([w for w in weighed if w.group_name == group])
                      for group in {w.group_name for w in weighed}},
                     [dict(row._mapping) for row in shown_pins], [dict(row._mapping) for row in shown_comments])

    def contributions(self, workshop_id: str) -> dict[str, list[dict]]:
        """Every pin and comment of a workshop, hidden ones included, for the facilitator's exports: each with
        its author's group and area, its time, its moderation state and how many reported it; and every
        rating with its author's group. Never a token or a participant's number."""
        reported = sa.select(reports.c.item_id, sa.func.count().label("reports")).group_by(reports.c.item_id).subquery()
        found = {}
        with self.engine.connect() as connection:
            for kind, table, columns in (("pins", pins, ("category", "comment", "x", "y", "shape")),
                                         ("comments", comments, ("scenario", "text"))):
                query = (sa.select(table.c.id, *(table.c[c] for c in columns), participants.c.group_name.label("group"),
                                   participants.c.area, table.c.created, table.c.hidden, table.c.reviewed,
                                   sa.func.coalesce(reported.c.reports, 0).label("reports"))
                         .join(participants, table.c.participant_id == participants.c.id)
                         .outerjoin(reported, reported.c.item_id == table.c.id)
                         .where(table.c.workshop_id == workshop_id).order_by(table.c.created))
                found[kind] = [dict(row._mapping) for row in connection.execute(query)]
            rated = (sa.select(ratings.c.scenario, ratings.c.score, ratings.c.favourite,
                               participants.c.group_name.label("group"))
                     .join(participants).where(participants.c.workshop_id == workshop_id))
            found["ratings"] = [dict(row._mapping) for row in connection.execute(rated)]
        return found

    def room_weights(self, code: str) -> dict[str, float]:
        """The room's median weight of each dimension a participant weighed (none: equal weights)."""
        return self.tally(self.workshop(code).id).weights

    def purge(self, older_than_days: float) -> int:
        """Delete the workshops created more than ``older_than_days`` ago, with everything said in them."""
        limit = _now() - dt.timedelta(days=older_than_days)
        with self.engine.begin() as connection:
            old = [r.id for r in connection.execute(sa.select(workshops.c.id).where(workshops.c.created < limit))]
            if old:
                people = sa.select(participants.c.id).where(participants.c.workshop_id.in_(old))
                for table in (reports, ratings, weights):
                    connection.execute(table.delete().where(table.c.participant_id.in_(people)))
                for table in (pins, comments):
                    connection.execute(table.delete().where(table.c.workshop_id.in_(old)))
                connection.execute(participants.delete().where(participants.c.workshop_id.in_(old)))
                connection.execute(workshops.delete().where(workshops.c.id.in_(old)))
        return len(old)


def _find_workshop(connection, code_or_id: str) -> Workshop:
    code = (code_or_id or "").strip().upper()
    row = connection.execute(sa.select(workshops).where(
        (workshops.c.code == code) | (workshops.c.id == code_or_id))).first()
    if row is None:
        raise InputError(f"No workshop with the code {code_or_id!r}; check the code on the shared screen.")
    return _workshop(row)


def _workshop(row) -> Workshop:
    return Workshop(row.id, row.code, row.title, tuple(row.scenarios), row.place, row.held_on,
                    tuple(row.questions) if row.questions else QUESTIONS)


def _migrate(connection, found: int) -> None:
    """Bring a database of an older schema to this one, in the opening transaction."""
    added = {2: ("workshops", "questions", "JSON"),  # workshops choose their questions; older ones asked all (NULL)
             3: ("pins", "shape", "TEXT")}  # a pin may mark a line or an area; older ones are points (NULL)
    for version in range(found + 1, SCHEMA_VERSION + 1):
        table, column, kind = added[version]
        if column not in {c["name"] for c in sa.inspect(connection).get_columns(table)}:
            connection.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
    connection.execute(schema.update().values(version=SCHEMA_VERSION))


def _shape(vertices: Sequence[tuple[float, float]], area: bool) -> str:
    """The WKT of a pin's line (2 vertices or more) or area (3 or more), checked."""
    import shapely

    points = [(float(x), float(y)) for x, y in vertices]
    least = 3 if area else 2
    if not least <= len(points) <= MAX_VERTICES or len(set(points)) < least:
        raise InputError(f"pin: {len(set(points))} distinct point(s); a {'zone' if area else 'line'} needs "
                         f"{least} to {MAX_VERTICES}.")
    shape = shapely.Polygon(points) if area else shapely.LineString(points)
    if area and not shape.is_valid:  # taps in an order that crosses itself: the area they surround
        shape = shapely.convex_hull(shapely.MultiPoint(points))
    return shapely.to_wkt(shape, rounding_precision=2)


def _asked(workshop: Workshop, question: str) -> None:
    if not workshop.asks(question):
        raise InputError(f"This workshop does not ask for {question}; the facilitator chose "
                         f"{', '.join(workshop.questions)}.")


def _sqlite_pragmas(connection, record) -> None:
    """WAL: readers never wait for a writer; foreign keys on (SQLite leaves them off)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _shown(workshop: Workshop, scenario: str) -> None:
    if scenario not in workshop.scenarios:
        raise InputError(f"scenario: {scenario!r} is not shown in this workshop ({', '.join(workshop.scenarios)}).")


def _item_table(kind: str) -> sa.Table:
    if kind not in ITEMS:
        raise InputError(f"kind: {kind!r}; use 'pin' or 'comment'.")
    return ITEMS[kind]


def _insert_new(connection, table: sa.Table, key: dict) -> bool:
    """Insert the row ``key`` unless it exists (in a savepoint: the transaction goes on); True if inserted."""
    try:
        with connection.begin_nested():
            connection.execute(table.insert().values(**key))
        return True
    except IntegrityError:
        return False


def _replace(connection, table: sa.Table, key: dict, values: dict) -> None:
    """The row ``key`` with ``values``, inserted or updated (portable: SQLite and PostgreSQL)."""
    where = sa.and_(*(table.c[name] == value for name, value in key.items()))
    if connection.execute(table.update().where(where).values(**values)).rowcount == 0 and \
            not _insert_new(connection, table, {**key, **values}):
        connection.execute(table.update().where(where).values(**values))  # inserted meanwhile by a twin request


def _medians(rows: Iterable) -> dict[str, float]:
    by_dimension: dict[str, list[float]] = {}
    for row in rows:
        by_dimension.setdefault(row.dimension, []).append(row.weight)
    return {dimension: float(statistics.median(values)) for dimension, values in by_dimension.items()}
