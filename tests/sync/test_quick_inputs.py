"""What the quick no-op's recorder counts as an input: files read by this thread, as read."""

from __future__ import annotations

import os
import threading

from pc_calendar.sync.inputs import ABSENT, Reads, code_identity, file_digest, reading


def test_files_read_are_recorded_with_their_bytes_as_read(tmp_path):
    plan, school, written = tmp_path / "plan.toml", tmp_path / "school.ics", tmp_path / "out.ics"
    plan.write_text("a")
    school.write_bytes(b"b")
    reads = Reads()
    with reading(reads):
        plan.read_text()
        with open(school, "rb"):
            pass
        written.write_text("ours")  # written, not read: an output
        os.close(os.open(tmp_path / "new.lock", os.O_RDWR | os.O_CREAT))
        (tmp_path / "module.py").write_text("x = 1")
        (tmp_path / "module.py").read_text()  # code: kept by code_identity, not here
    assert reads.files == {str(plan): file_digest(str(plan)), str(school): file_digest(str(school))}
    assert reads.unchanged()
    school.write_bytes(b"changed")
    assert not reads.unchanged()


def test_only_the_recording_thread_and_only_inside_the_block(tmp_path):
    other, later = tmp_path / "other.txt", tmp_path / "later.txt"
    other.write_text("x")
    later.write_text("y")
    reads = Reads()
    with reading(reads):
        thread = threading.Thread(target=other.read_text)
        thread.start()
        thread.join()
    later.read_text()
    assert reads.files == {}


def test_absent_files_and_code_identity(tmp_path):
    assert file_digest(str(tmp_path / "missing")) == ABSENT
    module = tmp_path / "mod.py"
    module.write_text("x = 1")
    before = code_identity([str(module)])
    st = module.stat()
    os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert code_identity([str(module)]) != before
