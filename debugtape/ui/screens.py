"""The screens of `debugtape ui`: sessions, a session's snapshots, one snapshot, a session's replay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from debugtape.events import Event, parse_ts
from debugtape.ui.data import (
    SESSION_COLUMNS,
    SNAPSHOT_COLUMNS,
    Filter,
    FilterMatches,
    event_summary,
    parse_filter,
    session_cells,
    short_commit,
    snapshot_cells,
)
from debugtape.ui.format import format_value, frame_title

if TYPE_CHECKING:
    from debugtape.ui.app import TapeApp

__all__ = ["OpenableTable", "SessionsScreen", "SnapshotsScreen", "SnapshotScreen", "ReplayScreen"]


class OpenableTable(DataTable[Any]):
    """A list whose rows open with Enter, and whose footer says so (DataTable hides the key)."""

    BINDINGS = [Binding("enter", "select_cursor", "Open")]


class _TapeScreen(Screen[None]):
    """Shared: the app's store, the filter line, and polling the store for new commits."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "back", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    @property
    def tape(self) -> TapeApp:
        return self.app  # type: ignore[return-value]

    def filter_input(self) -> Input:
        return Input(placeholder="filter: sym:NAME file:PATH commit:PREFIX (a bare word is a symbol)",
                     id="filter", classes="hidden")

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = self.tape.filter.describe()
        box.remove_class("hidden")
        box.focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.input.add_class("hidden")
        self.tape.filter = parse_filter(message.value)
        self.refresh_data(force=True)
        self.focus_main()

    def action_back(self) -> None:
        box = self.query("#filter")
        if box and not box.first().has_class("hidden"):
            box.first().add_class("hidden")
            self.focus_main()
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def focus_main(self) -> None:
        tables = self.query(DataTable)
        if tables:
            tables.first().focus()

    def refresh_data(self, force: bool = False) -> None:
        """Reload what changed in the store; the app calls it when data_version moves."""

    def on_screen_resume(self) -> None:
        # Back from a screen above: what committed meanwhile refreshed that one, not this one.
        if self.is_mounted:
            self.refresh_data()


class SessionsScreen(_TapeScreen):
    """Every session, newest first; active ones update as their events commit."""

    BINDINGS = [Binding("r", "replay", "Replay"),
                *_TapeScreen.BINDINGS]

    def __init__(self) -> None:
        super().__init__()
        self.matches = FilterMatches()

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield self.filter_input()
        yield OpenableTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        for col in SESSION_COLUMNS:
            table.add_column(col, key=col)
        self.refresh_data(force=True)
        table.focus()

    def refresh_data(self, force: bool = False) -> None:
        table = self.query_one("#sessions", DataTable)
        current = self.selected_id()
        rows = self.tape.store.sessions()
        keep = self.matches.sessions(self.tape.store, self.tape.filter)
        if keep is not None:
            rows = [r for r in rows if r["id"] in keep]
        table.clear()
        for row in rows:
            table.add_row(*session_cells(row), key=row["id"])
        active = sum(1 for r in rows if r.get("status") == "active")
        flt = self.tape.filter.describe()
        self.query_one("#title", Static).update(
            f"[b]debugtape[/b]  {escape(str(self.tape.db))}  ·  {len(rows)} session(s), {active} active"
            + (f"  ·  filter [b]{escape(flt)}[/b]" if flt else ""))
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))
        elif rows:
            table.move_cursor(row=0)  # the most recent session

    def selected_id(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        sid = self.selected_id()
        if sid:
            self.app.push_screen(SnapshotsScreen(sid))

    def action_replay(self) -> None:
        sid = self.selected_id()
        if sid:
            self.app.push_screen(ReplayScreen(sid))


class SnapshotsScreen(_TapeScreen):
    """One session's snapshots; new ones appear while the session is being recorded."""

    BINDINGS = [Binding("r", "replay", "Replay"),
                *_TapeScreen.BINDINGS]

    def __init__(self, session: str) -> None:
        super().__init__()
        self.session = session
        self.matches = FilterMatches()
        self.shown_filter: Filter | None = None
        self.last_seq = 0
        self.t0_ms: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield self.filter_input()
        yield OpenableTable(id="snapshots", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#snapshots", DataTable)
        for col in SNAPSHOT_COLUMNS:
            table.add_column(col, key=col)
        self.refresh_data(force=True)
        table.focus()

    def refresh_data(self, force: bool = False) -> None:
        store = self.tape.store
        row = store.session(self.session)
        if self.t0_ms is None and row.get("started"):
            self.t0_ms = int(parse_ts(row["started"]) * 1000)
        table = self.query_one("#snapshots", DataTable)
        flt = self.tape.filter
        if force or flt != self.shown_filter:
            table.clear()
            self.last_seq = 0
            self.shown_filter = flt
        keep = self.matches.seqs(store, self.session, flt)
        for snap in store.snapshots(self.session):
            if snap["seq"] <= self.last_seq:
                continue
            self.last_seq = snap["seq"]
            if keep is None or snap["seq"] in keep:
                table.add_row(*snapshot_cells(snap, self.t0_ms), key=str(snap["seq"]))
        counts = row.get("counts") or {}
        self.query_one("#title", Static).update(
            f"[b]{escape(row.get('name') or self.session[:10])}[/b] [{escape(self.session[:10])}]  "
            f"{escape(str(row.get('tool') or ''))} · [b]{escape(str(row.get('status')))}[/b] · "
            f"commit {escape(short_commit(row) or '-')} · {table.row_count} snapshot(s) shown of "
            f"{counts.get('snapshots', '?')} · {counts.get('samples', 0)} sample(s)"
            + (f" · filter [b]{escape(flt.describe())}[/b]" if not flt.empty else ""))

    def selected_seq(self) -> int | None:
        table = self.query_one("#snapshots", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(str(key.value))

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        seq = self.selected_seq()
        if seq is not None:
            table = self.query_one("#snapshots", DataTable)
            seqs = [int(str(k.value)) for k in table.rows]
            self.app.push_screen(SnapshotScreen(self.session, seq, seqs))

    def action_replay(self) -> None:
        self.app.push_screen(ReplayScreen(self.session))


def _vars_table(table: DataTable[Any], frame: Mapping[str, Any]) -> None:
    table.clear()
    types_field = frame.get("types")
    types: Mapping[str, Any] = types_field if isinstance(types_field, Mapping) else {}
    for kind in ("args", "locals"):
        values = frame.get(kind)
        if not isinstance(values, Mapping):
            continue
        for name, value in values.items():
            table.add_row(kind[:-1] if kind == "args" else "local", str(name),
                          str(types.get(name, "")), format_value(value))


def _source_text(tape: TapeApp, frame: Mapping[str, Any]) -> Text:
    file, line = frame.get("file"), frame.get("line")
    out = Text()
    if not isinstance(line, int):
        return Text("(no source line)", style="dim")
    for n in range(max(1, line - 2), line + 3):
        src = tape.sources.line(file, n)
        if src is None:
            if n == line:
                out.append(f"{n:>6}  (source not readable here)\n", style="dim")
            continue
        out.append(f"{n:>6}  {src}\n", style="bold reverse" if n == line else "")
    return out


class SnapshotScreen(_TapeScreen):
    """A snapshot's frames; the highlighted frame's source lines and locals beside them."""

    BINDINGS = [Binding("n", "step(1)", "Next snapshot"), Binding("p", "step(-1)", "Previous"),
                Binding("tab", "focus_next", "Frames/locals", show=False), *_TapeScreen.BINDINGS]

    def __init__(self, session: str, seq: int, seqs: list[int] | None = None) -> None:
        super().__init__()
        self.session = session
        self.seq = seq
        self.seqs = seqs or [seq]
        self.frames: list[Mapping[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield self.filter_input()
        with Horizontal():
            yield DataTable(id="frames", cursor_type="row")
            with Vertical(id="right"):
                yield Static("", id="source")
                yield DataTable(id="locals", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#frames", DataTable).add_columns("#", "symbol", "where")
        self.query_one("#locals", DataTable).add_columns("kind", "name", "type", "value")
        self.load()
        self.query_one("#frames", DataTable).focus()

    def load(self) -> None:
        stored = self.tape.store.snapshot(f"{self.session}:{self.seq}")
        event: Event = stored.event
        data = event.data
        self.frames = [f for f in data.get("frames") or [] if isinstance(f, Mapping)]
        table = self.query_one("#frames", DataTable)
        table.clear()
        for i, f in enumerate(self.frames):
            where = str(f.get("file") or f.get("module") or "").rsplit("/", 1)[-1]
            if f.get("line") is not None:
                where += f":{f['line']}"
            table.add_row(str(f.get("index", i)), str(f.get("symbol") or f.get("address") or "??"),
                          where, key=str(i))
        extra = ""
        if data.get("exception"):
            exc = data["exception"]
            extra = f" · exception {exc.get('type')}: {exc.get('message')}" if isinstance(exc, Mapping) else ""
        if data.get("signal"):
            extra += f" · signal {data['signal']}"
        if data.get("truncation"):
            extra += f" · {len(data['truncation'])} cut(s)"
        pos = self.seqs.index(self.seq) + 1 if self.seq in self.seqs else 0
        self.query_one("#title", Static).update(
            f"[b]snapshot {self.seq}[/b] ({pos}/{len(self.seqs)}) of {escape(self.session[:10])} · "
            f"{escape(str(data.get('reason') or ''))}"
            + (f" · bp {escape(str(data['bp_id']))}" if data.get("bp_id") is not None else "")
            + f" · {escape(event.ts)}{escape(extra)}"
            + (f"\n✎ {escape(str(data['note']))}" if data.get("note") else ""))
        self.show_frame(0)

    def show_frame(self, i: int) -> None:
        if not self.frames or i >= len(self.frames):
            self.query_one("#source", Static).update(Text("no frames", style="dim"))
            self.query_one("#locals", DataTable).clear()
            return
        frame = self.frames[i]
        head = Text(frame_title(frame) + "\n", style="bold")
        self.query_one("#source", Static).update(head + _source_text(self.tape, frame))
        _vars_table(self.query_one("#locals", DataTable), frame)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if message.data_table.id == "frames" and message.row_key.value is not None:
            self.show_frame(int(str(message.row_key.value)))

    def action_step(self, delta: int) -> None:
        if self.seq not in self.seqs:
            return
        j = self.seqs.index(self.seq) + delta
        if 0 <= j < len(self.seqs):
            self.seq = self.seqs[j]
            self.load()


class ReplayScreen(_TapeScreen):
    """A session's events in order, one step at a time or played back."""

    BINDINGS = [
        # priority: the event table would otherwise take these keys for scrolling
        Binding("space", "play", "Play/pause", priority=True),
        Binding("n,right", "step(1)", "Next", priority=True),
        Binding("p,left", "step(-1)", "Previous", priority=True),
        Binding("home", "jump(0)", "Start", priority=True),
        Binding("end", "jump(-1)", "End", priority=True),
        Binding("plus", "speed(0.5)", "Faster", show=False),
        Binding("minus", "speed(2)", "Slower", show=False),
        Binding("s", "toggle_samples", "Samples"),
        *_TapeScreen.BINDINGS,
    ]

    def __init__(self, session: str) -> None:
        super().__init__()
        self.session = session
        self.events: list[Event] = []
        self.pos = 0
        self.with_samples = False
        self.interval = 0.5
        self.timer: Any = None
        self.t0: float | None = None
        self.after_id = 0  # the store-wide id of the last event read
        self.last_seq = 0
        self.samples_hidden = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield self.filter_input()
        with Horizontal():
            yield DataTable(id="replay-log", cursor_type="row")
            with Vertical(id="right"):
                yield Static("", id="current")
                yield DataTable(id="locals", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#replay-log", DataTable).add_columns("seq", "event")
        self.query_one("#locals", DataTable).add_columns("kind", "name", "type", "value")
        self.load()
        self.query_one("#replay-log", DataTable).focus()

    def load(self) -> None:
        stored = list(self.tape.store.iter_session_events(self.session))
        self.after_id = max((se.id for se in stored), default=0)
        self.last_seq = 0
        self.samples_hidden = 0
        self.events = []
        self.t0 = parse_ts(stored[0].event.ts) if stored else None
        self.query_one("#replay-log", DataTable).clear()
        self._append([se.event for se in stored])
        self.pos = min(self.pos, max(0, len(self.events) - 1))
        self.show()

    def _append(self, events: list[Event]) -> None:
        table = self.query_one("#replay-log", DataTable)
        for e in sorted(events, key=lambda e: e.seq):
            if e.seq <= self.last_seq:
                continue
            self.last_seq = e.seq
            if e.type == "stack_sample" and not self.with_samples:
                self.samples_hidden += 1
                continue
            self.events.append(e)
            table.add_row(str(e.seq), event_summary(e, self.t0), key=str(e.seq))

    def show(self) -> None:
        total = len(self.events)
        state = "playing" if self.timer is not None else "paused"
        hidden = "" if self.with_samples else f" · {self.samples_hidden} sample(s) hidden (s)"
        self.query_one("#title", Static).update(
            f"[b]replay[/b] {escape(self.session[:10])} · event {self.pos + 1 if total else 0} of {total}"
            f" · {state} · {self.interval:g}s/step{hidden}")
        table = self.query_one("#replay-log", DataTable)
        locals_table = self.query_one("#locals", DataTable)
        if not total:
            self.query_one("#current", Static).update("no events")
            locals_table.clear()
            return
        if table.cursor_row != self.pos:
            table.move_cursor(row=self.pos)
        event = self.events[self.pos]
        text = Text(event_summary(event, self.t0) + "\n", style="bold")
        frames = event.data.get("frames") if event.type == "debug_snapshot" else None
        if isinstance(frames, list) and frames and isinstance(frames[0], Mapping):
            text += Text(frame_title(frames[0]) + "\n")
            text += _source_text(self.tape, frames[0])
            _vars_table(locals_table, frames[0])
        else:
            locals_table.clear()
        self.query_one("#current", Static).update(text)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if message.data_table.id == "replay-log" and message.cursor_row != self.pos:
            self.pos = message.cursor_row
            self.show()

    def action_step(self, delta: int) -> None:
        if self.events:
            self.pos = max(0, min(len(self.events) - 1, self.pos + delta))
            self.show()

    def action_jump(self, where: int) -> None:
        if self.events:
            self.pos = where if where >= 0 else len(self.events) - 1
            self.show()

    def action_play(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        else:
            self.timer = self.set_interval(self.interval, self._tick)
        self.show()

    def _tick(self) -> None:
        if self.pos >= len(self.events) - 1:
            self.action_play()  # reached the end: pause
            return
        self.action_step(1)

    def action_speed(self, factor: float) -> None:
        self.interval = min(5.0, max(0.05, self.interval * factor))
        if self.timer is not None:
            self.timer.stop()
            self.timer = self.set_interval(self.interval, self._tick)
        self.show()

    def action_toggle_samples(self) -> None:
        self.with_samples = not self.with_samples
        self.load()

    def refresh_data(self, force: bool = False) -> None:
        """Add the events an active session committed since; the position (and play) carry on."""
        if force:
            self.load()
            return
        stored = self.tape.store.events(session=self.session, after_id=self.after_id)
        if stored:
            self.after_id = max(se.id for se in stored)
            self._append([se.event for se in stored])
            self.show()

    def action_filter(self) -> None:
        self.notify("filters apply to the sessions and snapshots lists; Esc goes back to them")
