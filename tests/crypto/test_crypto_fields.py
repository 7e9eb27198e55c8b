"""The SQLAlchemy descriptor: business code sees plain values, the database only envelopes."""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, String, Uuid, create_engine, event, select, text, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

import casework.crypto.fields as fields_module
from casework.crypto import (
    DecryptionError,
    EncryptedFieldError,
    KeyRing,
    KeyRingNotConfiguredError,
    Sealed,
    configure,
    current_ring,
    encrypted,
    encrypted_fields,
    key_id_of,
    reencrypt,
)
from casework.crypto.aead import _split, seal_row
from casework.crypto.fields import sealed_row
from casework.db import insert_rows


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "people"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(100))  # deliberately not encrypted

    first_name_ct: Mapped[bytes | None] = mapped_column("first_name", Sealed())
    last_name_ct: Mapped[bytes | None] = mapped_column("last_name", Sealed())
    dob_ct: Mapped[bytes | None] = mapped_column("date_of_birth", Sealed())
    details_ct: Mapped[bytes | None] = mapped_column("details", Sealed())
    consented_ct: Mapped[bytes | None] = mapped_column("consented", Sealed())
    children_ct: Mapped[bytes | None] = mapped_column("children", Sealed())

    first_name = encrypted("first_name_ct", kind="str")
    last_name = encrypted("last_name_ct", kind="str")
    date_of_birth = encrypted("dob_ct", kind="date")
    details = encrypted("details_ct", kind="json")
    consented = encrypted("consented_ct", kind="bool")
    children = encrypted("children_ct", kind="int")

    def __init__(self, **kwargs: Any) -> None:
        # The id must exist before any encrypted field is set: encryption is bound to it.
        self.id = kwargs.pop("id", None) or uuid.uuid4()
        super().__init__(**kwargs)


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyRing]:
    monkeypatch.setattr(fields_module, "_ring", None)
    ring = KeyRing.generate()
    configure(ring)
    yield ring


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _save(engine: Engine, *objs: Person) -> None:
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(objs)
        session.commit()


def _reload(engine: Engine, person_id: uuid.UUID) -> Person:
    with Session(engine, expire_on_commit=False) as session:
        found = session.get(Person, person_id)
        assert found is not None
        return found


@pytest.mark.parametrize(
    ("attr", "value"),
    [
        ("first_name", "Siobhán Ní Bhriain ✓"),
        ("first_name", ""),
        ("date_of_birth", date(1980, 2, 29)),
        ("details", {"risk": ["high", 3], "nested": {"ok": True, "n": None}, "é": 1.5}),
        ("details", [1, "two"]),
        ("details", "just a string"),
        ("consented", True),
        ("consented", False),
        ("children", 0),
        ("children", -12345678901234567890),
    ],
)
def test_every_kind_round_trips_through_the_database(
    ring: KeyRing, engine: Engine, attr: str, value: Any
) -> None:
    person = Person(**{attr: value})
    assert getattr(person, attr) == value
    _save(engine, person)
    loaded = _reload(engine, person.id)
    assert getattr(loaded, attr) == value
    assert type(getattr(loaded, attr)) is type(value)


def test_none_is_stored_as_null_and_values_as_envelopes(ring: KeyRing, engine: Engine) -> None:
    person = Person(first_name="Siobhan", last_name=None)
    _save(engine, person)
    with engine.connect() as conn:
        first, last = conn.execute(text("SELECT first_name, last_name FROM people")).one()
    assert last is None
    assert isinstance(first, bytes) and first[0] == 1 and b"Siobhan" not in first
    assert _reload(engine, person.id).last_name is None


def test_setting_none_clears_the_value(ring: KeyRing) -> None:
    person = Person(first_name="Siobhan")
    person.first_name = None
    assert person.first_name is None and person.first_name_ct is None


def test_json_reads_are_fresh_objects(ring: KeyRing) -> None:
    person = Person(details={"tags": ["a"]})
    person.details["tags"].append("lost")
    assert person.details == {"tags": ["a"]}


def test_swapping_ciphertexts_between_rows_fails(ring: KeyRing, engine: Engine) -> None:
    a, b = Person(first_name="Alice"), Person(first_name="Bob")
    _save(engine, a, b)
    with engine.begin() as conn:
        conn.execute(
            update(Person.__table__)
            .where(Person.__table__.c.id == b.id)
            .values(first_name=a.first_name_ct)
        )
    with pytest.raises(DecryptionError, match=r"people\.first_name"):
        _ = _reload(engine, b.id).first_name


def test_moving_a_ciphertext_to_another_column_fails(ring: KeyRing) -> None:
    person = Person(first_name="Alice")
    person.last_name_ct = person.first_name_ct
    with pytest.raises(DecryptionError, match=r"people\.last_name"):
        _ = person.last_name


def test_wrong_key_fails(ring: KeyRing) -> None:
    person = Person(first_name="Alice")
    configure(KeyRing.generate())  # same key id "k1", different secrets
    Person.first_name.forget(person)
    with pytest.raises(DecryptionError, match="authentication failed"):
        _ = person.first_name


def test_flipped_byte_in_the_database_fails(ring: KeyRing, engine: Engine) -> None:
    person = Person(first_name="Alice")
    _save(engine, person)
    tampered = bytearray(person.first_name_ct or b"")
    tampered[-5] ^= 0x80
    with engine.begin() as conn:
        conn.execute(update(Person.__table__).values(first_name=bytes(tampered)))
    with pytest.raises(DecryptionError):
        _ = _reload(engine, person.id).first_name


def test_errors_never_contain_the_plaintext(ring: KeyRing) -> None:
    canary = "Canary-Thistlewood-5521"
    person = Person(first_name=canary)
    person.last_name_ct = person.first_name_ct
    with pytest.raises(DecryptionError) as exc:
        _ = person.last_name
    assert canary not in "".join(traceback.format_exception(exc.value))
    with pytest.raises(TypeError) as wrong_type:
        person.children = canary
    assert canary not in str(wrong_type.value)


def test_reads_are_cached_until_the_ciphertext_changes(
    ring: KeyRing, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Person(first_name="Alice")
    calls: list[str] = []
    real_open = fields_module.open_

    def counting_open(*args: Any) -> bytes:
        calls.append(args[2])
        return real_open(*args)

    monkeypatch.setattr(fields_module, "open_", counting_open)
    for _ in range(5):
        assert person.first_name == "Alice"
    assert calls == []  # the value just written is already known

    other = Person(id=person.id, first_name="Bob")
    person.first_name_ct = other.first_name_ct
    assert person.first_name == "Bob"
    assert person.first_name == "Bob"
    assert calls == ["first_name"]


def test_assigning_the_same_value_keeps_the_envelope(ring: KeyRing) -> None:
    person = Person(first_name="Alice")
    before = person.first_name_ct
    person.first_name = "Alice"
    assert person.first_name_ct is before
    person.first_name = "Alicia"
    assert person.first_name_ct != before


def test_str_cannot_be_written_to_a_sealed_column(ring: KeyRing, engine: Engine) -> None:
    person = Person()
    person.first_name_ct = "Alice"  # type: ignore[assignment]
    with Session(engine) as session:
        session.add(person)
        with pytest.raises(StatementError, match="only encrypted envelopes"):
            session.flush()


def test_wrong_python_type_is_refused(ring: KeyRing) -> None:
    person = Person()
    for attr, value in [
        ("first_name", 5),
        ("date_of_birth", datetime(2000, 1, 1)),
        ("consented", 1),
        ("children", True),
        ("details", {"x": object()}),
        ("details", float("nan")),
    ]:
        with pytest.raises(TypeError):
            setattr(person, attr, value)


def test_missing_id_is_a_clear_error(ring: KeyRing) -> None:
    person = Person()
    person.id = None  # type: ignore[assignment]
    with pytest.raises(EncryptedFieldError, match="no id yet"):
        person.first_name = "Alice"


def test_unconfigured_ring_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fields_module, "_ring", None)
    with pytest.raises(KeyRingNotConfiguredError, match="configure"):
        current_ring()
    with pytest.raises(KeyRingNotConfiguredError):
        Person(first_name="Alice")


def test_class_access_returns_the_descriptor_and_refuses_sql_comparison() -> None:
    descriptor = Person.first_name
    assert isinstance(descriptor, encrypted)
    assert descriptor.location(Person) == ("people", "first_name")
    assert Person.date_of_birth.location(Person) == ("people", "date_of_birth")
    with pytest.raises(TypeError, match="blind index"):
        select(Person).where(Person.first_name == "Alice")


def test_encrypted_fields_lists_every_field() -> None:
    assert [name for name, _ in encrypted_fields(Person)] == [
        "first_name",
        "last_name",
        "date_of_birth",
        "details",
        "consented",
        "children",
    ]


def test_rotation_reencrypts_every_field_under_the_new_primary(
    ring: KeyRing, engine: Engine
) -> None:
    values = {
        "first_name": "Alice",
        "last_name": "O'Brien",
        "date_of_birth": date(1970, 1, 1),
        "details": {"a": [1, 2]},
        "consented": True,
        "children": 2,
    }
    person = Person(**values)
    _save(engine, person)

    new_ring = ring.with_new_primary()
    configure(new_ring)
    with Session(engine) as session:
        loaded = session.get(Person, person.id)
        assert loaded is not None
        assert reencrypt(loaded) is True
        assert reencrypt(loaded) is False
        for name, field in encrypted_fields(Person):
            assert getattr(loaded, name) == values[name]
            assert key_id_of(getattr(loaded, field.ct_attr)) == new_ring.primary
        session.commit()

    fresh = _reload(engine, person.id)
    for name, field in encrypted_fields(Person):
        Person.__dict__[name].forget(fresh)
        assert getattr(fresh, name) == values[name]
        assert key_id_of(getattr(fresh, field.ct_attr)) == "k2"


def test_canary_never_reaches_the_database_file(ring: KeyRing, tmp_path: Path) -> None:
    secret_canary = "Zebedee-Marchbanks-Quorn-7731"
    plain_canary = "PlainControl-Ferncastle-2208"
    db_path = tmp_path / "casework.sqlite"
    engine = create_engine(f"sqlite:///{db_path}")

    @event.listens_for(engine, "connect")
    def _wal(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA journal_mode=WAL")

    Base.metadata.create_all(engine)
    person = Person(
        first_name=secret_canary, details={"note": secret_canary}, reference=plain_canary
    )
    envelope = person.first_name_ct
    assert envelope is not None
    _save(engine, person)

    def stored_bytes() -> bytes:
        files = [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-journal")]
        return b"".join(p.read_bytes() for p in files if p.exists())

    while_open = stored_bytes()
    engine.dispose()
    after_close = stored_bytes()
    for data in (while_open, after_close):
        assert plain_canary.encode() in data  # control: the scan does see written values
        assert envelope in data
        assert secret_canary.encode() not in data
        assert secret_canary.encode("utf-16-le") not in data


def test_a_row_sealed_without_an_object_reads_back_as_if_assigned(
    ring: KeyRing, engine: Engine
) -> None:
    """Bulk imports seal rows as values (``sealed_row``) and insert them with Core."""
    plain = {
        "id": uuid.uuid4(),
        "reference": "R-1",
        "first_name": "Siobhán",
        "last_name": None,
        "date_of_birth": date(1980, 2, 29),
        "details": {"risk": ["high", 3]},
        "consented": False,
        "children": 2,
    }
    row = sealed_row(Person, plain)
    assert row["reference"] == "R-1" and row["last_name_ct"] is None
    assert b"Siobh" not in row["first_name_ct"]
    with Session(engine) as session:
        insert_rows(session, Person, [row])
        session.commit()
    loaded = _reload(engine, plain["id"])
    assert [getattr(loaded, k) for k in plain] == list(plain.values())


def test_a_row_sealed_for_one_id_does_not_open_under_another(ring: KeyRing, engine: Engine) -> None:
    row = sealed_row(Person, {"id": uuid.uuid4(), "first_name": "Alice"})
    moved = uuid.uuid4()
    with Session(engine) as session:
        insert_rows(session, Person, [{**row, "id": moved}])
        session.commit()
    with pytest.raises(DecryptionError, match=r"people\.first_name"):
        _ = _reload(engine, moved).first_name


def test_a_row_is_sealed_only_once_it_has_its_uuid(ring: KeyRing) -> None:
    with pytest.raises(EncryptedFieldError, match="uuid"):
        sealed_row(Person, {"id": "not-a-uuid", "first_name": "Alice"})


def test_cells_of_one_row_sealed_together_each_get_their_own_nonce(ring: KeyRing) -> None:
    cells = [("people", "first_name", b"same"), ("people", "first_name", b"same")]
    first, second = seal_row(ring, uuid.uuid4(), cells)
    assert _split(first)[1] != _split(second)[1]
