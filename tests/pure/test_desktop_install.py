"""`vsm desktop install|uninstall`: the menu entry, the .vsm file type and the icons under
$XDG_DATA_HOME for a pip user on Linux, the desktop's caches refreshed where the programs exist,
and uninstall taking away exactly what install wrote. The entry and the file type are those of
packaging/linux/, and the file type's magic matches a real .vsm file."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import vsm.cli.desktop as desktop
from vsm.cli.main import main
from vsm.files.bundled import ICON_SIZES, icon_path
from vsm.files.formats import save_project_any
from vsm.model import Project, ValueStreamMap

ROOT = Path(__file__).resolve().parents[2]
MIME = "{http://www.freedesktop.org/standards/shared-mime-info}"
PROGRAMS = ("update-mime-database", "update-desktop-database", "xdg-mime")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A Linux user's data folder in tmp_path, and a PATH where none of the programs is."""
    data = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(desktop.sys, "platform", "linux")
    return data


def run(capsys, *args: str) -> tuple[int, list[str], str]:
    status = main(["desktop", *args])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def expected_files(data: Path) -> set[Path]:
    icons = data / "icons" / "hicolor"
    return ({data / "applications" / "vsm-studio.desktop",
             data / "mime" / "packages" / "vsm-studio.xml",
             icons / "scalable" / "apps" / "vsm-studio.svg"}
            | {icons / f"{size}x{size}" / "apps" / "vsm-studio.png" for size in ICON_SIZES})


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def entry_values(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


# ---------------------------------------------------------------- install


def test_install_writes_the_entry_the_file_type_and_the_icons(home, capsys):
    status, lines, err = run(capsys, "install")
    assert status == 0 and err == ""
    assert files_under(home) == expected_files(home)
    assert [line for line in lines if line.startswith("Wrote ")] == \
        [f"Wrote {path}" for path in desktop.installed_files(home)]  # one line per file
    for program in PROGRAMS:  # none on PATH: said, not failed
        assert sum(line.startswith(f"Skipped {program}: not installed") for line in lines) == 1
    for size in ICON_SIZES:
        written = home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "vsm-studio.png"
        assert written.read_bytes() == icon_path(size).read_bytes()
        assert written.read_bytes()[16:24] == size.to_bytes(4, "big") * 2  # PNG width, height
    svg = home / "icons" / "hicolor" / "scalable" / "apps" / "vsm-studio.svg"
    assert svg.read_bytes() == icon_path().read_bytes()


def test_the_entry_starts_the_installed_editor_by_its_absolute_path(home, capsys, tmp_path,
                                                                      monkeypatch):
    scripts = tmp_path / "venv" / "bin"
    scripts.mkdir(parents=True)
    editor = scripts / "vsm-editor"
    editor.write_text("#!/bin/sh\n")
    editor.chmod(0o755)
    monkeypatch.setattr(desktop.sys, "executable", str(scripts / "python"))
    assert run(capsys, "install")[0] == 0
    values = entry_values(home / "applications" / "vsm-studio.desktop")
    assert values["Exec"] == f"{editor} %f" and Path(values["Exec"].split()[0]).is_absolute()
    assert values["Name"] == "VSM Studio" and values["Icon"] == "vsm-studio"
    assert values["MimeType"] == "application/x-vsm-studio;"
    assert values["Categories"] == "Office;ProjectManagement;"


def test_without_the_script_the_entry_runs_this_python_on_the_editor_module(home, capsys,
                                                                             tmp_path, monkeypatch):
    python = tmp_path / "my tools" / "bin" / "python3"  # a space: the argument is quoted
    monkeypatch.setattr(desktop.sys, "executable", str(python))
    assert run(capsys, "install")[0] == 0
    values = entry_values(home / "applications" / "vsm-studio.desktop")
    assert values["Exec"] == f'"{python}" -m ui.app %f'


@pytest.mark.parametrize(("argument", "written"), [
    ("/opt/vsm/bin/vsm-editor", "/opt/vsm/bin/vsm-editor"),
    ("/home/ann/my env/vsm-editor", '"/home/ann/my env/vsm-editor"'),
    ('/odd"name$/x', '"/odd\\\\"name\\\\$/x"'),  # \" and \$ inside quotes, backslashes doubled
    ("/100%/x", "/100%%/x"),
])
def test_exec_arguments_are_quoted_as_the_specification_asks(argument, written):
    assert desktop.exec_argument(argument) == written


def test_the_mime_type_globs_vsm_and_knows_a_vsm_file_by_its_content(home, capsys, tmp_path):
    assert run(capsys, "install")[0] == 0
    root = ElementTree.parse(home / "mime" / "packages" / "vsm-studio.xml").getroot()
    kind = root.find(f"{MIME}mime-type")
    assert kind.get("type") == "application/x-vsm-studio"
    assert [glob.get("pattern") for glob in kind.iter(f"{MIME}glob")] == ["*.vsm"]
    outer = kind.find(f"{MIME}magic/{MIME}match")
    inner = outer.find(f"{MIME}match")
    made = tmp_path / "made.vsm"
    save_project_any(Project("Magic", [ValueStreamMap("Current state")]), made)
    header = made.read_bytes()[:100]
    assert (outer.get("type"), outer.get("offset")) == ("string", "0")
    assert header.startswith(outer.get("value").replace("\\000", "\0").encode())
    assert (inner.get("type"), inner.get("offset")) == ("big32", "68")
    assert int(inner.get("value"), 16) == int.from_bytes(header[68:72], "big")


def test_an_entry_marked_read_only_is_refused_and_nothing_is_written(home, capsys):
    entry = home / "applications" / "vsm-studio.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text("[Desktop Entry]\nName=Mine\n")
    entry.chmod(0o444)
    status, lines, err = run(capsys, "install")
    assert status == 2 and "read-only" in err and lines == []
    assert files_under(home) == {entry}  # all or nothing: the one writer


# ---------------------------------------------------------------- the desktop's programs


@pytest.mark.skipif(os.name != "posix", reason="the stand-in programs are shell scripts")
def test_the_caches_are_refreshed_and_the_default_set_where_the_programs_exist(home, capsys,
                                                                             tmp_path, monkeypatch):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "ran.log"
    for program in PROGRAMS:
        script = bin_ / program
        failing = "exit 3" if program == "update-desktop-database" else "exit 0"
        script.write_text(f'#!/bin/sh\necho "{program} $*" >> "{log}"\n'
                          f'echo "no cache here" >&2\n{failing}\n')
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_))
    status, lines, _ = run(capsys, "install")
    assert status == 0  # the files are in place: a failing cache refresh is said, not fatal
    assert log.read_text().splitlines() == [
        f"update-mime-database {home / 'mime'}",
        f"update-desktop-database {home / 'applications'}",
        "xdg-mime default vsm-studio.desktop application/x-vsm-studio"]
    assert f"Ran update-mime-database {home / 'mime'}: updated the MIME database" in lines
    assert "update-desktop-database failed (exit 3): no cache here" in lines
    assert any(line.startswith("Ran xdg-mime default vsm-studio.desktop") for line in lines)


# ---------------------------------------------------------------- uninstall


def test_uninstall_leaves_nothing(home, capsys):
    assert run(capsys, "install")[0] == 0
    status, lines, _ = run(capsys, "uninstall")
    assert status == 0
    assert sorted(line for line in lines if line.startswith("Removed ")) == \
        sorted(f"Removed {path}" for path in expected_files(home))
    assert not home.exists() or list(home.rglob("*")) == []


def test_uninstall_removes_exactly_what_install_wrote(home, capsys):
    theirs = home / "applications" / "another-app.desktop"
    their_icon = home / "icons" / "hicolor" / "48x48" / "apps" / "another-app.png"
    for path in (theirs, their_icon):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not ours")
    assert run(capsys, "install")[0] == 0
    assert run(capsys, "uninstall")[0] == 0
    assert files_under(home) == {theirs, their_icon}


def test_uninstall_with_nothing_installed_says_so(home, capsys):
    status, lines, _ = run(capsys, "uninstall")
    assert status == 0 and lines == [f"Nothing to remove: VSM Studio is not registered under {home}"]


# ---------------------------------------------------------------- elsewhere


@pytest.mark.parametrize("system", ["win32", "darwin"])
def test_on_windows_and_macos_it_says_the_installers_do_it(home, capsys, monkeypatch, system):
    monkeypatch.setattr(desktop.sys, "platform", system)
    status, lines, err = run(capsys, "install")
    assert status == 2 and lines == []
    assert err.count("\n") == 1 and "installer registers the .vsm file type" in err
    assert not home.exists()


def test_the_data_folder_follows_xdg_and_ignores_a_relative_one(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert desktop.data_home() == tmp_path / "data"
    for unusable in ("", "relative/share"):
        monkeypatch.setenv("XDG_DATA_HOME", unusable)
        assert desktop.data_home() == Path.home() / ".local" / "share"


def test_packaging_linux_holds_the_same_entry_and_file_type():
    linux = ROOT / "packaging" / "linux"
    assert (linux / "vsm-studio.desktop").read_text(encoding="utf-8") == \
        desktop.desktop_entry("vsm-editor")
    assert (linux / "vsm-studio-mime.xml").read_text(encoding="utf-8") == desktop.mime_package()


def test_every_icon_size_is_rendered():
    for size in ICON_SIZES:
        data = icon_path(size).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[16:24] == size.to_bytes(4, "big") * 2
    assert b"<svg" in icon_path().read_bytes()
    ico = (icon_path(16).parent / "vsm-studio.ico").read_bytes()
    assert ico[:4] == b"\0\0\1\0" and int.from_bytes(ico[4:6], "little") == len(ICON_SIZES)
    with pytest.raises(ValueError, match="no 20 px icon"):
        icon_path(20)
