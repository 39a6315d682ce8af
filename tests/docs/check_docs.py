#!/usr/bin/python3
"""Keeps the docs honest about the code: every snippet cited from a file must still be in that file.

Rules, for each Markdown file given (paths relative to --root, the repository):

- `<!-- cite: PATH NAME -->` names a file and a function, class or struct defined in it (NAME may be
  qualified, e.g. server::run; it may be left out to cite the whole file). The file must exist and define
  NAME (a body, not only a declaration).
- When the next non-blank line after such a marker opens a fenced code block, every line of that block
  must appear in NAME's definition (or the file), in the same order, compared without leading and trailing
  whitespace. Blank lines and a line `// ...` (an elision) are skipped.
- Every ```cpp block must be preceded by a cite marker: no snippet may be invented.
- Every ```yaml block must parse (with PyYAML), so a copied manifest sketch at least loads.
- With --operators-in DOC.md FOLDERS: every line of C++ under FOLDERS that starts an awaitable operator
  expression (`co_await (a || b)`, `co_await (a && b)`) must appear in a snippet of DOC.md citing its file.
- Every repository path written in backticks (`lib/src/server.cpp`, `docs/`) and every relative link
  target must exist, and a link's #anchor must name a heading of the Markdown file it points to.
  `<!-- pending: PATH -->` allows one named path to be missing (a file another branch
  adds); it is checked normally once it exists.

Run: /usr/bin/python3 check_docs.py --root REPO [--no-backticks README.md] FILE.md ...
Exit status 1 and one line per problem.
"""

import argparse
import os
import re
import sys

CITE = re.compile(r"<!--\s*cite:\s*(\S+)(?:\s+(\S+))?\s*-->")
PENDING = re.compile(r"<!--\s*pending:\s*(\S+)\s*-->")
FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
BACKTICKED = re.compile(r"`([^`\s]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
ELISION = "// ..."

# Backticked words that are repository paths: under one of these folders, or one of these files.
REPO_DIRS = ("lib/", "app/", "tests/", "docs/", "examples/", "scripts/", "docker/", "cmake/", ".ci/", "bench/")
REPO_FILES = ("README.md", "CMakeLists.txt", "CMakePresets.json", "compose.yaml", ".dockerignore")


def line_number(text, offset):
    return text.count("\n", 0, offset) + 1


def matching_close(text, open_index, opener, closer):
    """Index of the bracket closing the one at open_index (comments and strings are not special: the code
    we cite keeps its brackets balanced within them), or -1."""
    depth = 0
    for i in range(open_index, len(text)):
        if text[i] == opener:
            depth += 1
        elif text[i] == closer:
            depth -= 1
            if depth == 0:
                return i
    return -1


# What may stand between a function's parameter list and its body.
AFTER_PARAMETERS = re.compile(r"^(\s|const\b|noexcept\b|override\b|final\b|mutable\b|->[^{;]*)*$")


def definition_span(source, name):
    """(first line, last line) of NAME's definition in `source`, 1-based, or None."""
    escaped = re.escape(name)
    for match in re.finditer(rf"\b(?:class|struct)\s+{escaped}\b[^;{{]*\{{", source):
        end = matching_close(source, match.end() - 1, "{", "}")
        if end >= 0:
            return line_number(source, match.start()), line_number(source, end)
    for match in re.finditer(rf"(?<![\w:.>]){escaped}\s*\(", source):
        close = matching_close(source, match.end() - 1, "(", ")")
        if close < 0:
            continue
        body = re.search(r"[{;]", source[close + 1:])
        if not body or body.group() != "{":
            continue
        between = source[close + 1:close + 1 + body.start()]
        if not AFTER_PARAMETERS.match(between):
            continue
        open_brace = close + 1 + body.start()
        end = matching_close(source, open_brace, "{", "}")
        if end >= 0:
            first = line_number(source, match.start())
            # A template's head belongs to the definition that follows it.
            source_lines = source.splitlines()
            while first > 1 and source_lines[first - 2].strip().startswith("template"):
                first -= 1
            return first, line_number(source, end)
    return None


def find_in_order(snippet, lines):
    """The first snippet line that is not found (in order) among `lines`, or None."""
    position = 0
    for wanted in snippet:
        while position < len(lines) and lines[position] != wanted:
            position += 1
        if position == len(lines):
            return wanted
        position += 1
    return None


def snippet_lines(block):
    stripped = (line.strip() for line in block)
    return [line for line in stripped if line and line != ELISION]


def check_citation(root, doc, number, path, name, block):
    """Problems with one citation (block is None for a citation without a snippet)."""
    where = f"{doc}:{number}"
    full = os.path.join(root, path)
    if not os.path.isfile(full):
        return [f"{where}: cited file {path} does not exist"]
    with open(full, encoding="utf-8") as f:
        source = f.read()
    lines = [line.strip() for line in source.splitlines()]
    scope = f"{path}"
    if name:
        span = definition_span(source, name)
        if span is None:
            return [f"{where}: {path} defines no {name}"]
        lines = lines[span[0] - 1:span[1]]
        scope = f"{name} in {path} (lines {span[0]}-{span[1]})"
    if block is None:
        return []
    wanted = snippet_lines(block)
    if not wanted:
        return [f"{where}: the snippet citing {scope} is empty"]
    missing = find_in_order(wanted, lines)
    if missing is not None:
        return [f"{where}: snippet line not found (in order) in {scope}: {missing}"]
    return []


def looks_like_repo_path(word):
    if any(c in word for c in "*{}<>$|") or "://" in word:
        return False
    word = word.split(":")[0] if re.search(r":\d+$", word) else word
    return word.startswith(REPO_DIRS) or word in REPO_FILES


def heading_anchors(text):
    """The anchors GitHub gives the Markdown headings in `text`: lower case, punctuation dropped, spaces
    to hyphens, repeats numbered."""
    anchors, seen = set(), {}
    in_fence = False
    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def check_anchor(root, doc, path, anchor):
    """A problem if `anchor` names no heading of the Markdown file `path`, else None."""
    if not anchor or not path.endswith(".md") or not os.path.isfile(os.path.join(root, path)):
        return None
    with open(os.path.join(root, path), encoding="utf-8") as f:
        if anchor in heading_anchors(f.read()):
            return None
    return f"no heading in {path} has the anchor #{anchor}"


def check_paths(root, doc, text, pending, backticks=True):
    problems = []
    doc_dir = os.path.dirname(doc)
    in_fence = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for word in BACKTICKED.findall(line) if backticks else ():
            if not looks_like_repo_path(word):
                continue
            path = re.sub(r":\d+$", "", word)
            if not os.path.exists(os.path.join(root, path)) and path not in pending:
                problems.append(f"{doc}:{number}: path {path} does not exist")
        for target in LINK.findall(line):
            if re.match(r"^[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            path = os.path.normpath(os.path.join(doc_dir, file_part)) if file_part else doc
            if not os.path.exists(os.path.join(root, path)) and path not in pending:
                problems.append(f"{doc}:{number}: link target {target} does not exist")
                continue
            bad_anchor = check_anchor(root, doc, path, anchor)
            if bad_anchor:
                problems.append(f"{doc}:{number}: link {target}: {bad_anchor}")
    return problems


def fenced_blocks(lines):
    """(language, first line number, lines) of every fenced code block."""
    blocks = []
    index = 0
    while index < len(lines):
        opener = FENCE.match(lines[index])
        if not opener:
            index += 1
            continue
        body = []
        index += 1
        while index < len(lines):
            closer = FENCE.match(lines[index])
            if closer and closer.group(1) == opener.group(1) and not closer.group(2):
                break
            body.append(lines[index])
            index += 1
        blocks.append((opener.group(2).lower(), index - len(body), body))
        index += 1
    return blocks


def check_yaml_blocks(doc, lines):
    """Problems: ```yaml blocks (Kubernetes sketches, compose snippets) that do not parse."""
    try:
        import yaml
    except ImportError:
        return [f"{doc}: needs PyYAML to check its yaml blocks (Debian: python3-yaml)"]
    problems = []
    for language, number, body in fenced_blocks(lines):
        if language not in ("yaml", "yml"):
            continue
        try:
            list(yaml.safe_load_all("\n".join(body)))
        except yaml.YAMLError as e:
            problems.append(f"{doc}:{number}: yaml block does not parse: {' '.join(str(e).split())}")
    return problems


def check_doc(root, doc, backticks=True):
    with open(os.path.join(root, doc), encoding="utf-8") as f:
        text = f.read()
    lines = text.splitlines()
    pending = set(PENDING.findall(text))
    problems = check_paths(root, doc, text, pending, backticks)
    if any(language in ("yaml", "yml") for language, _, _ in fenced_blocks(lines)):
        problems += check_yaml_blocks(doc, lines)
    cited_blocks = set()
    in_fence = None
    for number, line in enumerate(lines, 1):
        fence = FENCE.match(line)
        if in_fence is not None:
            if fence and fence.group(1) == in_fence[0] and not fence.group(2):
                in_fence = None
            continue
        if fence:
            in_fence = (fence.group(1), number)
            if fence.group(2).lower() in ("cpp", "c++") and number not in cited_blocks:
                problems.append(f"{doc}:{number}: a cpp snippet without a <!-- cite: PATH NAME --> marker")
            continue
        cite = CITE.search(line)
        if not cite:
            continue
        path, name = cite.group(1), cite.group(2)
        following = number
        while following < len(lines) and not lines[following].strip():
            following += 1
        block = None
        if following < len(lines):
            opener = FENCE.match(lines[following])
            if opener:
                cited_blocks.add(following + 1)
                block = []
                for inner in lines[following + 1:]:
                    closer = FENCE.match(inner)
                    if closer and closer.group(1) == opener.group(1) and not closer.group(2):
                        break
                    block.append(inner)
        problems += check_citation(root, doc, number, path, name, block)
    return problems


OPERATOR_LINE = re.compile(r"co_await \(.*(\|\||&&)")


def operator_lines(root, folders):
    """(path, line number, stripped line) of every awaitable operator expression (`co_await (a || b)`,
    `co_await (a && b)`) in the C++ sources under `folders`."""
    found = []
    for folder in folders:
        for directory, _, files in os.walk(os.path.join(root, folder)):
            for file in sorted(files):
                if not file.endswith((".cpp", ".hpp")):
                    continue
                full = os.path.join(directory, file)
                path = os.path.relpath(full, root)
                with open(full, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        if OPERATOR_LINE.search(line) and not line.lstrip().startswith("//"):
                            found.append((path, number, line.strip()))
    return found


def cited_snippet_lines(root, doc):
    """{path: set of stripped lines} of every snippet in `doc` that cites a file."""
    with open(os.path.join(root, doc), encoding="utf-8") as f:
        lines = f.read().splitlines()
    cited = {}
    for index, line in enumerate(lines):
        cite = CITE.search(line)
        if not cite:
            continue
        following = index + 1
        while following < len(lines) and not lines[following].strip():
            following += 1
        opener = FENCE.match(lines[following]) if following < len(lines) else None
        if not opener:
            continue
        for inner in lines[following + 1:]:
            closer = FENCE.match(inner)
            if closer and closer.group(1) == opener.group(1) and not closer.group(2):
                break
            cited.setdefault(cite.group(1), set()).add(inner.strip())
    return cited


def check_operator_coverage(root, doc, folders):
    """Problems: operator expressions in the code that no snippet of `doc` shows."""
    cited = cited_snippet_lines(root, doc)
    return [
        f"{doc}: no snippet shows {path}:{number}: {line}"
        for path, number, line in operator_lines(root, folders)
        if line not in cited.get(path, set())
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="the repository")
    parser.add_argument("--no-backticks", action="append", default=[], metavar="FILE.md",
                        help="check this file's citations and links but not its backticked paths (a README "
                        "that names files in an install prefix or ones to create)")
    parser.add_argument("--operators-in", nargs=2, metavar=("DOC.md", "FOLDERS"),
                        help="require a snippet in DOC.md for every `co_await (a || b)` and `co_await (a && b)` "
                        "in the C++ sources under FOLDERS (comma-separated)")
    parser.add_argument("docs", nargs="*", help="Markdown files, relative to --root")
    args = parser.parse_args(argv)
    problems = []
    every = [(doc, True) for doc in args.docs] + [(doc, False) for doc in args.no_backticks]
    for doc, backticks in every:
        if not os.path.isfile(os.path.join(args.root, doc)):
            problems.append(f"{doc}: no such file")
            continue
        problems += check_doc(args.root, doc, backticks)
    if args.operators_in:
        doc, folders = args.operators_in
        problems += check_operator_coverage(args.root, doc, folders.split(","))
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_docs.py: {len(problems)} problem(s); fix the doc or the citation", file=sys.stderr)
        return 1
    print(f"check_docs.py: {len(every)} file(s) agree with the code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
