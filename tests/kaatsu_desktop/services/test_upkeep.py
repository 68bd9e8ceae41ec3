"""The start-up check and backup service: outcomes on the UI thread, once, replayable (issue 8)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kaatsu_desktop.services.upkeep import DatabaseUpkeep
from kaatsu_desktop.storage import DatabaseDamaged, create_patient, daily_backups, open_database
from kaatsu_desktop.storage.upkeep import BackupState
from tests.kaatsu_desktop.storage.helpers import FakeClock, damage_table, fields, fill_patients


def _on_ui_thread(outcomes: list[tuple[object, bool]]):
    main = threading.main_thread()
    return lambda outcome: outcomes.append((outcome, threading.current_thread() is main))


def test_check_then_backup_arrive_on_the_ui_thread(qtbot, tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "kaatsu.sqlite3"
    fill_patients(path, clock, n=40)
    with open_database(path, clock=clock, auto_backup=False, full_check=False) as db:
        upkeep = DatabaseUpkeep(db)
        checked: list[tuple[object, bool]] = []
        backed: list[tuple[object, bool]] = []
        upkeep.checked.connect(_on_ui_thread(checked))
        upkeep.backed_up.connect(_on_ui_thread(backed))
        assert not upkeep.started and upkeep.integrity is None
        with qtbot.waitSignal(upkeep.backed_up, timeout=20_000):
            upkeep.start()
            upkeep.start()  # once only
        assert [(c.ok, main) for c, main in checked] == [(True, True)]
        assert [(b.state, main) for b, main in backed] == [(BackupState.WRITTEN, True)]
        assert upkeep.integrity is checked[0][0] and upkeep.backup is backed[0][0]
        assert upkeep.damage is None
        assert len(daily_backups(db.backup_dir, "kaatsu")) == 1
        assert upkeep.close()


def test_a_damaged_file_says_what_to_do_and_takes_no_writes(
    qtbot, tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "kaatsu.sqlite3"
    fill_patients(path, clock)
    damage_table(path, "patients")
    with open_database(path, clock=clock, auto_backup=False, full_check=False) as db:
        upkeep = DatabaseUpkeep(db)
        backed: list[object] = []
        upkeep.backed_up.connect(backed.append)
        with qtbot.waitSignal(upkeep.damaged, timeout=20_000) as damaged:
            upkeep.start()
        message = damaged.args[0]
        assert "integrity check" in message and "restore" in message
        assert upkeep.damage == message and not upkeep.integrity.ok
        qtbot.waitUntil(lambda: bool(backed), timeout=5_000)
        assert backed[0].state is BackupState.SKIPPED
        with pytest.raises(DatabaseDamaged):
            create_patient(db, fields(clinic_id="KC-LATE"), by=None)
        upkeep.close()


def test_a_file_checked_at_open_is_not_checked_again(
    qtbot, tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "kaatsu.sqlite3"
    fill_patients(path, clock, n=5)
    with open_database(path, clock=clock, auto_backup=False) as db:
        assert db.fully_checked
        upkeep = DatabaseUpkeep(db, backup=False)
        checked: list[object] = []
        upkeep.checked.connect(checked.append)
        upkeep.start()  # told at once: the open's own check passed
        assert [c.seconds for c in checked] == [0.0] and checked[0].ok
        assert upkeep.wait(10)
        qtbot.wait(50)
        assert len(checked) == 1
        assert upkeep.close()


def test_history_names_the_summary_groups_without_loading_the_device_link() -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from kaatsu_desktop.services import history\n"
        "assert 'devices.link' not in sys.modules, 'the device link came with the history'\n"
        "from kaatsu_desktop.session.summary import GROUP_NAMES\n"
        "assert history.LIMB_GROUPS == GROUP_NAMES, (history.LIMB_GROUPS, GROUP_NAMES)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
