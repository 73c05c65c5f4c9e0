"""MergeContent: bin packing by count, size, age and correlation; defragment; concatenation, TAR and ZIP."""

from __future__ import annotations

import io
import tarfile
import time
import zipfile

from nifi_like.testing import TestRunner
from processors.transform.merge_content import MergeContent
from processors.transform.split_text import SplitText


def test_a_bin_that_reaches_the_maximum_entries_is_merged_at_once() -> None:
    with TestRunner(MergeContent, properties={"Maximum Number of Entries": "3"}) as runner:
        inputs = [runner.enqueue(text, attributes={"mime.type": "text/plain", "k": "v"}) for text in ("a", "b", "c")]
        runner.enqueue(b"d")
        runner.run()
        [merged] = runner.get_flowfiles_for_relationship("merged")
        merged.assert_content_equals(b"abc")
        for key, value in {"merge.count": "3", "merge.reason": "MAX_ENTRIES_THRESHOLD_REACHED",
                           "mime.type": "text/plain", "k": "v"}.items():
            merged.assert_attribute_equals(key, value)
        assert int(merged.attributes["merge.bin.age"]) >= 0
        originals = runner.get_flowfiles_for_relationship("original")
        assert sorted(o.id for o in originals) == sorted(i.id for i in inputs)
        assert all(o.attributes["merge.uuid"] == merged.id for o in originals)
        assert runner.queue_size == 1  # 'd' waits in the queue for its bin to fill
        assert "JOIN" in {event["event_type"] for event in runner.provenance_events}


def test_a_bin_meeting_only_the_minimums_merges_when_no_new_flowfiles_arrive() -> None:
    with TestRunner(MergeContent, properties={"Minimum Number of Entries": "2"}) as runner:
        for text in ("x", "y", "z"):
            runner.enqueue(text)
        runner.run(stop_on_finish=False)
        runner.assert_transferred("merged", 0)
        assert runner.queue_size == 3 and runner.is_yielded
        runner.run(initialize=False)
        [merged] = runner.get_flowfiles_for_relationship("merged")
        merged.assert_content_equals(b"xyz")
        merged.assert_attribute_equals("merge.reason", "MIN_THRESHOLDS_REACHED")
        merged.assert_attribute_equals("mime.type", "application/octet-stream")
        runner.assert_queue_empty()


def test_a_bin_below_the_minimums_waits_until_max_bin_age() -> None:
    properties = {"Minimum Number of Entries": "10", "Max Bin Age": "1 sec"}
    with TestRunner(MergeContent, properties=properties) as runner:
        runner.enqueue(b"1")
        runner.enqueue(b"2")
        runner.run(iterations=2, stop_on_finish=False)
        runner.assert_transferred("merged", 0)
        time.sleep(1.05)
        runner.run(initialize=False)
        [merged] = runner.get_flowfiles_for_relationship("merged")
        merged.assert_content_equals(b"12")
        merged.assert_attribute_equals("merge.reason", "TIMEOUT")
        assert int(merged.attributes["merge.bin.age"]) >= 1000


def test_correlated_flowfiles_are_binned_together() -> None:
    properties = {"Correlation Attribute Name": "group", "Maximum Number of Entries": "2"}
    with TestRunner(MergeContent, properties=properties) as runner:
        for text, group in (("a1", "a"), ("b1", "b"), ("a2", "a"), ("b2", "b")):
            runner.enqueue(text, attributes={"group": group})
        runner.run()
        merged = runner.get_flowfiles_for_relationship("merged")
        assert sorted(m.content for m in merged) == [b"a1a2", b"b1b2"]
        assert {m.attributes["group"] for m in merged} == {"a", "b"}


def test_maximum_group_size_limits_the_bytes_of_a_bin() -> None:
    properties = {"Maximum Group Size": "4 B", "Maximum Number of Entries": "100"}
    with TestRunner(MergeContent, properties=properties) as runner:
        for text in ("aa", "bb", "cc", "dddddd"):
            runner.enqueue(text)
        runner.run(iterations=2)
        merged = runner.get_flowfiles_for_relationship("merged")
        assert sorted(m.content for m in merged) == [b"aabb", b"cc", b"dddddd"]
        reasons = {m.content: m.attributes["merge.reason"] for m in merged}
        assert reasons[b"aabb"] == reasons[b"dddddd"] == "MAX_BYTES_THRESHOLD_REACHED"


def test_the_oldest_bin_is_merged_when_the_maximum_number_of_bins_is_reached() -> None:
    properties = {"Correlation Attribute Name": "g", "Maximum number of Bins": "2", "Minimum Number of Entries": "5"}
    with TestRunner(MergeContent, properties=properties) as runner:
        for group in ("a", "b", "c"):
            runner.enqueue(group, attributes={"g": group})
        runner.run()
        [merged] = runner.get_flowfiles_for_relationship("merged")
        merged.assert_content_equals(b"a")
        merged.assert_attribute_equals("merge.reason", "BIN_MANAGER_FULL")
        assert runner.queue_size == 2


def test_text_header_footer_and_demarcator(expression_language: None) -> None:
    properties = {"Maximum Number of Entries": "3", "Delimiter Strategy": "Text", "Header File": "[${kind}:",
                  "Demarcator File": ",", "Footer File": "]"}
    with TestRunner(MergeContent, properties=properties) as runner:
        for text in ("1", "2", "3"):
            runner.enqueue(text, attributes={"kind": "n"})
        runner.run()
        runner.get_flowfiles_for_relationship("merged")[0].assert_content_equals(b"[n:1,2,3]")


def test_delimiters_from_files_and_a_missing_file_sends_the_bin_to_failure(tmp_path: object) -> None:
    from pathlib import Path
    header = Path(str(tmp_path)) / "header.txt"
    header.write_bytes(b"HEAD\n")
    properties = {"Maximum Number of Entries": "2", "Delimiter Strategy": "Filename", "Header File": str(header)}
    with TestRunner(MergeContent, properties=properties) as runner:
        runner.enqueue(b"a")
        runner.enqueue(b"b")
        runner.run()
        runner.get_flowfiles_for_relationship("merged")[0].assert_content_equals(b"HEAD\nab")
    properties["Header File"] = str(header) + ".missing"
    with TestRunner(MergeContent, properties=properties) as runner:
        runner.enqueue(b"a")
        runner.enqueue(b"b")
        runner.run()
        runner.assert_all_transferred("failure", count=2)
        assert any("Failed to merge 2 FlowFiles" in b.message for b in runner.bulletins)


def test_attribute_strategies() -> None:
    for strategy, expected in (("Keep Only Common Attributes", {"same": "1"}),
                               ("Keep All Unique Attributes", {"same": "1", "only_a": "x"})):
        properties = {"Maximum Number of Entries": "2", "Attribute Strategy": strategy}
        with TestRunner(MergeContent, properties=properties) as runner:
            runner.enqueue(b"a", attributes={"same": "1", "differs": "a", "only_a": "x"})
            runner.enqueue(b"b", attributes={"same": "1", "differs": "b"})
            runner.run()
            [merged] = runner.get_flowfiles_for_relationship("merged")
            kept = {k: v for k, v in merged.attributes.items() if k in ("same", "differs", "only_a")}
            assert kept == expected, strategy


def test_defragment_reassembles_what_split_text_split() -> None:
    content = b"".join(b"line %d\n" % i for i in range(10))
    with TestRunner(SplitText, properties={"Line Split Count": "3", "Remove Trailing Newlines": "false"}) as split:
        split.enqueue(content, attributes={"filename": "whole.txt"})
        split.run()
        fragments = split.get_flowfiles_for_relationship("splits")
    with TestRunner(MergeContent, properties={"Merge Strategy": "Defragment"}) as runner:
        for fragment in reversed(fragments):
            runner.enqueue(fragment.content, attributes=dict(fragment.attributes))
        runner.run()
        [merged] = runner.get_flowfiles_for_relationship("merged")
        merged.assert_content_equals(content)
        merged.assert_attribute_equals("filename", "whole.txt")
        merged.assert_attribute_equals("merge.count", "4")
        runner.assert_transferred("original", 4)


def test_defragment_failures() -> None:
    with TestRunner(MergeContent, properties={"Merge Strategy": "Defragment", "Max Bin Age": "1 sec"}) as runner:
        runner.enqueue(b"no id")
        runner.enqueue(b"1", attributes={"fragment.identifier": "f", "fragment.index": "0", "fragment.count": "2"})
        runner.enqueue(b"2", attributes={"fragment.identifier": "g", "fragment.index": "x", "fragment.count": "1"})
        runner.run(stop_on_finish=False)
        failed = runner.get_flowfiles_for_relationship("failure")
        assert sorted(f.content for f in failed) == [b"2", b"no id"]
        messages = " ".join(b.message for b in runner.bulletins)
        assert "has no fragment.identifier" in messages and "integer value for the fragment.index" in messages
        assert runner.queue_size == 1
        time.sleep(1.05)
        runner.run(initialize=False)
        runner.assert_transferred("failure", 3)
        assert any("expected number of fragments is 2 but found only 1" in b.message for b in runner.bulletins)


def test_tar_and_zip_formats() -> None:
    with TestRunner(MergeContent, properties={"Maximum Number of Entries": "2", "Merge Format": "TAR",
                                              "Keep Path": "true"}) as runner:
        runner.enqueue(b"one", attributes={"filename": "1.txt", "path": "dir/", "tar.permissions": "600"})
        runner.enqueue(b"two", attributes={"filename": "2.txt", "path": "./"})
        runner.run()
        [merged] = runner.get_flowfiles_for_relationship("merged")
        merged.assert_attribute_equals("mime.type", "application/tar")
        assert merged.attributes["filename"].endswith(".tar")
        with tarfile.open(fileobj=io.BytesIO(merged.content)) as archive:
            assert archive.getnames() == ["dir/1.txt", "2.txt"]
            assert archive.getmember("dir/1.txt").mode == 0o600
            extracted = archive.extractfile("2.txt")
            assert extracted is not None and extracted.read() == b"two"
    with TestRunner(MergeContent, properties={"Maximum Number of Entries": "2", "Merge Format": "ZIP"}) as runner:
        runner.enqueue(b"one", attributes={"filename": "1.txt"})
        runner.enqueue(b"two" * 1000, attributes={"filename": "2.txt"})
        runner.run()
        [merged] = runner.get_flowfiles_for_relationship("merged")
        merged.assert_attribute_equals("mime.type", "application/zip")
        with zipfile.ZipFile(io.BytesIO(merged.content)) as archive:
            assert archive.read("1.txt") == b"one" and archive.read("2.txt") == b"two" * 1000


def test_inconsistent_limits_are_invalid() -> None:
    with TestRunner(MergeContent, properties={"Minimum Number of Entries": "5",
                                              "Maximum Number of Entries": "2"}) as runner:
        [error] = runner.assert_not_valid()
        assert "'Minimum Number of Entries' (5) must not be larger than 'Maximum Number of Entries' (2)" in error
    with TestRunner(MergeContent, properties={"Minimum Group Size": "2 MB", "Maximum Group Size": "1 MB"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Minimum Group Size" in error
    with TestRunner(MergeContent, properties={"Merge Format": "Avro"}) as runner:
        [error] = runner.assert_not_valid()
        assert "'Avro' is not one of the allowed values" in error
