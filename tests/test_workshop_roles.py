"""Participant roles are data: each workshop has its own roles (id, plain name, role group), `join` checks
against them, and a record made before roles were data migrates with its whole history."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dpup_eval.workshop import DEFAULT_ROLES, ROLE_GROUPS, ROLES, Role, WorkshopError, WorkshopStore

V1_SCHEMA = Path(__file__).parent / "fixtures" / "workshop_record_schema_v1.sql"
HELD_ON = date(2026, 11, 20)
ROOM = (
    {"id": "whanau", "name": "Whānau member", "group": "family"},
    {"id": "kaumatua", "name": "Kaumātua", "group": "other"},
    Role("youth_worker", "Youth worker", "provider"),
    {"id": "funder", "name": "Funder", "group": "agency"},
)


def _create(store: WorkshopStore, **kwargs: Any) -> Any:
    return store.create_workshop("W", HELD_ON, "data", "contract.yaml", **kwargs)


def test_default_roles_are_todays_four(tmp_path: Path) -> None:
    with WorkshopStore(tmp_path / "w.sqlite") as store:
        w = _create(store)
    assert [r.id for r in w.roles] == ["family_member", "provider_staff", "agency_staff", "other"] == list(ROLES)
    assert [r.group for r in w.roles] == ["family", "provider", "agency", "other"]
    assert w.roles == DEFAULT_ROLES and ROLE_GROUPS == ("family", "provider", "agency", "other")


def test_a_workshop_with_its_own_roles(tmp_path: Path) -> None:
    with WorkshopStore(tmp_path / "w.sqlite") as store:
        w = _create(store, roles=ROOM)
        plain = _create(store)
        assert [(r.id, r.name, r.group) for r in w.roles] == [
            ("whanau", "Whānau member", "family"),
            ("kaumatua", "Kaumātua", "other"),
            ("youth_worker", "Youth worker", "provider"),
            ("funder", "Funder", "agency"),
        ]  # in the order given: the order of the join form
        assert store.workshop(w.id) == w and store.current_workshop() == plain
        assert w.role("kaumatua").name == "Kaumātua"
        joined = store.join(w.id, "Hemi", "kaumatua")
        assert joined.role == "kaumatua"
        with pytest.raises(WorkshopError, match=r"one of: whanau, kaumatua, youth_worker, funder \(got 'family_member'\)"):
            store.join(w.id, "Mere", "family_member")  # a default role is not one of this workshop's
        with pytest.raises(WorkshopError, match="got 'kaumatua'"):
            store.join(plain.id, "Hemi", "kaumatua")  # roles belong to their workshop
        assert [p.display_name for p in store.participants(w.id)] == ["Hemi"]
    with WorkshopStore(tmp_path / "w.sqlite") as again:  # kept in the file, not only in memory
        assert again.workshop(w.id) == w


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ((), "at least one"),
        ("family_member", "list of roles"),
        ([{"id": "a", "name": "A"}], "exactly an id, a name and a group"),
        ([{"id": "a", "name": "A", "group": "family", "extra": 1}], "exactly an id, a name and a group"),
        ([{"id": "Whānau", "name": "A", "group": "family"}], "lowercase letters"),
        ([{"id": "1st", "name": "A", "group": "family"}], "starting with a letter"),
        ([{"id": "a" * 41, "name": "A", "group": "family"}], "at most 40"),
        ([{"id": "a", "name": "  ", "group": "family"}], "cannot be empty"),
        ([{"id": "a", "name": "Two\nlines", "group": "family"}], "line breaks"),
        ([{"id": "a", "name": "A", "group": "parents"}], "family, provider, agency, other"),
        ([{"id": "a", "name": "A", "group": "family"}, Role("a", "B", "agency")], "repeated: a"),
        ([{"id": 3, "name": "A", "group": "family"}], "must be text"),
    ],
)
def test_bad_roles_are_refused_plainly(tmp_path: Path, roles: Any, message: str) -> None:
    with WorkshopStore(tmp_path / "w.sqlite") as store:
        with pytest.raises(WorkshopError, match=message):
            _create(store, roles=roles)
        assert store.current_workshop() is None  # nothing half-made


def test_the_database_itself_refuses_a_role_the_workshop_lacks(tmp_path: Path) -> None:
    """An archive or another program cannot slip in a participant with a role the workshop does not have."""
    path = tmp_path / "w.sqlite"
    with WorkshopStore(path) as store:
        w = _create(store, roles=ROOM[:1]).id
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        raw.execute(
            "INSERT INTO participants (workshop_id, display_name, role, joined_at) VALUES (?, 'X', 'boss', 't')",
            (w,),
        )
    raw.close()


def test_archive_round_trips_roles_and_refuses_a_foreign_role(tmp_path: Path) -> None:
    with WorkshopStore(tmp_path / "w.sqlite") as store:
        w = _create(store, roles=ROOM)
        store.join(w.id, "Hemi", "kaumatua")
        archive = store.to_json()
    assert archive["format_version"] == 4
    assert [r["role_id"] for r in archive["tables"]["workshop_roles"]] == [
        "whanau", "kaumatua", "youth_worker", "funder"
    ]  # fmt: skip
    with WorkshopStore.import_json(archive, tmp_path / "copy.sqlite") as copy:
        assert copy.workshop(w.id) == w and copy.to_json() == archive
    archive["tables"]["participants"][0]["role"] = "family_member"
    with pytest.raises(WorkshopError, match="not consistent"):
        WorkshopStore.import_json(archive, tmp_path / "other.sqlite")


def test_a_version_1_archive_imports_with_the_default_roles(tmp_path: Path) -> None:
    with WorkshopStore(tmp_path / "w.sqlite") as store:
        w = _create(store)
        store.join(w.id, "Mere", "family_member")
        archive = store.to_json()
    old = {"format": archive["format"], "format_version": 1, "tables": {
        name: rows for name, rows in archive["tables"].items() if not name.startswith("agreement_")}}  # (version 4)
    del old["tables"]["workshop_roles"]  # what an export by the first release looks like
    old["tables"]["workshops"] = [{k: v for k, v in w.items() if k != "current_measure"}
                                  for w in old["tables"]["workshops"]]  # (added in version 3)
    with WorkshopStore.import_json(old, tmp_path / "from-v1.sqlite") as copy:
        assert copy.to_json() == archive


# --- a record made before roles were data ------------------------------------------------------------


def _version_1_record(path: Path) -> None:
    """A workshop record exactly as schema version 1 made it, with history in every table."""
    raw = sqlite3.connect(path)
    raw.executescript(V1_SCHEMA.read_text("utf-8"))
    raw.execute("PRAGMA journal_mode = WAL")
    raw.executescript(
        """
        INSERT INTO schema_version VALUES (1, 1);
        INSERT INTO workshops VALUES (1, 'Best foot forward', '2026-11-20', 'Q3', 'bff.yaml', '2026-11-20T09:00:00+00:00', 14);
        INSERT INTO participants VALUES
            (1, 1, 'Mere', 'family_member', '2026-11-20T09:01:00+00:00'),
            (2, 1, 'Sam', 'provider_staff', '2026-11-20T09:02:00+00:00'),
            (3, 1, 'Ana', 'agency_staff', '2026-11-20T09:03:00+00:00'),
            (4, 1, 'Kim', 'other', '2026-11-20T09:04:00+00:00');
        INSERT INTO proposals VALUES
            (1, 1, 1, 'attendance', '3 of 5', '{"n":3}', 'Mahi.', '2026-11-20T09:05:00+00:00');
        INSERT INTO views VALUES
            (1, 1, 2, 'concern', 'Too low?', '2026-11-20T09:06:00+00:00'),
            (2, 1, 2, 'support', 'Fine', '2026-11-20T09:07:00+00:00'),
            (3, 1, 3, 'not_sure', '', '2026-11-20T09:08:00+00:00');
        INSERT INTO decisions VALUES
            (1, 1, 'attendance', '', 3, '2026-11-20T09:09:00+00:00', NULL),
            (2, 1, 'attendance', 'Ana: 4', 2, '2026-11-20T09:10:00+00:00', 1);
        INSERT INTO decision_proposals VALUES (1, 1), (2, 1);
        INSERT INTO decision_participants VALUES (1, 1, 0), (1, 2, 0), (2, 1, 0), (2, 2, 0), (2, 3, 1);
        INSERT INTO interpretations VALUES
            (1, 1, 1, '{"definition_id":"p1","group":{},"indicator_id":"attendance","period":"2026-Q3"}',
             'Winter.', '2026-11-20T09:11:00+00:00');
        INSERT INTO report_choices VALUES
            (1, 1, 1, 'decision', '2', 1, '2026-11-20T09:12:00+00:00'),
            (2, 1, 3, 'decision', '2', 0, '2026-11-20T09:13:00+00:00');
        """
    )
    raw.commit()
    raw.close()


def test_a_version_1_record_migrates_with_its_history(tmp_path: Path) -> None:
    path = tmp_path / "workshop.sqlite"
    _version_1_record(path)
    with WorkshopStore(path) as store:
        w = store.current_workshop()
        assert w is not None and (w.id, w.name, w.roles) == (1, "Best foot forward", DEFAULT_ROLES)
        assert store.revision(1) == 14
        assert [(p.id, p.display_name, p.role) for p in store.participants(1)] == [
            (1, "Mere", "family_member"), (2, "Sam", "provider_staff"), (3, "Ana", "agency_staff"), (4, "Kim", "other"),
        ]  # fmt: skip
        assert [v.view for v in store.view_history(1)] == ["concern", "support", "not_sure"]
        assert [(d.id, d.supersedes, d.present, d.dissenters) for d in store.decisions(1, include_superseded=True)] == [
            (1, None, (1, 2), ()), (2, 1, (1, 2, 3), (3,)),
        ]  # fmt: skip
        assert [d.id for d in store.decisions(1)] == [2]
        assert store.report_choices(1) == {("decision", "2"): False}
        assert store.interpretations(1)[0].text == "Winter."
        tables = {t: len(rows) for t, rows in store.to_json()["tables"].items()}
        assert tables == {
            "workshops": 1, "workshop_roles": 4, "participants": 4, "proposals": 1, "views": 3, "decisions": 2,
            "decision_proposals": 2, "decision_participants": 5, "interpretations": 1, "report_choices": 2,
            "agreement_versions": 0, "agreement_views": 0, "agreement_proposals": 0, "agreement_responses": 0,
            "agreement_signoffs": 0,
        }  # fmt: skip
        # The old fixed CHECK is gone: a new workshop in the same file can have its own roles ...
        own = _create(store, roles=ROOM)
        assert store.join(own.id, "Hemi", "kaumatua").role == "kaumatua"
        # ... and the migrated workshop still accepts exactly its four roles.
        with pytest.raises(WorkshopError, match="got 'kaumatua'"):
            store.join(1, "Hemi", "kaumatua")
        assert store.join(1, "Tui", "family_member").workshop_id == 1
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    assert "CHECK (role IN" not in raw.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'participants'"
    ).fetchone()[0]
    raw.close()
    with WorkshopStore(path) as reopened:  # migrating is done once; reopening changes nothing
        assert len(reopened.participants(1)) == 5


def _schema(path: Path) -> dict[str, dict[str, object]]:
    """Every table's columns, keys, foreign keys, unique constraints, indexes and checks, as SQLite reports them."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{path}")
    inspector = sa.inspect(engine)
    described: dict[str, dict[str, object]] = {}
    for name in inspector.get_table_names():
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        described[name] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"] and c["name"] not in pk) for c in inspector.get_columns(name)],
            "pk": pk,
            "fks": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in inspector.get_foreign_keys(name)
            ),
            "uniques": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)),
            "indexes": sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(name)),
            "checks": sorted(" ".join(c["sqltext"].split()) for c in inspector.get_check_constraints(name)),
        }
    engine.dispose()
    return described


def test_a_migrated_record_has_the_same_schema_as_a_new_one(tmp_path: Path) -> None:
    """Migrating is not an approximation: the old file ends with exactly the tables a new record gets."""
    _version_1_record(tmp_path / "old.sqlite")
    WorkshopStore(tmp_path / "old.sqlite").close()
    WorkshopStore(tmp_path / "new.sqlite").close()
    migrated, fresh = _schema(tmp_path / "old.sqlite"), _schema(tmp_path / "new.sqlite")
    assert migrated == fresh
    participants = fresh["participants"]
    assert (("workshop_id", "role"), "workshop_roles", ("workshop_id", "role_id")) in participants["fks"]  # type: ignore[operator]
    assert not any("role IN" in c for c in participants["checks"])  # type: ignore[attr-defined]
