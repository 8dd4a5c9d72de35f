"""The customer's web app (Gradio, mounted at `/`): sign in, chat, confirm the return."""

from __future__ import annotations

import json
import logging
from typing import Any

import gradio as gr

from ui.conversation import ConversationError, ConversationService, TurnResult

log = logging.getLogger(__name__)

MODE_BADGE = {
    "guided": "🧭 **Guided mode**: answers come from ReturnDesk's scripted assistant, not the AI model.",
    "model": "🤖 **AI model**: answers come from Qwen3-4B.",
}


def _trace_messages(result: TurnResult) -> list[dict[str, Any]]:
    """Tool activity as collapsible 'what I checked' entries."""
    return [
        {
            "role": "assistant",
            "content": f"arguments: `{json.dumps(entry.args, ensure_ascii=False)}`\n\n"
                       f"result: `{json.dumps(entry.result, ensure_ascii=False)[:600]}`",
            "metadata": {"title": f"🔎 What I checked: {entry.tool}", "status": "done"},
        }
        for entry in result.tool_trace
    ]


def _card(result: TurnResult) -> tuple[Any, str, str | None]:
    pending = result.pending
    if pending is None:
        return gr.update(visible=False), "", None
    rows = "\n".join(f"| {i.product} | {i.quantity} | {i.refund} |" for i in pending.items)
    text = f"### Please confirm\n{pending.summary}\n\n| Item | Qty | Refund |\n|---|---|---|\n{rows}"
    if pending.refund_amount:  # a cancellation card has no refund to announce
        text += f"\n\n**Refund:** {pending.refund_amount} to {pending.refund_method}"
    return gr.update(visible=True), text, pending.action_id


def build_blocks(conversations: ConversationService) -> gr.Blocks:
    def sign_in(email: str, order_id: str):  # noqa: ANN202
        try:
            info = conversations.sign_in(email=email, order_id=order_id)
        except ConversationError as error:
            return None, gr.update(), gr.update(), f"⚠️ {error}", [], ""
        greeting = {"role": "assistant", "content": f"Hi {info.customer_name}! How can I help with your order today?"}
        return (info.session_id, gr.update(visible=False), gr.update(visible=True), "", [greeting],
                MODE_BADGE[conversations.mode])

    def apply(history: list, result: TurnResult):  # noqa: ANN202
        history = history + _trace_messages(result)
        if result.reply:
            history.append({"role": "assistant", "content": result.reply})
        card_visible, card_text, action_id = _card(result)
        return history, card_visible, card_text, action_id, MODE_BADGE.get(result.mode, "")

    def safely(history: list, call):  # noqa: ANN001, ANN202
        try:
            return apply(history, call())
        except ConversationError as error:
            message = str(error)
        except Exception:  # the customer sees an apology, the log keeps the trace
            log.exception("turn failed")
            message = "Sorry, something went wrong on our side. Your conversation is safe; please try again."
        history = history + [{"role": "assistant", "content": f"⚠️ {message}"}]
        return history, gr.update(), gr.update(), gr.update(), gr.update()

    def send(session_id: str | None, text: str, history: list):  # noqa: ANN202
        if not session_id:
            return history, gr.update(), gr.update(), gr.update(), gr.update(), text
        history = history + [{"role": "user", "content": text}]
        return (*safely(history, lambda: conversations.send(session_id, text)), "")

    def resolve(session_id: str | None, action_id: str | None, history: list, approved: bool):  # noqa: ANN202
        history = history + [{"role": "user", "content": "✅ Confirm" if approved else "✖️ Cancel"}]
        return safely(history, lambda: conversations.resolve(session_id or "", approved=approved, action_id=action_id))

    with gr.Blocks(title="ReturnDesk") as blocks:
        session_id = gr.State(None)
        action_id = gr.State(None)
        gr.Markdown("# ReturnDesk\nReturns and delivery help for your orders.")
        with gr.Column(visible=True, elem_id="sign-in") as sign_in_box:
            email = gr.Textbox(label="Email", elem_id="email")
            order_number = gr.Textbox(label="Order number", placeholder="#W1000001", elem_id="order-number")
            sign_in_button = gr.Button("Sign in", variant="primary", elem_id="sign-in-button")
            sign_in_error = gr.Markdown(elem_id="sign-in-error")
        with gr.Column(visible=False, elem_id="chat") as chat_box:
            badge = gr.Markdown(elem_id="mode-badge")
            chatbot = gr.Chatbot(label="ReturnDesk", height=480, elem_id="chatbot")
            with gr.Group(visible=False, elem_id="confirm-card") as card:
                card_text = gr.Markdown()
                with gr.Row():
                    confirm_button = gr.Button("Confirm", variant="primary", elem_id="confirm-button")
                    cancel_button = gr.Button("Cancel", elem_id="cancel-button")
            with gr.Row():
                message = gr.Textbox(show_label=False, placeholder="Type your message…", scale=5, elem_id="message")
                send_button = gr.Button("Send", variant="primary", scale=1, elem_id="send-button")

        sign_in_button.click(sign_in, [email, order_number],
                             [session_id, sign_in_box, chat_box, sign_in_error, chatbot, badge])
        turn_outputs = [chatbot, card, card_text, action_id, badge]
        for trigger in (send_button.click, message.submit):
            trigger(send, [session_id, message, chatbot], [*turn_outputs, message])
        confirm_button.click(lambda s, a, h: resolve(s, a, h, True), [session_id, action_id, chatbot], turn_outputs)
        cancel_button.click(lambda s, a, h: resolve(s, a, h, False), [session_id, action_id, chatbot], turn_outputs)
    return blocks
