"""The page's scripts and the service worker carry no words of their own (issue 13; DESIGN section 9): every word
a person reads comes from the page (#ui-strings, #waiting-words, #operation-types, data-* attributes) or, for the
worker, from BUILD.words in every language, so a Welsh page is Welsh all through and the catalogue is the one place
to translate.

A string literal in a script that reads like words ("Saved", "Fieldwork", "Sync now") fails here unless it is
for developers (a log line, an Error's message), a name the platform defines (a header, an API), or a CSS class
or selector."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js")) + [ROOT / "service_worker" / "sw.js"]

# What may come right before a literal that reads like words (on its line): it is not shown to anyone.
NOT_SHOWN = re.compile(
    r"(?:"
    r"\blog\(|console\.\w+\(|\bsuper\(|\bError\(|\.name\s*=\s*"          # for developers
    r"|querySelector(?:All)?\(|\bclosest\(|\bmatches\(|className\s*=\s*"  # selectors and CSS classes
    r"|[Hh]eader\(|headers\.(?:get|set|has)\("                             # HTTP headers' names
    r"|\belement\(\s*\"\w+\",\s*"                                         # element(tag, className, ...)
    r")\s*$")
# A literal followed by these is a name: an object key ("Content-Type": ...), an `in` test ("PushManager" in window).
NAME_AFTER = re.compile(r"^\s*(?::|in\b)")
READS_LIKE_WORDS = re.compile(r"^[A-Z][a-z]+\b|[A-Za-z]{2,}\s+[A-Za-z]{2,}")
_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^")


def literals(source: str):
    """(text, line, before, after) for each string literal of a script: comments and regular expressions are
    skipped; `before` is the rest of its line up to it, `after` the line after it."""
    i, n, last = 0, len(source), ""
    while i < n:
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        char = source[i]
        if char in "'\"`":
            j, text = i + 1, []
            while j < n and source[j] != char:
                if source[j] == "\\":
                    text.append(source[j:j + 2])
                    j += 2
                    continue
                text.append(source[j])
                j += 1
            line_start = source.rfind("\n", 0, i) + 1
            line_end = source.find("\n", j)
            yield ("".join(text), source.count("\n", 0, i) + 1, source[line_start:i],
                   source[j + 1:line_end if line_end >= 0 else n])
            i, last = j + 1, "x"
            continue
        if char == "/" and (last in _BEFORE_REGEX or last == "" or re.search(r"\breturn\s*$", source[max(0, i - 8):i])):
            j, in_class = i + 1, False
            while j < n and (in_class or source[j] != "/") and source[j] != "\n":
                if source[j] == "\\":
                    j += 2
                    continue
                in_class = (in_class or source[j] == "[") and source[j] != "]"
                j += 1
            i, last = j + 1, "x"
            continue
        if not char.isspace():
            last = char
        i += 1


def words_in(source: str) -> list[str]:
    found = []
    for text, line, before, after in literals(source):
        if text == "use strict" or not READS_LIKE_WORDS.search(text):
            continue
        if NOT_SHOWN.search(before) or NAME_AFTER.match(after):
            continue
        found.append(f"line {line}: {text!r}")
    return found


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_no_script_carries_words_a_person_reads(script):
    found = words_in(script.read_text(encoding="utf-8"))
    assert not found, (f"{script.relative_to(ROOT)} shows words of its own; put them in the page (gettext in the "
                       "template: #ui-strings or a data-* attribute) or BUILD.words for the worker:\n  "
                       + "\n  ".join(found))


@pytest.mark.parametrize("snippet, shown", [
    ('line.textContent = "Saved on this phone";', True),
    ('title: String(data.title || "Fieldwork"),', True),
    ('if (!window.confirm("Discard this change?")) return;', True),
    ('button.setAttribute("aria-label", "Close the list");', True),
    ('Fieldwork.log("no outbox on this page", error);', False),
    ('throw new Error("server answered " + response.status);', False),
    ('headers: { "Content-Type": "application/json" },', False),
    ('var link = element("a", "button small", say("open_merge"));', False),
    ('var heading = document.querySelector("main h1");', False),
    ('return "PushManager" in window;', False),
    ('var base64 = text.replace(/-/g, "+").replace(/_/g, "/"); // "Not words"', False),
])
def test_the_check_tells_words_for_people_from_names_for_code(snippet, shown):
    assert bool(words_in(snippet)) is shown


def asked_for(script: Path) -> set[str]:
    """The keys a script asks its `say` for (a whole key: "about_" + a section is not one)."""
    source = script.read_text(encoding="utf-8")
    # A refusal's reason is a key too (outbox.js: reason "too_long").
    return set(re.findall(r'\bsay\("(\w+)"\s*[,)]', source)) | set(re.findall(r'reason:\s*"(\w+)"', source))


def test_every_message_a_script_asks_the_page_for_is_on_the_page():
    """Fieldwork.say("key") reads #ui-strings (templates/partials/sync_bar.html): a key the block lacks would show
    nothing at all, in either language."""
    template = (ROOT / "templates" / "partials" / "sync_bar.html").read_text(encoding="utf-8")
    block = re.search(r'id="ui-strings">\{\{(.*?)\|\s*tojson\s*\}\}</script>', template, re.S).group(1)
    on_page = set(re.findall(r'^\s*"(\w+)":', block, re.M))
    asked = {key: script.name for script in SCRIPTS if script.name != "sw.js" for key in asked_for(script)}
    missing = {key: where for key, where in asked.items() if key not in on_page}
    assert not missing, f"scripts ask #ui-strings for messages it lacks: {json.dumps(missing)}"
    assert len(asked) > 20


def test_every_word_the_worker_says_is_in_build_words_in_every_language(app):
    """The worker's own `say` reads BUILD.words (visits/offline/views.py, worker_words)."""
    from visits.offline.views import worker_words

    with app.test_request_context("/sw.js"):
        words = worker_words()
    asked = asked_for(ROOT / "service_worker" / "sw.js")
    assert asked == {"offline_text", "app_name"}
    for language, texts in words.items():
        assert asked <= set(texts) and all(texts[key].strip() for key in asked), language
