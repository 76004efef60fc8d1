"""Text geometry: line starts, line ends and the YAML punctuation between nodes."""

from __future__ import annotations

import bisect

from hardener.yaml import DocPath


class Text:
    """The old text plus the position arithmetic every splice needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        start = 0
        while (index := text.find("\n", start)) >= 0:
            start = index + 1
            self.line_starts.append(start)
        first = text.find("\n")
        self.nl = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"

    def line_of(self, pos: int) -> int:
        """0-based line of a character offset."""
        return bisect.bisect_right(self.line_starts, pos) - 1

    def eol(self, pos: int) -> int:
        """Offset of the line break that ends the line holding ``pos`` (or the end of text)."""
        index = self.text.find("\n", pos)
        if index < 0:
            return len(self.text)
        if index > pos and self.text[index - 1] == "\r":
            return index - 1
        return index

    def skip_props(self, pos: int) -> int:
        """End of the anchor/tag tokens starting at ``pos`` (``pos`` itself if there are none)."""
        text, end = self.text, pos
        while pos < len(text) and text[pos] in "&!":
            while pos < len(text) and text[pos] not in " \t\r\n":
                pos += 1
            end = pos
            while pos < len(text) and text[pos] in " \t":
                pos += 1
        return end

    def skip_to(self, pos: int, char: str) -> int | None:
        """Offset just past ``char``, skipping blanks, comments and properties; None if absent."""
        text = self.text
        while pos < len(text):
            current = text[pos]
            if current in " \t\r\n":
                pos += 1
            elif current == "#":
                pos = self.eol(pos)
            elif current in "&!" and char == "-":
                pos = self.skip_props(pos)
            else:
                return pos + 1 if current == char else None
        return None


def path_text(path: DocPath) -> str:
    out = ""
    for segment in path:
        out += f"[{segment}]" if isinstance(segment, int) else ("." if out else "") + segment
    return out or "<root>"
