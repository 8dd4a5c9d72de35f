"""Adding a language is one catalogue, one help-centre folder and one guided keyword table
(docs/adding-a-language.md). A toy third language, registered from files in a temporary folder and
nowhere in the code, is spoken by every part a customer sees, and nothing falls back to Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.guided_text import KEYWORD_DIR, extra_keyword_tables
from core import languages, messages
from core.languages import CATALOGUE_DIR, SCRIPTS, extra_catalogues
from core.money import format_money
from mock_backends.knowledge.documents import DOCS_DIR, load_documents
from mock_backends.knowledge.search import HelpCentreIndex
from service.conversation import ConversationService
from ui.gradio_cards import confirmation_card, side_panel
from ui.i18n import language_names

TOY = "eo"
MARK = "⟦eo⟧"  # every toy message starts with it, so a message from another catalogue stands out
HAN = re.compile(f"[{SCRIPTS['Han']}]")
# The toy language's own words: none of them is an English or a Chinese keyword.
TOY_KEYWORDS = {
    "match": "words",
    "intents": {
        "handoff": ["homo"],
        "cancel_return": ["nuligi redonon"],
        "return_status": ["mia redono"],
        "track": ["spuri", "pakajo"],
        "return": ["redoni"],
        "status": ["mendo"],
        "help": ["kiel"],
        "greeting": ["saluton"],
    },
    "help_first": ["kiel"],
    "help_buttons": ["helpejo"],
    "gift_card": ["donkarto"],
    "damaged": ["rompita"],
    "all_items": ["ciuj"],
    "agree": ["jes"],
    "confirm_yes": ["jes"],
    "confirm_no": ["ne"],
    "generic_words": "mi volas la de bonvolu",
    "number_words": {"unu": 1, "du": 2},
    "clause_breaks": ["kaj"],
    "name_fillers": ["mia nomo estas"],
}


def marked(tree: dict[str, Any]) -> dict[str, Any]:
    """The English catalogue with every message marked as the toy language's (placeholders kept)."""
    return {key: marked(value) if isinstance(value, dict) else f"{MARK} {value}" for key, value in tree.items()}


@pytest.fixture
def toy(tmp_path: Path) -> Iterator[Path]:
    """The toy language's three files, and the registry speaking it; the help-centre folder is returned."""
    english = yaml.safe_load((CATALOGUE_DIR / "en.yaml").read_text(encoding="utf-8"))
    catalogues, keywords, help_centre = tmp_path / "catalogues", tmp_path / "keywords", tmp_path / "help"
    for folder in (catalogues, keywords, help_centre / TOY):
        folder.mkdir(parents=True)
    header = {
        "name": "Toylang",
        "locale": "eo",
        "time_zone": "Europe/Berlin",
        "script": "Latin",
        "currency_display": "code",
    }
    (catalogues / f"{TOY}.yaml").write_text(
        yaml.safe_dump({"language": header, "messages": marked(english["messages"])}, allow_unicode=True),
        encoding="utf-8",
    )
    (keywords / f"{TOY}.yaml").write_text(yaml.safe_dump(TOY_KEYWORDS, allow_unicode=True), encoding="utf-8")
    for page in (DOCS_DIR / "en").glob("*.md"):  # a translator's first draft: the English pages, marked
        (help_centre / TOY / page.name).write_text(f"{MARK}\n\n{page.read_text(encoding='utf-8')}", encoding="utf-8")
    with extra_catalogues(catalogues), extra_keyword_tables(keywords):
        yield help_centre


def no_chinese(*texts: str) -> bool:
    return not any(HAN.search(text) for text in texts)


def test_the_new_language_is_registered_offered_and_detected(toy: Path) -> None:
    assert languages.codes() == ("en", TOY, "zh") and language_names()["Toylang"] == TOY
    assert languages.detect("mi volas redoni", TOY) == TOY  # the session's language, for its own script
    assert languages.detect("我想退货", TOY) == "zh"


def test_every_message_of_the_new_language_is_its_own(toy: Path) -> None:
    toy_messages = messages.catalogue(TOY)
    assert set(toy_messages) == set(messages.catalogue(languages.DEFAULT))
    assert all(text.startswith(MARK) for text in toy_messages.values())
    assert format_money(8999, "USD", TOY) == "89,99\u202fUSD"  # its locale and its currency display


def test_a_return_in_the_new_language_is_answered_in_it_from_start_to_finish(
    toy: Path, service: ConversationService
) -> None:
    session = service.start_anonymous(language=TOY)
    verified = service.send(session.session_id, "alice@example.com #W1000001")  # no words: the session's language
    asked = service.send(session.session_id, "mi volas redoni la Wireless Headphones de #W1000001")
    assert asked.pending is not None and asked.language == TOY
    card = confirmation_card(asked.pending, TOY)
    done = service.resolve(session.session_id, approved=True, action_id=asked.pending.action_id)

    replies = [verified.reply, asked.pending.summary, done.reply]
    assert all(reply.startswith(MARK) for reply in replies), replies
    assert "89,99\u202fUSD" in asked.pending.summary and "RMA-" in done.reply
    buttons = verified.quick_replies + done.quick_replies
    assert buttons and all(b.startswith(MARK) for b in buttons)
    panel = side_panel(
        {
            kind: t.result
            for t in asked.tool_trace + done.tool_trace  # keyed by panel
            if (kind := service.registry.panel(t.tool))
        },
        TOY,
    )
    assert MARK in panel and no_chinese(*replies, *buttons, card, panel)


def test_the_new_languages_help_centre_folder_is_searched_in_it(toy: Path) -> None:
    documents = load_documents(toy)
    assert {d.language for d in documents} == {TOY}
    hits = HelpCentreIndex(documents).search("how long do I have to return headphones", language=TOY)
    assert hits and all(hit.language == TOY and hit.source.startswith(f"{TOY}/") for hit in hits)


def test_a_registered_language_without_a_keyword_table_says_which_file_to_add(tmp_path: Path) -> None:
    from agent.guided_text import keywords

    (tmp_path / "xx.yaml").write_text((CATALOGUE_DIR / "en.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with extra_catalogues(tmp_path), pytest.raises(FileNotFoundError, match=r"agent/guided_keywords/xx\.yaml"):
        keywords()
    assert (KEYWORD_DIR / "zh.yaml").is_file()
