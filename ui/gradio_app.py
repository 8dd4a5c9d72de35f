"""The customer's web app (Gradio, mounted at `/`): sign in, chat, confirm the return.

Every turn goes through `ConversationService.stream`: with a model the reply appears as it is
written (guided replies, written whole, arrive in one update), tool activity shows as collapsible
"what I checked" entries, and the confirmation card's buttons answer the graph's interrupt. The
chat transcript lives in a per-browser `gr.State`; the conversation itself is in the checkpointer,
so nothing is lost when the page reloads mid-turn.
"""

from __future__ import annotations

import contextlib
import functools
import html
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import gradio as gr

from core import languages
from core.dates import time_zone
from core.messages import t as say  # the catalogue's own keys (ui.i18n.t reads the `web.` group)
from service.conversation import ConversationError, ConversationService, TurnResult
from service.feedback import record_feedback
from service.streaming import Token, ToolFinished, ToolStarted, TurnDone, TurnEvent, coalesced
from ui.gradio_cards import CheckedSteps, confirmation_card, side_panel
from ui.gradio_label import label_html, label_result
from ui.gradio_takeover import news_from_person, person_holding, released_card
from ui.i18n import error_text, language_names, t
from ui.i18n import quick_replies as common_replies
from ui.page_session import COOKIE, ZONE_COOKIE, SessionTickets, ticket_html

log = logging.getLogger(__name__)
QUICK_SLOTS = 4
STREAM_INTERVAL_S = 0.1  # at most ten chat updates a second while a turn streams (the eye needs no more)
# Customers' turns at once (RETURNDESK_UI_CONCURRENCY unset): a model turn mostly waits seconds on the
# endpoint, so many; a guided turn is tens of milliseconds of CPU in this one process, where more at
# once only adds contention (`make bench BENCH_ARGS="--only ui"`).
MODEL_TURNS_AT_ONCE = 32
GUIDED_TURNS_AT_ONCE = 2
# System fonts: the page loads nothing from another origin (the CSP allows none) and works offline.
THEME = gr.themes.Soft(
    primary_hue="teal", font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
)
# The page's handlers are the page's own, not an API: unlisted, and not callable by name (SECURITY.md).
PAGE_ONLY: dict[str, Any] = {"api_visibility": "private"}
CSS = """
#mode-badge { padding: 6px 12px; border-radius: 8px; background: var(--block-background-fill); }
#confirm-card { border: 2px solid var(--color-accent); border-radius: 10px; padding: 8px; }
#side-panel table { width: 100%; }
/* Words and place names stay whole ("Oakland", "$89.99", "Headphones"); only a token longer than the
   line (a tracking number on a phone) breaks. */
#side-panel, #confirm-card, #page-title { word-break: normal; overflow-wrap: break-word; }
#side-panel td, #side-panel th, #confirm-card td { overflow-wrap: normal; word-break: normal; }
#side-panel { overflow-x: auto; }
/* A place is one name ("芝加哥", "Louisville"): on one line; the table scrolls inside the panel if it must. */
#side-panel td:nth-child(2), #side-panel th:nth-child(2) { white-space: nowrap; }
#page-title h1 { overflow-wrap: normal; font-size: clamp(1.3rem, 6vw, 2rem); }
#return-label img { object-fit: contain; max-width: 100%; }
#session-ticket { display: none; }
/* the quick replies under the last answer: small chips that wrap, not a column of wide tiles */
#chatbot .options { display: flex; flex-wrap: wrap; gap: 6px; padding: 6px 12px; margin-left: 0;
  justify-content: flex-start; }
#chatbot .options .option { width: auto; max-width: 100%; padding: 4px 12px; border-radius: 999px; }
/* the "What I checked" entry is no answer: nothing to copy or rate */
#chatbot .message-row:has(.thought-group) + .message-buttons { display: none; }
"""
SIGNED_OUT_CODES = ("session_expired", "session_ended", "session_not_found")  # the page asks to sign in again


def zone_of(request: gr.Request | None) -> ZoneInfo | None:
    """The browser's time zone, as the page's script put it in a cookie; None: the language's own."""
    cookies = dict(getattr(request, "cookies", None) or {}) if request is not None else {}
    return time_zone(unquote(cookies.get(ZONE_COOKIE) or ""))  # the script URI-encodes it


def client_of(request: gr.Request | None) -> str | None:
    """The browser's network address: sign-in guesses are throttled per address (and per account)."""
    client = getattr(request, "client", None) if request is not None else None
    return getattr(client, "host", None)


def as_markdown_text(text: str) -> str:
    """Chat text escaped for the Chatbot, exactly once: it renders Markdown and keeps HTML tags, so
    a `<b>` in a reply would be drawn as bold. The model's entities were decoded once already
    (agent/model_output.py): its `&lt;b&gt;` is shown as `<b>`, its `&amp;lt;` as `&lt;`."""
    return html.escape(text, quote=False)


def greeting_text(lang: str, name: str | None) -> str:
    """Hello by name once signed in; an anonymous visitor is told what they can ask without signing in."""
    return t("greeting", lang, name=name) if name else t("greeting_anonymous", lang)


def quick_replies(result: TurnResult | None, language: str) -> list[str]:
    """The assistant's own suggestions, else the common next steps (none while a card waits). Never
    both: they say the same in other words ("查物流", "查询物流"); never what a button below already
    offers ("Talk to a person" beside "🙋 Talk to a person")."""
    if result is not None and result.pending is not None:
        return []
    suggested = (result.quick_replies if result else []) or common_replies(language)
    below = _plain(t("handoff", language))
    return list(dict.fromkeys(r for r in suggested if _plain(r) != below))[:QUICK_SLOTS]


def _plain(text: str) -> str:
    """A button's words without emoji, punctuation or case: what two labels compare by."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def offered(messages: list[dict[str, Any]], replies: list[str]) -> list[dict[str, Any]]:
    """The chat as shown: a copy of each message, and the quick replies as the options of the last one.
    The Chatbot shows the options of its last message only, and only when the assistant wrote it; they
    are part of the chat's value, so offering them costs no component of their own (Gradio rebuilds
    every component an update shows or hides)."""
    shown = [dict(m) for m in messages]
    if replies and shown and shown[-1]["role"] == "assistant":
        shown[-1]["options"] = [{"value": reply} for reply in replies]
    return shown


def turns_at_once(conversations: ConversationService) -> int:
    """How many customers' turns the page runs at once: the setting, or the mode's default."""
    if conversations.settings.ui_concurrency:
        return conversations.settings.ui_concurrency
    return MODEL_TURNS_AT_ONCE if conversations.mode == "model" else GUIDED_TURNS_AT_ONCE


def build_blocks(conversations: ConversationService, tickets: SessionTickets | None = None) -> gr.Blocks:
    """`tickets`: what a signed-in page trades for its session cookie (`ui.page_session`); the page is
    restored from that cookie on every load."""
    tickets = tickets or SessionTickets()
    names = language_names()  # "English" -> "en", "中文" -> "zh", ... every registered language
    with gr.Blocks(title="ReturnDesk") as blocks:
        session_id = gr.State(None)
        language = gr.State("en")
        transcript = gr.State([])
        action_id = gr.State(None)
        reply_index = gr.State({})  # chat position -> history index, for thumbs up / down
        seen = gr.State(0)  # history entries shown: a person's replies after it arrive by the timer
        person_timer = gr.Timer(conversations.settings.staff_poll_s, active=False)
        # Whether a person has the conversation: its change starts or stops the timer (a turn sets this
        # State, not the timer, which would be rebuilt on every turn; it changes only when a person
        # takes the conversation over or gives it back).
        holding = gr.State(False)
        # A turn that finds the session gone sets this ({"problem": ..., "at": ...}, new every time); its
        # change shows the sign-in form. A turn's event leaves the form's parts out: Gradio rebuilds each
        # output that is not a plain value on every update, skipped ones too.
        gone = gr.State(None)

        with gr.Row():
            title = gr.Markdown(t("title", "en"), elem_id="page-title")
            language_switch = gr.Radio(
                list(names),
                value=languages.get(None).name,
                show_label=False,
                elem_id="language-switch",
                scale=0,
                min_width=120,
            )
        badge = gr.Markdown(t(f"badge_{conversations.mode}", "en"), elem_id="mode-badge")
        ticket_view = gr.Markdown(elem_id="session-ticket")  # hidden: the page script trades it for the cookie

        with gr.Column(visible=True, elem_id="sign-in") as sign_in_box:
            with gr.Tabs():
                with gr.Tab(t("tab_email", "en"), id="by-email") as tab_email:
                    email = gr.Textbox(label=t("email", "en"), elem_id="email")
                    order_number = gr.Textbox(
                        label=t("order", "en"),
                        placeholder="#W1234567",  # a shape, no real order
                        elem_id="order-number",
                    )
                    email_button = gr.Button(t("sign_in", "en"), variant="primary", elem_id="sign-in-button")
                with gr.Tab(t("tab_name", "en"), id="by-name") as tab_name:
                    full_name = gr.Textbox(label=t("name", "en"), elem_id="full-name")
                    postcode = gr.Textbox(label=t("postcode", "en"), elem_id="postcode")
                    name_button = gr.Button(t("sign_in", "en"), variant="primary", elem_id="sign-in-name-button")
            # A general question (policy, delivery) needs no sign-in: the chat asks for the order when it must.
            ask_button = gr.Button(t("ask_anonymously", "en"), elem_id="ask-anonymously-button")
            # No "record this session" box: recording is for staff (the API with the staff token).
            sign_in_error = gr.Markdown(elem_id="sign-in-error")

        with gr.Row(visible=False, elem_id="chat") as chat_box:
            with gr.Column(scale=3):
                # No label or share / copy-all buttons: they sat over the newest messages at the top of the
                # scrolled chat (each message keeps its own copy button).
                chatbot = gr.Chatbot(
                    label="ReturnDesk",
                    show_label=False,
                    buttons=["copy"],
                    height=520,
                    elem_id="chatbot",
                    group_consecutive_messages=False,
                )
                with gr.Group(visible=False, elem_id="confirm-card") as card:
                    card_text = gr.Markdown(elem_id="confirm-card-text")
                    with gr.Row():
                        confirm_button = gr.Button(t("confirm", "en"), variant="primary", elem_id="confirm-button")
                        cancel_button = gr.Button(t("cancel", "en"), elem_id="cancel-button")
                with gr.Row():
                    message = gr.Textbox(
                        show_label=False,
                        placeholder=t("placeholder", "en"),
                        scale=5,
                        elem_id="message",
                        max_length=4000,
                    )
                    send_button = gr.Button(t("send", "en"), variant="primary", scale=1, elem_id="send-button")
                with gr.Row():
                    handoff_button = gr.Button(t("handoff", "en"), size="sm", elem_id="handoff-button")
                    sign_out_button = gr.Button(t("sign_out", "en"), size="sm", elem_id="sign-out-button")
            with gr.Column(scale=2):
                panel = gr.Markdown(elem_id="side-panel")
                # No label over the image (it would cover the label's own header); the card above names it.
                # Markup, not gr.Image: an image value is written to Gradio's file cache, served to anyone
                # holding its path, with no session and long after the return is cancelled.
                # gr.HTML evaluates templates: the CSP forbids eval
                label_view = gr.Markdown(visible=False, elem_id="return-label")

        # Everything whose words change with the language (the switch, or a message in the other language).
        def placeholder(lang: str, sid: str | None) -> str:
            """The input's example, in the signed-in customer's own order ("Where is order #W1000033?")."""
            order = None
            if sid:
                with contextlib.suppress(ConversationError):
                    order = conversations.latest_order(sid)
            return t("placeholder_order", lang, order=order) if order else t("placeholder", lang)

        def texts(lang: str, sid: str | None = None) -> dict[Any, Any]:
            return {
                language: lang,
                language_switch: languages.get(lang).name,
                title: t("title", lang),
                badge: t(f"badge_{conversations.mode}", lang),
                tab_email: gr.update(label=t("tab_email", lang)),
                tab_name: gr.update(label=t("tab_name", lang)),
                email: gr.update(label=t("email", lang)),
                order_number: gr.update(label=t("order", lang)),
                full_name: gr.update(label=t("name", lang)),
                postcode: gr.update(label=t("postcode", lang)),
                email_button: t("sign_in", lang),
                ask_button: t("ask_anonymously", lang),
                name_button: t("sign_in", lang),
                send_button: t("send", lang),
                message: gr.update(placeholder=placeholder(lang, sid)),
                confirm_button: t("confirm", lang),
                cancel_button: t("cancel", lang),
                handoff_button: t("handoff", lang),
                sign_out_button: t("sign_out", lang),
            }

        text_outputs = [
            language,
            language_switch,
            title,
            badge,
            tab_email,
            tab_name,
            email,
            order_number,
            full_name,
            postcode,
            email_button,
            name_button,
            ask_button,
            send_button,
            message,
            confirm_button,
            cancel_button,
            handoff_button,
            sign_out_button,
        ]
        turn_outputs = list(
            dict.fromkeys(
                [
                    chatbot,
                    transcript,
                    card,
                    card_text,
                    action_id,
                    badge,
                    panel,
                    label_view,
                    reply_index,
                    message,
                    seen,
                    holding,  # the timer, by `holding.change` below
                    language,  # a change of language relabels the page by `language.change` below
                    gone,  # the sign-in form again (and no session), by `gone.change` below
                ]
            )
        )

        # --- sign in ----------------------------------------------------------------------------
        def signed_in(sign_in: Callable[[], Any], lang: str) -> dict:
            try:
                info = sign_in()
            except ConversationError as error:
                return {sign_in_error: f"⚠️ {error_text(error.code, str(error), lang)}"}
            conversations.set_language(info.session_id, lang)  # what the customer sees is what they get
            greeting = [{"role": "assistant", "content": greeting_text(lang, info.customer_name)}]
            return {
                session_id: info.session_id,
                sign_in_box: gr.update(visible=False),
                ticket_view: ticket_html(tickets.issue(info.session_id)),
                chat_box: gr.update(visible=True),
                sign_in_error: "",
                transcript: greeting,
                chatbot: offered(greeting, quick_replies(None, lang)),
                reply_index: {},
                message: gr.update(placeholder=placeholder(lang, info.session_id)),
            }

        def sign_in_by_email(e: str, o: str, lang: str, request: gr.Request) -> dict:
            return signed_in(
                lambda: conversations.sign_in(email=e, order_id=o, client=client_of(request), language=lang), lang
            )

        def ask_anonymously(lang: str, request: gr.Request) -> dict:
            return signed_in(lambda: conversations.start_anonymous(lang, client=client_of(request)), lang)

        def sign_in_by_name(n: str, p: str, lang: str, request: gr.Request) -> dict:
            return signed_in(
                lambda: conversations.sign_in(name=n, postcode=p, client=client_of(request), language=lang), lang
            )

        def signed_out(problem: str = "") -> dict:
            """Back to the sign-in form (signed out, or the session expired): nothing of the chat stays."""
            return {
                session_id: None,
                sign_in_box: gr.update(visible=True),
                chat_box: gr.update(visible=False),
                sign_in_error: problem,
                transcript: [],
                chatbot: [],
                reply_index: {},
                action_id: None,
                card: gr.update(visible=False),
                panel: "",
                label_view: gr.update(value="", visible=False),
            }

        def sign_out(sid: str | None) -> dict:
            if sid:
                with contextlib.suppress(ConversationError):  # already gone: signed out all the same
                    conversations.sign_out(sid)
            return signed_out()

        sign_in_outputs = [
            session_id,
            sign_in_box,
            chat_box,
            sign_in_error,
            transcript,
            chatbot,
            reply_index,
            message,
            ticket_view,
        ]
        email_button.click(sign_in_by_email, [email, order_number, language], sign_in_outputs, **PAGE_ONLY)
        name_button.click(sign_in_by_name, [full_name, postcode, language], sign_in_outputs, **PAGE_ONLY)
        ask_button.click(ask_anonymously, [language], sign_in_outputs, **PAGE_ONLY)
        signed_out_outputs = list(signed_out())  # every part `signed_out` sets
        sign_out_button.click(sign_out, [session_id], signed_out_outputs, **PAGE_ONLY)
        # A turn found the session expired or ended: the sign-in form, with the reason (at once, not
        # queued behind other customers' turns).
        gone.change(
            lambda news: signed_out((news or {}).get("problem", "")),
            [gone],
            signed_out_outputs,
            show_progress="hidden",
            concurrency_limit=None,
            **PAGE_ONLY,
        )

        # --- a reload, or a server restart: the cookie names the conversation ----------------
        def restore(request: gr.Request) -> dict:
            """The signed-in page as it was: history, and the card if one waits (nothing without a live session)."""
            # Never an empty dict: Gradio reads {} as one value, fails the event and marks every output "Error".
            as_new_visitor = {sign_in_box: gr.update(visible=True)}
            sid = dict(getattr(request, "cookies", None) or {}).get(COOKIE) if request is not None else None
            if not sid:
                return as_new_visitor
            try:
                info = conversations.session(sid)
                history = conversations.history(sid)
                pending = conversations.pending(sid)
            except ConversationError:
                return as_new_visitor  # expired or signed out: the sign-in form, as for a new visitor
            lang = languages.resolve(info.language) or languages.DEFAULT
            messages: list[dict[str, Any]] = [{"role": "assistant", "content": greeting_text(lang, info.customer_name)}]
            replies: dict[int, int] = {}
            for index, entry in enumerate(history):
                waiting = pending is not None and index == len(history) - 1 and entry["role"] == "assistant"
                text = t("card_lead", lang) if waiting else as_markdown_text(entry["content"])  # the card says it
                messages.append({"role": entry["role"], "content": text})
                if entry["role"] == "assistant":
                    replies[len(messages) - 1] = index
            return {
                **texts(lang, sid),
                session_id: sid,
                sign_in_box: gr.update(visible=False),
                chat_box: gr.update(visible=True),
                sign_in_error: "",
                transcript: messages,
                chatbot: offered(messages, [] if pending else quick_replies(None, lang)),
                reply_index: replies,
                card: gr.update(visible=pending is not None),
                card_text: confirmation_card(pending, lang) if pending else "",
                action_id: pending.action_id if pending else None,
            }

        # Quick, and no spinner over the sign-in form meanwhile; not queued behind other customers' turns.
        restore_outputs = list(
            dict.fromkeys([*turn_outputs, *text_outputs, session_id, sign_in_box, chat_box, sign_in_error])
        )
        blocks.load(restore, None, restore_outputs, show_progress="hidden", concurrency_limit=None, **PAGE_ONLY)

        # --- a turn, streamed -------------------------------------------------------------------
        # Guided replies are written whole, so there are no tokens to stream: LangGraph then runs the
        # turn's steps in its own thread instead of one worker thread per step.
        streams_tokens = conversations.mode == "model"

        def turn_updates(
            sid: str | None,
            lang: str,
            messages: list,
            replies: dict,
            shown: str,
            start: Callable[[], Iterator[TurnEvent]],
            zone: ZoneInfo | None = None,
        ) -> Iterator[dict]:
            """The turn's page updates, made on the turn's own thread; the page gets them merged
            (`coalesced`): Gradio rebuilds every output of the event on every update, skipped ones
            too, so a fast turn goes to the page once, at its end, and a slow one shows the customer's
            message after a tenth of a second, then at most ten updates a second (with a model;
            guided mode sends one, `whole`)."""
            messages = [*messages, {"role": "user", "content": as_markdown_text(shown)}]
            yield {transcript: messages, message: "", card: gr.update(visible=False), chatbot: [*messages]}
            reply: dict[str, Any] | None = None
            checked = CheckedSteps(lang)  # one "What I checked" entry for the whole turn
            try:
                if not sid:
                    raise ConversationError(t("sign_in_needed", lang))  # already in the customer's words
                for event in start():
                    if isinstance(event, Token):
                        if reply is None:
                            reply = {"role": "assistant", "content": ""}
                            messages.append(reply)
                        reply["content"] += as_markdown_text(event.text)  # char by char: safe per token
                    elif isinstance(event, ToolStarted):
                        spec = conversations.registry.spec_for(event.tool)
                        if spec is not None and spec.sensitive:
                            continue  # it runs only once confirmed: shown when it has run
                        if entry := checked.started(event, conversations.registry.label(event.tool, lang)):
                            messages.append(entry)
                        reply = None  # text after a tool call is a new answer
                    elif isinstance(event, ToolFinished):
                        if entry := checked.finished(event, conversations.registry.label(event.tool, lang)):
                            messages.append(entry)
                    elif isinstance(event, TurnDone):
                        checked.done()
                        if checked.message is not None and not checked.steps:
                            messages.remove(checked.message)
                        yield {message: "", **finished(event.result, sid, lang, messages, reply, replies, zone)}
                        return
                    # Guided steps take milliseconds: they show with the answer (on a busy server they
                    # arrive apart, and each update would cost the page all of the event's outputs).
                    if isinstance(event, Token) or streams_tokens:
                        yield {chatbot: [dict(m) for m in messages]}  # a copy: this thread goes on
            except ConversationError as error:
                problem = error_text(error.code, str(error), lang) if sid else str(error)
                if error.code in SIGNED_OUT_CODES:
                    yield {gone: {"problem": f"⚠️ {problem}", "at": time.time_ns()}}
                    return
            except Exception:  # the customer sees an apology, the log keeps the trace
                log.exception("turn failed")
                problem = t("sorry", lang)
            messages.append({"role": "assistant", "content": f"⚠️ {problem}"})
            yield {chatbot: offered(messages, quick_replies(None, lang)), transcript: messages}

        def finished(
            result: TurnResult,
            sid: str,
            lang: str,
            messages: list,
            reply: dict | None,
            replies: dict,
            zone: ZoneInfo | None = None,
        ) -> dict:
            if reply is None and result.reply:
                reply = {"role": "assistant", "content": ""}
                messages.append(reply)
            size, ends_with_reply = result.history_length, result.ends_with_reply
            if size is None:  # a turn the service did not count (a person has the conversation, a draft)
                history = conversations.history(sid)
                size, ends_with_reply = len(history), bool(history) and history[-1]["role"] == "assistant"
            if reply is not None:
                # The final text is the truth, whatever streamed; with a card below, the card says it.
                reply["content"] = (
                    t("card_lead", languages.resolve(result.language) or lang)
                    if result.pending
                    else as_markdown_text(result.reply)
                )
                if ends_with_reply:
                    replies = {**replies, len(messages) - 1: size - 1}
            tool_results: dict[str, Any] = {
                kind: entry.result
                for entry in result.tool_trace  # keyed by panel
                if isinstance(entry.result, dict) and (kind := conversations.registry.panel(entry.tool))
            }
            lang = languages.resolve(result.language) or lang  # the reply's language
            update: dict[Any, Any] = {
                language: lang,
                chatbot: offered(messages, quick_replies(result, lang)),
                transcript: messages,
                reply_index: replies,
                seen: size,
                holding: result.with_person is not None,
                badge: say("assist.badge_staff", lang, staff=result.staff_name)
                if result.with_person == "staff" and result.staff_name
                else t(f"badge_{result.mode}", lang),
                card: gr.update(visible=result.pending is not None),
                card_text: confirmation_card(result.pending, lang) if result.pending else "",
                action_id: result.pending.action_id if result.pending else None,
            }
            labelled = label_result(tool_results)  # a new return, or a status check that fetched its label
            image = label_html(conversations.settings, labelled, lang) if labelled else None
            if cards := side_panel(tool_results, lang, label_loaded=image is not None, zone=zone):
                update[panel] = cards
                update[label_view] = gr.update(value=image or "", visible=image is not None)
            return update

        async def send(
            sid: str | None, text: str, lang: str, messages: list, replies: dict, request: gr.Request
        ) -> AsyncIterator[dict]:
            if not (text or "").strip():
                return
            lang = languages.detect(text, lang)  # a Chinese message gets Chinese cards, like its reply
            updates = turn_updates(
                sid,
                lang,
                messages,
                replies,
                text,
                lambda: conversations.stream(sid or "", text, tokens=streams_tokens, client=client_of(request)),
                zone_of(request),
            )
            async for update in coalesced(updates, STREAM_INTERVAL_S):
                yield update

        async def resolve(
            sid: str | None,
            action: str | None,
            lang: str,
            messages: list,
            replies: dict,
            approved: bool,
            request: gr.Request,
        ) -> AsyncIterator[dict]:
            shown = t("you_confirmed" if approved else "you_cancelled", lang)
            updates = turn_updates(
                sid,
                lang,
                messages,
                replies,
                shown,
                lambda: conversations.stream_resolve(
                    sid or "", approved=approved, action_id=action, tokens=streams_tokens, client=client_of(request)
                ),
                zone_of(request),
            )
            async for update in coalesced(updates, STREAM_INTERVAL_S):
                yield update

        async def hand_off(
            sid: str | None, lang: str, messages: list, replies: dict, request: gr.Request
        ) -> AsyncIterator[dict]:
            async for update in send(sid, t("handoff_message", lang), lang, messages, replies, request):
                yield update

        async def choose(
            sid: str | None, lang: str, messages: list, replies: dict, request: gr.Request, option: gr.SelectData
        ) -> AsyncIterator[dict]:
            """A quick reply under the last answer: sent as if typed (the service checks it as any message)."""
            async for update in send(sid, str(option.value or ""), lang, messages, replies, request):
                yield update

        async def confirm(
            sid: str | None, action: str | None, lang: str, messages: list, replies: dict, request: gr.Request
        ) -> AsyncIterator[dict]:
            async for update in resolve(sid, action, lang, messages, replies, True, request):
                yield update

        async def cancel(
            sid: str | None, action: str | None, lang: str, messages: list, replies: dict, request: gr.Request
        ) -> AsyncIterator[dict]:
            async for update in resolve(sid, action, lang, messages, replies, False, request):
                yield update

        def whole(handler: Callable[..., AsyncIterator[dict]]) -> Callable[..., Any]:
            """Guided mode: the turn's updates merged into one answer. Gradio calls a generator once per
            update and once more to find its end, sending the page each result; a plain coroutine is
            one call and one message. Guided replies are written whole: there is nothing to stream."""
            if streams_tokens:
                return handler

            @functools.wraps(handler)  # Gradio reads the parameters (the gr.Request) from the signature
            async def answer(*args: Any, **kwargs: Any) -> dict:
                merged: dict[Any, Any] = {}
                async for update in handler(*args, **kwargs):
                    merged |= update
                return merged

            return answer

        # One limit for every way to start a turn (each listener would otherwise have its own).
        turn: dict[str, Any] = {
            **PAGE_ONLY,
            "concurrency_id": "turn",
            "concurrency_limit": turns_at_once(conversations),
        }
        turn_inputs = [session_id, message, language, transcript, reply_index]
        send_button.click(whole(send), turn_inputs, turn_outputs, **turn)
        message.submit(whole(send), turn_inputs, turn_outputs, **turn)
        chatbot.option_select(whole(choose), [session_id, language, transcript, reply_index], turn_outputs, **turn)
        handoff_button.click(whole(hand_off), [session_id, language, transcript, reply_index], turn_outputs, **turn)
        resolve_inputs = [session_id, action_id, language, transcript, reply_index]
        confirm_button.click(whole(confirm), resolve_inputs, turn_outputs, **turn)
        cancel_button.click(whole(cancel), resolve_inputs, turn_outputs, **turn)

        # --- thumbs up / down -------------------------------------------------------------------
        def rate(sid: str | None, replies: dict, lang: str, data: gr.LikeData) -> None:
            position = data.index[0] if isinstance(data.index, list | tuple) else data.index
            if not sid or position not in replies:
                return  # a greeting or a tool entry: nothing to rate
            liked = data.liked is True or data.liked == "Like"
            try:
                record_feedback(conversations, sid, replies[position], "up" if liked else "down")
            except ConversationError as error:
                gr.Warning(error_text(error.code, str(error), lang))
                return
            gr.Info(t("thanks", lang))

        # --- a person has the conversation (live takeover): their replies arrive by the timer --------
        def person_news(sid: str | None, messages: list, shown: int, lang: str, card_shown: str | None) -> dict:
            messages, shown, looking = news_from_person(conversations, sid, messages, shown)
            staff = person_holding(conversations, sid)
            update: dict[Any, Any] = {
                # the assistant's menu again once the person gave the conversation back
                chatbot: offered(messages, [] if looking or card_shown else quick_replies(None, lang)),
                transcript: messages,
                seen: shown,
                holding: looking,
                badge: say("assist.badge_staff", lang, staff=staff)
                if staff
                else t(f"badge_{conversations.mode}", lang),
            }
            if (released := released_card(conversations, sid, card_shown)) is not None:  # an approved card draft
                messages = [*messages, {"role": "assistant", "content": t("card_lead", lang)}]
                update |= {
                    chatbot: [dict(m) for m in messages],
                    transcript: messages,
                    card: gr.update(visible=True),
                    card_text: confirmation_card(released, lang),
                    action_id: released.action_id,
                }
            return update

        person_timer.tick(
            person_news,
            [session_id, transcript, seen, language, action_id],
            [chatbot, transcript, seen, holding, badge, card, card_text, action_id],
            **PAGE_ONLY,
        )
        holding.change(
            lambda held: gr.update(active=bool(held)),
            [holding],
            [person_timer],
            show_progress="hidden",
            concurrency_limit=None,
            **PAGE_ONLY,
        )

        chatbot.like(rate, [session_id, reply_index, language], None, **PAGE_ONLY)

        # --- the language switch -----------------------------------------------------------------
        def switch(choice: str, sid: str | None, messages: list, card_shown: str | None) -> dict:
            lang = names.get(choice, languages.DEFAULT)
            update = texts(lang, sid)
            if sid:
                conversations.set_language(sid, lang)  # replies to "#W1000012" follow the screen's language
                # the quick replies in the new language (none while a card waits)
                update[chatbot] = offered(messages, [] if card_shown else quick_replies(None, lang))
            return update

        # A turn answered in another language sets `language`; only then is the page relabelled (Gradio
        # rebuilds every output of an event on every update, so a turn's event leaves the labels out).
        language.change(texts, [language, session_id], text_outputs, show_progress="hidden", **PAGE_ONLY)
        # `input`, not `change`: a turn that switches the language updates the radio itself.
        language_switch.input(
            switch,
            [language_switch, session_id, transcript, action_id],
            [*text_outputs, chatbot],
            show_progress="hidden",
            **PAGE_ONLY,
        )
    # Customers' turns run side by side (Gradio's default is one at a time across all customers);
    # one customer's turns still run one at a time (the service's per-session lock). Sign-in, thumbs
    # and the language switch have the same limit, each its own.
    # Queue positions go to waiting customers once a second, not to every one of them each time a turn
    # starts (Gradio's "auto": with 32 waiting, 32 messages per turn).
    # Gradio's run-statistics summary (a pandas table of the last 10,000 events, rebuilt after every
    # event) feeds only its monitoring page, which this app leaves off (ui/server.py): not kept.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**31))
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
    # Gradio wraps every handler in a switch to matplotlib's file backend; with none chosen, the first
    # handler imports pyplot to find the default (over a second of the first customer's wait). Files only.
    os.environ.setdefault("MPLBACKEND", "Agg")
    return blocks.queue(default_concurrency_limit=turns_at_once(conversations), status_update_rate=1.0)
