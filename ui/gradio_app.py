"""The customer's web app (Gradio, mounted at `/`): sign in, chat, confirm the return.

Every turn goes through `ConversationService.stream`, so the reply appears as it is written, tool
activity shows as collapsible "what I checked" entries, and the confirmation card's buttons answer
the graph's interrupt. The chat transcript lives in a per-browser `gr.State`; the conversation
itself is in the checkpointer, so nothing is lost when the page reloads mid-turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from core import languages
from ui.conversation import ConversationError, ConversationService, TurnResult
from ui.feedback import record_feedback
from ui.gradio_cards import confirmation_card, finish_trace, side_panel, trace_message
from ui.gradio_label import label_image, label_result
from ui.i18n import error_text, language_names, quick_replies as common_replies, t
from ui.streaming import Token, ToolFinished, ToolStarted, TurnDone, TurnEvent, detached

log = logging.getLogger(__name__)
QUICK_SLOTS = 4
THEME = gr.themes.Soft(primary_hue="teal")
CSS = """
#mode-badge { padding: 6px 12px; border-radius: 8px; background: var(--block-background-fill); }
#confirm-card { border: 2px solid var(--color-accent); border-radius: 10px; padding: 8px; }
#side-panel table { width: 100%; }
#side-panel { overflow-wrap: anywhere; }
#return-label img { object-fit: contain; }
"""


def quick_replies(result: TurnResult | None, language: str) -> list[str]:
    """The assistant's own suggestions first, then the common next steps (none while a card waits)."""
    if result is not None and result.pending is not None:
        return []
    suggested = (result.quick_replies if result else []) + common_replies(language)
    return list(dict.fromkeys(suggested))[:QUICK_SLOTS]


def quick_updates(replies: list[str]) -> list[Any]:
    return [gr.update(value=replies[i], visible=True) if i < len(replies) else gr.update(visible=False)
            for i in range(QUICK_SLOTS)]


def build_blocks(conversations: ConversationService) -> gr.Blocks:  # noqa: C901 (one UI, wired in one place)
    names = language_names()  # "English" -> "en", "中文" -> "zh", ... every registered language
    with gr.Blocks(title="ReturnDesk") as blocks:
        session_id = gr.State(None)
        language = gr.State("en")
        transcript = gr.State([])
        action_id = gr.State(None)
        reply_index = gr.State({})  # chat position -> history index, for thumbs up / down

        with gr.Row():
            title = gr.Markdown(t("title", "en"))
            language_switch = gr.Radio(list(names), value=languages.get(None).name, show_label=False,
                                       elem_id="language-switch", scale=0, min_width=200)
        badge = gr.Markdown(t(f"badge_{conversations.mode}", "en"), elem_id="mode-badge")

        with gr.Column(visible=True, elem_id="sign-in") as sign_in_box:
            with gr.Tabs():
                with gr.Tab(t("tab_email", "en"), id="by-email") as tab_email:
                    email = gr.Textbox(label=t("email", "en"), elem_id="email")
                    order_number = gr.Textbox(label=t("order", "en"), placeholder="#W1000001", elem_id="order-number")
                    email_button = gr.Button(t("sign_in", "en"), variant="primary", elem_id="sign-in-button")
                with gr.Tab(t("tab_name", "en"), id="by-name") as tab_name:
                    full_name = gr.Textbox(label=t("name", "en"), elem_id="full-name")
                    postcode = gr.Textbox(label=t("postcode", "en"), elem_id="postcode")
                    name_button = gr.Button(t("sign_in", "en"), variant="primary", elem_id="sign-in-name-button")
            # Staff only: shown when the server allows recording (RETURNDESK_RECORD_DIR) and does not record all.
            record = gr.Checkbox(False, label="Record this session for QA (staff)", elem_id="record-session",
                                 visible=conversations.can_record and not conversations.settings.record_all)
            sign_in_error = gr.Markdown(elem_id="sign-in-error")

        with gr.Row(visible=False, elem_id="chat") as chat_box:
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="ReturnDesk", height=520, elem_id="chatbot",
                                     group_consecutive_messages=False)
                with gr.Group(visible=False, elem_id="confirm-card") as card:
                    card_text = gr.Markdown(elem_id="confirm-card-text")
                    with gr.Row():
                        confirm_button = gr.Button(t("confirm", "en"), variant="primary", elem_id="confirm-button")
                        cancel_button = gr.Button(t("cancel", "en"), elem_id="cancel-button")
                with gr.Row(elem_id="quick-replies"):
                    quick = [gr.Button(visible=False, size="sm", elem_id=f"quick-{i}") for i in range(QUICK_SLOTS)]
                with gr.Row():
                    message = gr.Textbox(show_label=False, placeholder=t("placeholder", "en"), scale=5,
                                         elem_id="message", max_length=4000)
                    send_button = gr.Button(t("send", "en"), variant="primary", scale=1, elem_id="send-button")
                handoff_button = gr.Button(t("handoff", "en"), size="sm", elem_id="handoff-button")
            with gr.Column(scale=2):
                panel = gr.Markdown(elem_id="side-panel")
                # No label over the image (it would cover the label's own header); the card above names it.
                label_view = gr.Image(label=t("label", "en"), show_label=False, visible=False, elem_id="return-label",
                                      format="png", interactive=False, buttons=["download", "fullscreen"])

        # Everything whose words change with the language (the switch, or a message in the other language).
        def texts(lang: str) -> dict[Any, Any]:
            return {
                language: lang, language_switch: languages.get(lang).name,
                title: t("title", lang), badge: t(f"badge_{conversations.mode}", lang),
                tab_email: gr.update(label=t("tab_email", lang)), tab_name: gr.update(label=t("tab_name", lang)),
                email: gr.update(label=t("email", lang)), order_number: gr.update(label=t("order", lang)),
                full_name: gr.update(label=t("name", lang)), postcode: gr.update(label=t("postcode", lang)),
                email_button: t("sign_in", lang), name_button: t("sign_in", lang), send_button: t("send", lang),
                message: gr.update(placeholder=t("placeholder", lang)), confirm_button: t("confirm", lang),
                cancel_button: t("cancel", lang), handoff_button: t("handoff", lang),
                label_view: gr.update(label=t("label", lang)),
            }

        text_outputs = [language, language_switch, title, badge, tab_email, tab_name, email, order_number, full_name,
                        postcode, email_button, name_button, send_button, message, confirm_button, cancel_button,
                        handoff_button, label_view]
        turn_outputs = list(dict.fromkeys([chatbot, transcript, card, card_text, action_id, badge, panel,
                                           reply_index, message, *quick, *text_outputs]))

        # --- sign in ----------------------------------------------------------------------------
        def signed_in(sign_in: Callable[[], Any], lang: str) -> dict:
            try:
                info = sign_in()
            except ConversationError as error:
                return {sign_in_error: f"⚠️ {error_text(error.code, str(error), lang)}"}
            conversations.set_language(info.session_id, lang)  # what the customer sees is what they get
            greeting = [{"role": "assistant", "content": t("greeting", lang, name=info.customer_name)}]
            return {session_id: info.session_id, sign_in_box: gr.update(visible=False),
                    chat_box: gr.update(visible=True), sign_in_error: "", transcript: greeting,
                    chatbot: greeting, reply_index: {},
                    **dict(zip(quick, quick_updates(quick_replies(None, lang)), strict=True))}

        sign_in_outputs = [session_id, sign_in_box, chat_box, sign_in_error, transcript, chatbot, reply_index, *quick]
        email_button.click(lambda e, o, lang, rec: signed_in(
            lambda: conversations.sign_in(email=e, order_id=o, record=rec), lang),
            [email, order_number, language, record], sign_in_outputs)
        name_button.click(lambda n, p, lang, rec: signed_in(
            lambda: conversations.sign_in(name=n, postcode=p, record=rec), lang),
            [full_name, postcode, language, record], sign_in_outputs)

        # --- a turn, streamed -------------------------------------------------------------------
        def run_turn(sid: str | None, lang: str, messages: list, replies: dict, shown: str,
                     start: Callable[[], Iterator[TurnEvent]]) -> Iterator[dict]:
            messages = [*messages, {"role": "user", "content": shown}]
            yield {chatbot: messages, transcript: messages, message: "", card: gr.update(visible=False)}
            reply: dict[str, Any] | None = None
            traces: dict[str, dict[str, Any]] = {}
            try:
                if not sid:
                    raise ConversationError(t("sign_in_needed", lang))  # already in the customer's words
                for event in detached(start()):
                    if isinstance(event, Token):
                        if reply is None:
                            reply = {"role": "assistant", "content": ""}
                            messages.append(reply)
                        reply["content"] += event.text
                    elif isinstance(event, ToolStarted):
                        traces[event.call_id] = trace_message(event, lang)
                        messages.append(traces[event.call_id])
                        reply = None  # text after a tool call is a new answer
                    elif isinstance(event, ToolFinished):
                        if event.call_id not in traces:  # proposed in an earlier turn, run now (confirmed)
                            traces[event.call_id] = trace_message(ToolStarted(event.call_id, event.tool, {}), lang)
                            messages.append(traces[event.call_id])
                        finish_trace(traces[event.call_id], event, lang)
                    elif isinstance(event, TurnDone):
                        for trace in traces.values():  # a call waiting on the card is no longer running
                            trace["metadata"] = {**trace["metadata"], "status": "done"}
                        yield finished(event.result, sid, lang, messages, reply, replies)
                        return
                    yield {chatbot: [dict(m) for m in messages]}
            except ConversationError as error:
                problem = error_text(error.code, str(error), lang) if sid else str(error)
            except Exception:  # the customer sees an apology, the log keeps the trace
                log.exception("turn failed")
                problem = t("sorry", lang)
            messages.append({"role": "assistant", "content": f"⚠️ {problem}"})
            yield {chatbot: messages, transcript: messages}

        def finished(result: TurnResult, sid: str, lang: str, messages: list, reply: dict | None,
                     replies: dict) -> dict:
            if reply is None and result.reply:
                reply = {"role": "assistant", "content": ""}
                messages.append(reply)
            if reply is not None:
                reply["content"] = result.reply  # the final text is the truth, whatever streamed
                history = conversations.history(sid)
                if history and history[-1]["role"] == "assistant":
                    replies = {**replies, len(messages) - 1: len(history) - 1}
            tool_results = {entry.tool: entry.result for entry in result.tool_trace if isinstance(entry.result, dict)}
            lang = languages.resolve(result.language) or lang  # the reply's language
            conversations.set_language(sid, lang)  # the next "#W1000012" is answered in it too
            update: dict[Any, Any] = {
                **texts(lang),
                chatbot: [dict(m) for m in messages], transcript: messages, reply_index: replies,
                badge: t(f"badge_{result.mode}", lang),
                card: gr.update(visible=result.pending is not None),
                card_text: confirmation_card(result.pending, lang) if result.pending else "",
                action_id: result.pending.action_id if result.pending else None,
                **dict(zip(quick, quick_updates(quick_replies(result, lang)), strict=True)),
            }
            labelled = label_result(tool_results)  # a new return, or a status check that fetched its label
            image = label_image(conversations.settings, labelled) if labelled else None
            if cards := side_panel(tool_results, lang, label_loaded=image is not None):
                update[panel] = cards
                update[label_view] = gr.update(value=image, visible=image is not None, label=t("label", lang))
            return update

        def send(sid: str | None, text: str, lang: str, messages: list, replies: dict) -> Iterator[dict]:
            if not (text or "").strip():
                return
            lang = languages.detect(text, lang)  # a Chinese message gets Chinese cards, like its reply
            yield from run_turn(sid, lang, messages, replies, text, lambda: conversations.stream(sid or "", text))

        def resolve(sid: str | None, action: str | None, lang: str, messages: list, replies: dict,
                    approved: bool) -> Iterator[dict]:
            shown = t("you_confirmed" if approved else "you_cancelled", lang)
            yield from run_turn(sid, lang, messages, replies, shown, lambda: conversations.stream_resolve(
                sid or "", approved=approved, action_id=action))

        turn_inputs = [session_id, message, language, transcript, reply_index]
        send_button.click(send, turn_inputs, turn_outputs)
        message.submit(send, turn_inputs, turn_outputs)
        for button in quick:
            button.click(send, [session_id, button, language, transcript, reply_index], turn_outputs)
        handoff_button.click(lambda sid, lang, m, r: (yield from send(sid, t("handoff_message", lang), lang, m, r)),
                             [session_id, language, transcript, reply_index], turn_outputs)
        resolve_inputs = [session_id, action_id, language, transcript, reply_index]
        confirm_button.click(lambda s, a, lang, m, r: (yield from resolve(s, a, lang, m, r, True)),
                             resolve_inputs, turn_outputs)
        cancel_button.click(lambda s, a, lang, m, r: (yield from resolve(s, a, lang, m, r, False)),
                            resolve_inputs, turn_outputs)

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

        chatbot.like(rate, [session_id, reply_index, language], None)

        # --- the language switch -----------------------------------------------------------------
        def switch(choice: str, sid: str | None) -> dict:
            lang = names.get(choice, languages.DEFAULT)
            update = texts(lang)
            if sid:
                conversations.set_language(sid, lang)  # replies to "#W1000012" follow the screen's language
                update |= dict(zip(quick, quick_updates(quick_replies(None, lang)), strict=True))
            return update

        # `input`, not `change`: a turn that switches the language updates the radio itself.
        language_switch.input(switch, [language_switch, session_id], [*text_outputs, *quick])
    return blocks
