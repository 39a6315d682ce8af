"""Reads a Dockerfile into stages of (keyword, arguments) instructions: enough of the syntax for the
checks in test_dockerfile.py (comments, line continuations, exec-form JSON, COPY flags)."""

import json
import shlex


class Instruction:
    def __init__(self, keyword, text):
        self.keyword = keyword.upper()
        self.text = text  # everything after the keyword, continuations joined

    def words(self):
        """The arguments, split like a shell would (exec form: the JSON array)."""
        if self.text.startswith("["):
            return json.loads(self.text)
        return shlex.split(self.text)

    def flags_and_words(self):
        """Leading --name=value flags (COPY --from=build, HEALTHCHECK --interval=5s) and the rest."""
        flags, text = {}, self.text
        while text.startswith("--"):
            flag, _, text = text.partition(" ")
            name, _, value = flag[2:].partition("=")
            flags[name] = value
            text = text.lstrip()
        rest = Instruction(self.keyword, text)
        return flags, rest

    def __repr__(self):
        return f"{self.keyword} {self.text}"


class Stage:
    def __init__(self, base, name):
        self.base = base
        self.name = name
        self.instructions = []

    def all(self, keyword):
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword):
        found = self.all(keyword)
        return found[-1] if found else None


def instructions(text):
    """Every instruction in order. Comment lines go, also inside a continued instruction (as in Docker)."""
    result, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not current):
            continue
        if line.endswith("\\"):
            current += line[:-1].strip() + " "
            continue
        current += line
        keyword, _, rest = current.partition(" ")
        result.append(Instruction(keyword, rest.strip()))
        current = ""
    return result


def stages(text):
    """The build stages in order; each FROM starts one ("FROM image AS name")."""
    result = []
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            words = instruction.flags_and_words()[1].words()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            result.append(Stage(words[0], name))
        elif not result:
            raise ValueError(f"instruction before the first FROM: {instruction}")
        else:
            result[-1].instructions.append(instruction)
    return result
