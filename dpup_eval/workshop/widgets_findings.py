"""The findings page's panel: the agreed measures by period and by group, readings, interpretations, report.

Periods are the programme's (month, quarter or year); a programme without periods has no "By ..."
view over time.

Charts are plotly figures re-rendered inside an ``Output`` widget as plotly's own JSON mime bundle,
drawn by the plotly extension that Voila serves from this laptop (``go.FigureWidget`` would need
anywidget; plotly's "notebook_connected" renderer would fetch plotly.js from a CDN). The figure is
built from :class:`~dpup_eval.findings.evaluation.Findings` only: its JSON carries estimates, intervals and
rounded counts, never rows.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from dpup_eval.findings.evaluation import Finding, Findings
from dpup_eval.workshop import finding_key_text
from dpup_eval.workshop.report import finding_key, in_report_by_default, write_workshop_report
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.stories import chosen_stories_html, workshop_stories
from dpup_eval.workshop.widgets_base import Message, button, section, set_options, text_html
from dpup_eval.workshop.widgets_join import JoinPanel

__all__ = ["FindingsPanel"]

SIDE_BY_SIDE = "__all__"
VIEWS = {"period": "By {period}", "group": "By group", "target": "Against the target"}
_WIDE = {"description_width": "initial"}


def show_figure(output: w.Output, figure: Any) -> None:
    """Draw a plotly figure in an Output widget, offline (plotly's mime bundle, no CDN).

    The output is replaced in one assignment (no flicker, and no need for an IPython display hook).
    """
    from dpup_eval.findings.charts import PLOT_CONFIG

    figure.update_layout(autosize=True, width=None)  # fills the page's width, phone or projector
    spec = figure.to_plotly_json()
    bundle = {"data": spec["data"], "layout": spec["layout"], "config": PLOT_CONFIG}
    output.outputs = (
        {"output_type": "display_data", "data": {"application/vnd.plotly.v1+json": bundle}, "metadata": {}},
    )


def show_text(output: w.Output, text: str) -> None:
    output.outputs = ({"output_type": "display_data", "data": {"text/plain": text}, "metadata": {}},)


class FindingsPanel(w.VBox):
    """Pick a measure, a definition and a view; read it; interpret it; choose it for the report; export."""

    def __init__(
        self, session: WorkshopSession, on_written: Any = None, *, join: bool = True, report: bool = True,
        lazy: bool = False, **kwargs: Any,
    ) -> None:  # fmt: skip
        """``join=False``: the page around it has joined already (asking again is what people hit);
        ``report=False``: no report choices or export (the facilitator's, on the facilitator page);
        ``lazy=True``: nothing is evaluated (or released) until the panel is first shown (:meth:`redraw`):
        on the participant page, where it is one part of four, that was most of a page's start."""
        self.session = session
        self.on_written = on_written
        self.join = JoinPanel(session)
        self.measure = w.Dropdown(description="Measure", style=_WIDE)
        self.definition = w.Dropdown(description="Definition", style=_WIDE)
        views = [(words.format(period=session.period_word), key) for key, words in VIEWS.items()
                 if key != "period" or session.period]
        self.view = w.ToggleButtons(
            options=views, value=views[0][1], description="Show",
            style={"description_width": "initial", "button_width": "auto"},
        )  # fmt: skip
        self.grouping = w.Dropdown(description="Group by", style=_WIDE)
        self.chart = w.Output()
        self.readings = w.HTML()
        self.stories = w.HTML()  # the families' story the room chose for the measure's domain, if any
        self._stories = workshop_stories(session)
        self.finding = w.Dropdown(description="Which result are you commenting on?", style=_WIDE)
        self.interpretation = w.Textarea(
            description="What do you read into it? (in your own words)", style=_WIDE
        )
        self.save = button("Add my reading", primary=True)
        self.interpretations = w.HTML()
        self.include = w.Checkbox(
            description="Put this measure and definition in the workshop report", indent=False
        )
        self.export = button("Make the workshop report", primary=True)
        self.report_link = w.HTML()
        self.message = Message()
        self.findings: Findings | None = None
        self._signature: tuple[Any, ...] | None = None
        self._agreed: dict[str, bool] = {}
        self._busy = False
        self._measure_chosen = False  # the page follows the room's decisions until a person picks a measure
        self.measure.observe(self.on_measure, "value")
        for control in (self.definition, self.view, self.grouping):
            control.observe(self.draw, "value")
        self.definition.observe(self.on_definition, "value")
        self.include.observe(self.on_include, "value")
        self.save.on_click(self.on_save)
        self.export.on_click(self.on_export)
        parts = [
            section("What the measures show", self.measure, self.definition, self.view, self.grouping,
                    self.chart, self.readings, self.stories),
            section("Join", self.join, intro="Join to add your reading and choose what goes in the report."),
            section("Readings from the room", self.finding, self.interpretation, self.save, self.interpretations),
            section("The workshop report", self.include, self.export, self.report_link),
            self.message,
        ]  # fmt: skip
        if not report:
            del parts[3]
        if not join:
            del parts[1]
        self._waiting = lazy  # not shown yet: evaluate when first shown
        super().__init__(parts, **kwargs)
        if not lazy:
            self.refresh()

    # --- data -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-evaluate when decisions changed; always bring interpretations and report choices up to date."""
        if self._waiting:
            return
        store, workshop_id = self.session.store, self.session.workshop.id
        signature = tuple((d.id, d.proposal_ids) for d in store.decisions(workshop_id))
        if signature != self._signature:
            self._signature = signature
            agreed = self.session.agreed_indicators()
            self._agreed = {i.id: ok for i, ok in agreed}
            self.findings = self.session.evaluate_full([i for i, _ in agreed])
            options = [(("Agreed: " if ok else "Not agreed yet: ") + i.name, i.id) for i, ok in agreed]
            self._busy = True
            try:
                set_options(self.measure, options)
                if not self._measure_chosen:  # nobody picked one here yet: follow the room's decisions
                    self.measure.value = options[0][1] if options else None
            finally:
                self._busy = False
            self.on_measure()
        self.show_interpretations()
        self.show_choice()
        self.stories.value = chosen_stories_html(self.session, self._stories, self.measure.value)

    def selected(self) -> list[Finding]:
        """The findings the chart and readings currently show."""
        if self.findings is None or self.measure.value is None:
            return []
        definition = None if self.definition.value == SIDE_BY_SIDE else self.definition.value
        view = self.view.value
        if view == "target":
            return self.findings.select(
                indicator=self.measure.value, definition=definition, grouping="", period=None
            )
        if view == "group" and self.grouping.value:
            return self.findings.select(
                indicator=self.measure.value, definition=definition, grouping=self.grouping.value, period=None
            )
        return [
            f for f in self.findings.select(indicator=self.measure.value, definition=definition, grouping="")
            if f.period is not None
        ]  # fmt: skip

    # --- callbacks --------------------------------------------------------------------------------

    def on_measure(self, change: object = None) -> None:
        if self._busy or self.findings is None or self.measure.value is None:
            return
        if change is not None:  # a person chose it (not a refresh)
            self._measure_chosen = True
        chosen = self.findings.select(indicator=self.measure.value, grouping="", period=None)
        options = [(f"{f.definition_label} (proposed by {f.proposed_by})", f.definition) for f in chosen]
        if len(options) > 1:
            options.append(("All definitions side by side", SIDE_BY_SIDE))
        groupings = [
            g
            for g in self.findings.groupings
            if self.findings.select(indicator=self.measure.value, grouping=g, period=None)
        ]
        self._busy = True
        try:
            self.definition.value = None
            set_options(self.definition, options)
            set_options(self.grouping, [(self._plain(g), g) for g in groupings])
        finally:
            self._busy = False
        self.draw()
        self.show_choice()
        self.stories.value = chosen_stories_html(self.session, self._stories, self.measure.value)

    def on_definition(self, _: object = None) -> None:
        if not self._busy:
            self.show_choice()

    def _plain(self, name: str) -> str:
        contract = self.session.contract
        return contract.field(name).plain_name if contract.has_field(name) else name

    def figure(self) -> Any:
        from dpup_eval.findings.charts import definitions_chart, group_chart, target_chart, trend_chart

        findings, indicator, view = self.findings, self.measure.value, self.view.value
        if findings is None:  # callers draw only once there are findings
            return None
        side_by_side = self.definition.value == SIDE_BY_SIDE
        definition = None if side_by_side else self.definition.value
        if view == "target":
            return target_chart(findings, indicator)
        if view == "group":
            if side_by_side:
                return definitions_chart(findings, indicator, self.grouping.value or "")
            return group_chart(findings, indicator, self.grouping.value, definition)
        return (
            definitions_chart(findings, indicator)
            if side_by_side
            else trend_chart(findings, indicator, definition)
        )

    def redraw(self) -> None:
        """Draw the chart again, now that it can be seen: a chart drawn while its part of the page was
        hidden took plotly's default width (700 px), wider than a phone. The first time, evaluate."""
        if self._waiting:
            self._waiting = False
            self.refresh()
            return
        self.chart.outputs = ()
        self.draw()

    def draw(self, _: object = None) -> None:
        if self._busy or self.findings is None or self.measure.value is None:
            return
        self.grouping.layout.display = None if self.view.value == "group" else "none"
        try:
            show_figure(self.chart, self.figure())
        except ValueError as error:
            show_text(self.chart, f"No chart for this choice: {error}")
        shown = self.selected()
        self.readings.value = (
            text_html(("h3", "What it says"), *[("p", f.sentence) for f in shown]) if shown else ""
        )
        set_options(self.finding, [(self._finding_label(f), finding_key_text(finding_key(f))) for f in shown])
        self.show_interpretations()

    @staticmethod
    def _finding_label(f: Finding) -> str:
        parts = [f.definition_label, f.group_label, f.period_label]
        return " – ".join(p for p in parts if p)

    def on_save(self, _: object = None) -> None:
        def action() -> str:
            participant = self.session.participant
            if participant is None:
                raise ValueError("join the workshop first (at the top of the page).")
            if not self.finding.value:
                raise ValueError("choose the result you are commenting on.")
            import json

            key = json.loads(self.finding.value)
            self.session.store.interpret(
                self.session.workshop.id, participant.id, key, self.interpretation.value
            )
            self.interpretation.value = ""
            self.show_interpretations()
            if self.on_written is not None:
                self.on_written()
            return "your reading is added."

        self.message.attempt(action)

    def show_interpretations(self) -> None:
        if self.measure.value is None:
            return
        names = {p.id: p.display_name for p in self.session.store.participants(self.session.workshop.id)}
        lines = [
            ("p", f"{names.get(i.participant_id, 'Someone')} ({self._where(i.finding_key)}): “{i.text}”")
            for i in self.session.store.interpretations(self.session.workshop.id)
            if i.finding_key.get("indicator_id") == self.measure.value
        ]
        self.interpretations.value = (
            text_html(*lines) if lines else text_html(("p", "No readings for this measure yet."))
        )

    def _where(self, key: dict[str, Any]) -> str:
        group = key.get("group") or {}
        parts = [f"{self._plain(k)}: {v}" for k, v in group.items()] or ["everyone"]
        parts.append(str(key.get("period") or f"all {self.session.period_word}s"))
        return ", ".join(parts)

    def _overall_key(self) -> str | None:
        if self.measure.value is None or self.definition.value in (None, SIDE_BY_SIDE):
            return None
        return finding_key_text(
            {
                "indicator_id": self.measure.value,
                "definition_id": self.definition.value,
                "group": {},
                "period": None,
            }
        )

    def show_choice(self) -> None:
        key = self._overall_key()
        self.include.disabled = key is None
        if key is None:
            return
        choices = self.session.store.report_choices(self.session.workshop.id)
        agreed = {measure for measure, ok in self._agreed.items() if ok}
        default = in_report_by_default(self.measure.value, agreed)
        self._busy_include = True
        try:
            self.include.value = choices.get(("finding", key), default)
        finally:
            self._busy_include = False

    def on_include(self, change: dict[str, Any]) -> None:
        if getattr(self, "_busy_include", False):
            return
        key = self._overall_key()
        participant = self.session.participant
        if key is None:
            return
        if participant is None:
            self.message.error("join the workshop first (at the top of the page).")
            self._busy_include = True
            self.include.value = change["old"]
            self._busy_include = False
            return
        self.message.attempt(lambda: self._choose(participant.id, key, bool(change["new"])))

    def _choose(self, participant_id: int, key: str, include: bool) -> str:
        self.session.store.choose_for_report(self.session.workshop.id, participant_id, "finding", key, include)
        return "it will be in the report." if include else "it is left out of the report."

    def on_export(self, _: object = None) -> None:
        def action() -> str:
            if self.findings is None:
                raise ValueError("the findings are not ready yet.")
            path = write_workshop_report(
                self.session, self.findings, self.session.folder / "pages" / "reports"
            )
            self.report_path = path
            href = f"../files/reports/{path.name}"
            self.report_link.value = (
                f'<p><a href="{text_html(href)}" target="_blank" rel="noopener">Open the workshop report</a> '
                f"(saved on the workshop laptop as {text_html(str(path.name))}; print it from the browser).</p>"
            )
            return "the report is ready."

        self.message.attempt(action)
