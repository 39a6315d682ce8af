#!/usr/bin/python3
"""check_docs.py must catch docs that drifted from the code: each case builds a small repository in a
temporary directory, with one kind of rot, and expects the matching complaint (and no complaint for the
faithful version).

Run: /usr/bin/python3 test_check_docs.py [unittest arguments]
"""

import contextlib
import shutil
import io
import os
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_docs  # noqa: E402

SOURCE = """\
// File: lib/a.hpp — a stand-in for real code.
void reader_helper(int);

template <class T>
net::awaitable<void> reader(T& t)
{
    auto first = 1;
    co_await (wait_a() || wait_b());
    finish(first);
}

void other()
{
    auto elsewhere = 2;
}

void declared_only(int);

struct holder
{
    int value = 0;
};
"""

GOOD_SNIPPET = """\
<!-- cite: lib/a.hpp reader -->
```cpp
template <class T>
net::awaitable<void> reader(T& t)
{
    // ...
    co_await (wait_a() || wait_b());
    finish(first);
}
```
"""


class CheckDocsTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="check-docs-")
        self.addCleanup(shutil.rmtree, self.root)
        self.write("lib/a.hpp", SOURCE)
        self.write("docs/other.md", "# other\n")

    def write(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    def check(self, doc_text, *extra):
        """check_docs.py's exit status and output for docs/guide.md holding `doc_text`."""
        self.write("docs/guide.md", textwrap.dedent(doc_text))
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            status = check_docs.main(["--root", self.root, *extra, "docs/guide.md"])
        return status, out.getvalue()

    def assert_passes(self, doc_text, *extra):
        status, out = self.check(doc_text, *extra)
        self.assertEqual(status, 0, out)

    def assert_fails(self, doc_text, expected, *extra):
        status, out = self.check(doc_text, *extra)
        self.assertEqual(status, 1, out)
        self.assertIn(expected, out)

    def test_a_faithful_snippet_passes(self):
        self.assert_passes(GOOD_SNIPPET + "\n`lib/a.hpp` and [the other page](other.md#other).\n")

    def test_an_edited_line_fails(self):
        self.assert_fails(GOOD_SNIPPET.replace("finish(first);", "finish(second);"),
                          "snippet line not found (in order) in reader in lib/a.hpp (lines 4-10): finish(second);")

    def test_reordered_lines_fail(self):
        swapped = GOOD_SNIPPET.replace("    co_await (wait_a() || wait_b());\n    finish(first);",
                                       "    finish(first);\n    co_await (wait_a() || wait_b());")
        self.assert_fails(swapped, "snippet line not found (in order)")

    def test_a_line_from_another_function_fails(self):
        self.assert_fails(GOOD_SNIPPET.replace("finish(first);", "auto elsewhere = 2;"),
                          "not found (in order) in reader in lib/a.hpp")

    def test_a_missing_file_fails(self):
        self.assert_fails(GOOD_SNIPPET.replace("lib/a.hpp reader", "lib/gone.hpp reader"),
                          "cited file lib/gone.hpp does not exist")

    def test_a_renamed_or_only_declared_function_fails(self):
        self.assert_fails(GOOD_SNIPPET.replace("lib/a.hpp reader", "lib/a.hpp reader_helper"),
                          "lib/a.hpp defines no reader_helper")
        self.assert_fails("<!-- cite: lib/a.hpp declared_only -->\nText.\n", "defines no declared_only")

    def test_a_struct_and_a_whole_file_can_be_cited(self):
        self.assert_passes("<!-- cite: lib/a.hpp holder -->\n```cpp\nint value = 0;\n```\n"
                           "<!-- cite: lib/a.hpp -->\n```cpp\nvoid declared_only(int);\n```\n")
        self.assert_fails("<!-- cite: lib/a.hpp holder -->\n```cpp\nauto first = 1;\n```\n",
                          "not found (in order) in holder")

    def test_an_uncited_cpp_block_fails(self):
        self.assert_fails("```cpp\nint invented = 0;\n```\n", "a cpp snippet without a <!-- cite")
        self.assert_passes("```sh\nnot C++, not checked\n```\n")

    def test_missing_paths_and_links_fail_unless_pending(self):
        self.assert_fails("See `lib/gone.cpp`.\n", "path lib/gone.cpp does not exist")
        self.assert_fails("See [it](gone.md).\n", "link target gone.md does not exist")
        self.assert_passes("<!-- pending: lib/gone.cpp -->\nSee `lib/gone.cpp` and `/usr/include/x.hpp`.\n")

    def test_a_link_to_a_missing_heading_fails(self):
        self.write("docs/other.md", "# Other page\n## 2. Strands: one `||` or many\n")
        self.assert_passes("[a](other.md#2-strands-one--or-many) [b](#mine) [c](other.md#other-page)\n\n# Mine\n")
        self.assert_fails("[a](other.md#strands)\n", "no heading in docs/other.md has the anchor #strands")
        self.assert_fails("[b](#gone)\n# Mine\n", "no heading in docs/guide.md has the anchor #gone")

    def test_readme_style_files_may_skip_backticked_paths(self):
        self.write("README.md", "Installs `lib/libwsecho.a`; see [the guide](docs/other.md).\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            status = check_docs.main(["--root", self.root, "--no-backticks", "README.md"])
        self.assertEqual(status, 0, out.getvalue())

    def test_every_awaitable_operator_needs_a_snippet(self):
        coverage = ("--operators-in", "docs/guide.md", "lib")
        self.assert_passes(GOOD_SNIPPET, *coverage)
        self.assert_fails("Nothing cited.\n", "no snippet shows lib/a.hpp:8: co_await (wait_a() || wait_b());",
                          *coverage)

    def test_a_yaml_block_must_parse(self):
        self.assert_passes("```yaml\na: 1\n---\nb: [2, 3]\n```\n")
        self.assert_fails("```yaml\na: [1, 2\n```\n", "yaml block does not parse")


if __name__ == "__main__":
    unittest.main(verbosity=2)
