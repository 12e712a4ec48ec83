"""UI strings through gettext catalogs (``locales/LL/LC_MESSAGES/h4s.po``).

The browser gets a plain ``{msgid: translation}`` dict, so the JS front-end
needs no gettext of its own.  The language comes from :func:`set_language`,
the notebook's ``h4s.language`` metadata (passed by the pipeline), or
``H4S_LANG``; English otherwise.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "h4s"

#: The credential offer of a passed closing quiz (h4s_kit/server/_static/credential-claim.js): only the course
#: server's pages show it, so the server gives it these words in the page's language and quiz payloads leave
#: them out (:func:`quiz_strings`).
CREDENTIAL_MESSAGES: tuple[str, ...] = (
    "Your credential",
    "You passed the closing quiz. You can get an Open Badges credential for this module: a signed file and a "
    "badge image to show an employer or keep in a digital wallet.",
    "Name to print on the credential (optional)",
    "Without a name, the credential holds only a code that this course can match to you. The course server "
    "does not keep the name: it is only in your files.",
    "Get your credential", "Making your credential…",
    "Your credential is ready and downloading. Download again:", "credential (JSON)", "badge image (SVG)",
    "Pass the closing quiz first.",
    "The name cannot be used: at most {n} characters, and letters, spaces and punctuation only.",
    "Your credential could not be made just now. Try again in a minute, and tell your trainer if it goes on.",
)

#: Every UI string the front-end and the Python side use.  ``{n}`` etc. are
#: filled in by the caller.  Keep ``locales/h4s.pot`` in step (a test checks).
MESSAGES: tuple[str, ...] = (
    "Check", "Try again", "Hint", "Next hint", "Show solution", "Hide solution", "Solution",
    "Correct", "Not quite", "Partly correct", "Saved", "Score", "Points", "{n} of {m} answered",
    "Attempt {n} of {m}", "No attempts left", "Please answer first", "That is not a number",
    "Answer", "Your answer", "True", "False", "Choose…", "Gap {n}", "Move up", "Move down",
    "Word bank", "Drag a word into a gap, or choose it from the list", "Run tests", "Running…",
    "Test passed", "Test failed", "Your code has a syntax error", "Your code took too long",
    "Your code raised an error", "Reset", "Summary", "Question", "Result", "Total",
    "Shuffle", "Known", "Not yet", "Turn card", "Card {n} of {m}", "Words: {n} (at least {m})",
    "Keywords you used", "Keywords you could add", "Your self-rating", "Open the interactive version",
    "This exercise needs Python. Open the interactive version to run your code.",
    "Question {n}", "Passed", "Not passed yet", "Pass mark", "Reveal", "Statement",
    "Match each item on the left with one on the right", "Put the items in the right order",
    "Select all that apply", "Choose one answer", "Type your answer", "Type a number",
    "Written answer", "Example answer", "Check again later: your trainer reads written answers",
    "Download my results", "Not graded",
    # navigation, progress and states the learner UI needs as well
    "Next", "Previous", "Close", "Feedback", "Correct answer", "Not answered", "Question {n} of {m}",
    "{n} of {m} points", "Checking…", "Loading…", "Something went wrong. Please try again.", "Remove",
    "{n} of {m} tests passed", "Hint {n} of {m}", "Your code", "Output", "Error",
    "Your results", "Delete my results", "Your results are stored only in this browser.",
    # used by the front-end (records.js, ui.js)
    "Answer a question to save your results in this browser.",
    "{n} questions answered, {r} right, saved only in this browser. The file is for your trainer if they ask for it.",
    "Tab indents. Press Esc, then Tab, to leave the editor.",
) + CREDENTIAL_MESSAGES

#: Notes for translators, written into ``locales/h4s.pot`` as ``#.`` comments.
NOTES: dict[str, str] = {
    "Check": "Button: grade the learner's answer.",
    "Try again": "Button: answer the question once more.",
    "Hint": "Button and heading: show a hint.",
    "Next hint": "Button: show the next hint.",
    "Not quite": "Feedback after a wrong answer; friendly, not blaming.",
    "Saved": "Status after a written answer (essay) was saved.",
    "Score": "Label before the score, e.g. 'Score: 3 of 4'.",
    "{n} of {m} answered": "Progress of a quiz: n questions answered out of m.",
    "Attempt {n} of {m}": "Counter of checks used: n out of m allowed.",
    "Please answer first": "Shown when Check is pressed with no answer.",
    "That is not a number": "Numeric question: the input cannot be read as a number.",
    "True": "Answer option of a true/false question.",
    "False": "Answer option of a true/false question.",
    "Choose…": "Placeholder of a select box before anything is chosen.",
    "Gap {n}": "Accessible name of the n-th gap of a fill-in-the-blanks text.",
    "Word bank": "Heading of the words to drag into gaps.",
    "Run tests": "Button of a code exercise: run the hidden tests.",
    "Running…": "Status while the learner's code runs.",
    "Reset": "Button: start the whole quiz again.",
    "Shuffle": "Button: put the flashcards in a random order.",
    "Known": "Flashcards: the learner knew this card.",
    "Not yet": "Flashcards: the learner did not know this card yet.",
    "Turn card": "Flashcards: button that shows the other side.",
    "Card {n} of {m}": "Flashcards: position in the pile.",
    "Words: {n} (at least {m})": "Essay: word count n, m words needed.",
    "Your self-rating": "Likert self-assessment: heading of the learner's result.",
    "Open the interactive version": "Link from the static web page to the live notebook.",
    "Passed": "Quiz result: the pass mark was reached.",
    "Not passed yet": "Quiz result: the pass mark was not reached (yet).",
    "Pass mark": "Share of points needed to pass.",
    "Reveal": "Button: show the hidden content.",
    "Statement": "Likert self-assessment: column heading of the statements.",
    "Written answer": "Label of the text box of an essay question.",
    "Check again later: your trainer reads written answers": "Essay: shown after saving.",
    "Not graded": "The question gives no points (practice or reflection).",
    "Next": "Button: go to the next item (flashcard, question).",
    "Previous": "Button: go back to the previous item.",
    "{n} of {m} points": "Score of a question or quiz.",
    "Checking…": "Status while the answer is graded.",
    "Remove": "Button: take a word out of a gap.",
    "Output": "Code exercise: what the learner's code printed.",
    "Error": "Code exercise: heading of an error message.",
    "Your results": "Heading of the learner's own progress record.",
    "Delete my results": "Button: delete the progress record kept in this browser.",
    "{n} questions answered, {r} right, saved only in this browser. The file is for your trainer if they ask "
    "for it.": "Next to the 'Download my results' button; n and r are counts (any number, also 1).",
    "Tab indents. Press Esc, then Tab, to leave the editor.":
        "Help below the code editor: keyboard users leave it with Esc and then Tab.",
    "Your credential": "Heading of the box that offers an Open Badges credential (a signed digital certificate) "
                       "for a passed module; use the word for 'credential' of the micro-credentials texts of the EU.",
    "Name to print on the credential (optional)": "Label of a text field: the learner's name as it should appear "
                                                  "on the credential.",
    "Get your credential": "Button: make and download the credential.",
    "Your credential is ready and downloading. Download again:": "Followed by two download links: "
                                                                 "'credential (JSON)' and 'badge image (SVG)'.",
    "credential (JSON)": "Link text: the credential as a JSON file.",
    "badge image (SVG)": "Link text: the badge picture (an SVG file) with the credential inside.",
    "The name cannot be used: at most {n} characters, and letters, spaces and punctuation only.":
        "The name typed for the credential was refused; n is a number (100).",
}

_lang: str | None = None


def set_language(lang: str | None) -> None:
    """Choose the UI language for widgets created from now on (``None``: ``H4S_LANG`` or English)."""
    global _lang
    _lang = lang


def current_language() -> str:
    return (_lang or os.environ.get("H4S_LANG") or "en").split("-")[0].split("_")[0].lower()


def available_languages() -> list[str]:
    return sorted(["en"] + [p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").exists()])


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """``{msgid: msgstr}`` for ``lang``; English (identity) where a string is missing."""
    table = {m: m for m in MESSAGES}
    po = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang != "en" and po.exists():
        from babel.messages.pofile import read_po
        with po.open("rb") as fh:
            cat = read_po(fh, locale=lang.replace("-", "_"))
        for msg in cat:
            if msg.id and msg.string and msg.id in table and not msg.fuzzy:
                table[msg.id] = msg.string
    return table


def strings(lang: str | None = None) -> dict[str, str]:
    return catalog(lang or current_language())


def quiz_strings(lang: str | None = None) -> dict[str, str]:
    """The words a quiz carries (its payload in the page): all but :data:`CREDENTIAL_MESSAGES`."""
    skip = set(CREDENTIAL_MESSAGES)
    return {k: v for k, v in strings(lang).items() if k not in skip}


def gettext(msgid: str, lang: str | None = None, **kw) -> str:
    s = strings(lang).get(msgid, msgid)
    return s.format(**kw) if kw else s
