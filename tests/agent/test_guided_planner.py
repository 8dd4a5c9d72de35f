"""Guided mode's planner on message lists: the steps whose tools live in other branches, and streaming."""

from __future__ import annotations

import json
import re

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.guided import GuidedChatModel, plan_next_step


def assist(*messages: BaseMessage) -> list[BaseMessage]:
    return [SystemMessage("prompt", response_metadata={"returndesk_phase": "assist"}), *messages]


def identify(*messages: BaseMessage) -> list[BaseMessage]:
    return [SystemMessage("prompt", response_metadata={"returndesk_phase": "identify"}), *messages]


def result(name: str, call_id: str = "c1", **data: object) -> ToolMessage:
    return ToolMessage(content=json.dumps({"ok": True, **data}, ensure_ascii=False), name=name, tool_call_id=call_id)


def called(message: AIMessage) -> tuple[str, dict]:
    [call] = message.tool_calls
    return call["name"], call["args"]


def test_where_is_my_parcel_tracks_the_order_in_english_and_chinese() -> None:
    assert called(plan_next_step(assist(HumanMessage("where is my parcel from #W1000004?")))) == (
        "track_shipment",
        {"order_id": "#W1000004"},
    )
    assert called(plan_next_step(assist(HumanMessage("我的快递到哪了?订单 #W1000012")))) == (
        "track_shipment",
        {"order_id": "#W1000012"},
    )
    assert called(plan_next_step(assist(HumanMessage("track RD100000004")))) == (
        "track_shipment",
        {"tracking_number": "RD100000004"},
    )


def test_tracking_without_an_order_number_finds_the_shipped_order() -> None:
    listed = result(
        "list_orders",
        orders=[
            {"order_id": "#W1000001", "status": "delivered", "ordered_at": "2025-01-01"},
            {"order_id": "#W1000004", "status": "shipped", "ordered_at": "2025-01-02"},
        ],
    )
    step = plan_next_step(
        assist(
            HumanMessage("where's my package?"),
            AIMessage("", tool_calls=[{"name": "list_orders", "args": {}, "id": "c1"}]),
            listed,
        )
    )
    assert called(step) == ("track_shipment", {"order_id": "#W1000004"})


def test_a_shipment_answer_names_each_parcel_its_status_and_place() -> None:
    tracked = result(
        "track_shipment",
        order_id="#W1000004",
        order_status="shipped",
        parcels=[
            {
                "tracking_number": "RD100000004",
                "status": "in_transit",
                "status_text": "In transit",
                "estimated_delivery": "2026-11-27",
                "events": [{"status": "in_transit", "description": "Departed the hub", "location": "Oakland hub"}],
            }
        ],
    )
    reply = plan_next_step(
        assist(
            HumanMessage("track #W1000004"),
            AIMessage("", tool_calls=[{"name": "track_shipment", "args": {}, "id": "c1"}]),
            tracked,
        )
    )
    assert "RD100000004" in reply.content and "In transit" in reply.content and "Oakland hub" in reply.content
    assert "Expected: Nov 27, 2026." in reply.content and "Departed the hub" in reply.content


def test_policy_questions_search_the_help_centre_and_cite_document_and_heading() -> None:
    assert called(plan_next_step(assist(HumanMessage("How long do I have to return shoes?")))) == (
        "search_help_centre",
        {"query": "How long do I have to return shoes?", "language": "en"},
    )
    assert called(plan_next_step(identify(HumanMessage("退货政策是什么?"))))[0] == "search_help_centre"
    found = result(
        "search_help_centre",
        passages=[{"title": "Returns policy", "heading": "Return windows", "text": "Clothing: 30 days."}],
    )
    reply = plan_next_step(
        assist(
            HumanMessage("how long can I return clothes?"),
            AIMessage("", tool_calls=[{"name": "search_help_centre", "args": {}, "id": "c1"}]),
            found,
        )
    )
    assert "Returns policy › Return windows" in reply.content and "Clothing: 30 days." in reply.content


def test_return_status_and_cancel_use_the_rma() -> None:
    assert called(plan_next_step(assist(HumanMessage("what's the status of my return RMA-1A2B3C4D?")))) == (
        "get_return_status",
        {"rma": "RMA-1A2B3C4D"},
    )
    assert called(plan_next_step(assist(HumanMessage("取消退货 RMA-1A2B3C4D")))) == (
        "cancel_return",
        {"rma": "RMA-1A2B3C4D"},
    )
    asked = plan_next_step(assist(HumanMessage("Return status")))
    assert not asked.tool_calls and "RMA" in asked.content


def test_asking_for_a_person_calls_transfer_to_human_in_both_languages() -> None:
    assert called(plan_next_step(assist(HumanMessage("人工客服"))))[0] == "transfer_to_human"
    assert called(plan_next_step(identify(HumanMessage("can I talk to a real person?"))))[0] == "transfer_to_human"


def test_not_understanding_twice_offers_a_person_and_only_a_yes_to_that_offer_hands_off() -> None:
    first = plan_next_step(assist(HumanMessage("blorp")))
    assert not first.tool_calls
    second = plan_next_step(assist(HumanMessage("blorp"), first, HumanMessage("zzz")))
    assert not second.tool_calls and "pass you to a person?" in second.content
    third = plan_next_step(assist(HumanMessage("blorp"), first, HumanMessage("zzz"), second, HumanMessage("yes")))
    assert called(third)[0] == "transfer_to_human"


def test_unverified_customers_are_asked_to_verify_and_their_details_are_sent_to_verify_customer() -> None:
    asked = plan_next_step(identify(HumanMessage("I want to return my headphones")))
    assert not asked.tool_calls and "email" in asked.content
    assert called(plan_next_step(identify(HumanMessage("alice@example.com #W1000001")))) == (
        "verify_customer",
        {"email": "alice@example.com", "order_id": "#W1000001"},
    )
    assert called(plan_next_step(identify(HumanMessage("我叫王芳,邮编 200001")))) == (
        "verify_customer",
        {"name": "王芳", "postcode": "200001"},
    )


def test_several_items_and_none_named_asks_which_with_buttons_in_chinese() -> None:
    order = {
        "order_id": "#W1000001",
        "status": "delivered",
        "items": [
            {
                "order_item_id": 1,
                "product": "无线耳机",
                "product_en": "Wireless Headphones",
                "quantity": 1,
                "quantity_returned": 0,
            },
            {"order_item_id": 2, "product": "USB-C Cable", "quantity": 2, "quantity_returned": 0},
        ],
    }  # no Chinese name
    reply = plan_next_step(
        assist(
            HumanMessage("我要退货 #W1000001"),
            AIMessage("", tool_calls=[{"name": "lookup_order", "args": {}, "id": "c1"}]),
            result("lookup_order", order=order),
        )
    )
    assert not reply.tool_calls and "哪些商品" in reply.content
    assert reply.response_metadata["quick_replies"] == ["无线耳机", "USB-C Cable", "全部商品"]


def test_the_guided_model_streams_its_reply_in_small_chunks() -> None:
    model = GuidedChatModel()
    chunks = list(model.stream([HumanMessage("hello")]))
    assert len(chunks) > 5 and all(isinstance(c, AIMessageChunk) for c in chunks)
    whole = model.invoke([HumanMessage("hello")])
    assert "".join(str(c.content) for c in chunks) == whole.content
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert merged.response_metadata["returndesk_mode"] == "guided"


def test_a_streamed_tool_call_arrives_whole() -> None:
    chunks = list(GuidedChatModel().stream(assist(HumanMessage("return the headphones from #W1000001"))))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [("lookup_order", {"order_id": "#W1000001"})]


# As lookup_order gives them to a Chinese-speaking customer: the name in Chinese, and in English.
ORDER_1 = {
    "order_id": "#W1000001",
    "status": "delivered",
    "items": [
        {
            "order_item_id": 1,
            "product": "无线耳机",
            "product_en": "Wireless Headphones",
            "quantity": 1,
            "quantity_returned": 0,
        },
        {
            "order_item_id": 2,
            "product": "USB-C 数据线",
            "product_en": "USB-C Cable",
            "quantity": 2,
            "quantity_returned": 0,
        },
    ],
}
ORDER_11_ZH = {
    "order_id": "#W1000011",
    "status": "delivered",
    "items": [
        {
            "order_item_id": 11,
            "product": "无线耳机",
            "product_en": "Wireless Headphones",
            "quantity": 1,
            "quantity_returned": 0,
        }
    ],
}
ORDER_11 = {
    "order_id": "#W1000011",
    "status": "delivered",
    "items": [  # to an English-speaking one
        {"order_item_id": 11, "product": "Wireless Headphones", "quantity": 1, "quantity_returned": 0}
    ],
}


def after_lookup(text: str, order: dict) -> AIMessage:
    return plan_next_step(
        assist(
            HumanMessage(text),
            AIMessage("", tool_calls=[{"name": "lookup_order", "args": {}, "id": "c1"}]),
            result("lookup_order", order=order),
        )
    )


def test_a_product_the_order_does_not_hold_is_never_proposed_even_on_a_single_item_order() -> None:
    for text, order in (
        ("return the desk lamp from #W1000011", ORDER_11),
        ("我想退订单 #W1000011 里的台灯", ORDER_11_ZH),
    ):
        reply = after_lookup(text, order)
        assert not reply.tool_calls, text
        assert reply.response_metadata["guided"]["awaiting"] == "items"
    assert "Wireless Headphones" in after_lookup("return the desk lamp from #W1000011", ORDER_11).content
    assert "无线耳机" in after_lookup("我想退订单 #W1000011 里的台灯", ORDER_11_ZH).content


def test_a_single_item_order_is_proposed_when_the_customer_names_it_or_nothing_else() -> None:
    for text in ("I want to return order #W1000011", "我想退订单 #W1000011 里的耳机", "退货 #W1000011"):
        assert called(after_lookup(text, ORDER_11_ZH)) == (
            "check_return_eligibility",
            {"order_id": "#W1000011", "items": [{"order_item_id": 11, "quantity": 1}], "damaged": False},
        ), text


def test_chinese_product_names_and_quantities_choose_the_items() -> None:
    _name, args = called(after_lookup("我想退订单 #W1000001 的一根数据线", ORDER_1))
    assert args["items"] == [{"order_item_id": 2, "quantity": 1}]
    _name, args = called(after_lookup("return the headphones and 1 USB-C cable from #W1000001", ORDER_1))
    assert args["items"] == [{"order_item_id": 1, "quantity": 1}, {"order_item_id": 2, "quantity": 1}]
    _name, args = called(after_lookup("return 5 cables from #W1000001", ORDER_1))
    assert args["items"] == [{"order_item_id": 2, "quantity": 2}]  # never more than was bought


def test_the_return_created_reply_gives_the_label() -> None:
    created = result(
        "create_return",
        rma="RMA-1A2B3C4D",
        order_id="#W1000001",
        refund_method="original_payment",
        refund_amount="89.99",
        label={"status": "created", "url": "http://carrier/l.png", "tracking_number": "RR1"},
        label_message="Print your return label: http://carrier/l.png (tracking number RR1).",
    )
    reply = plan_next_step(
        assist(
            HumanMessage("yes"), AIMessage("", tool_calls=[{"name": "create_return", "args": {}, "id": "c1"}]), created
        )
    )
    assert "RMA-1A2B3C4D" in reply.content and "http://carrier/l.png" in reply.content


def test_a_lost_parcel_offers_a_person_and_yes_opens_the_hand_off() -> None:
    lost = result(
        "track_shipment",
        order_id="#W1000013",
        order_status="shipped",
        parcels=[{"tracking_number": "RD100000008", "status": "lost", "status_text": "运输途中丢失", "events": []}],
    )
    offer = plan_next_step(
        assist(
            HumanMessage("我的快递到哪了? #W1000013"),
            AIMessage("", tool_calls=[{"name": "track_shipment", "args": {}, "id": "c1"}]),
            lost,
        )
    )
    assert "运输途中丢失" in offer.content and "人工客服" in offer.response_metadata["quick_replies"]
    step = plan_next_step(assist(HumanMessage("我的快递到哪了? #W1000013"), offer, HumanMessage("好的")))
    assert called(step) == ("transfer_to_human", {"reason": "Parcel of order #W1000013 lost in transit."})


def test_carrier_down_is_said_in_the_customers_language() -> None:
    down = ToolMessage(
        content=json.dumps(
            {"ok": False, "code": "carrier_unavailable", "error": "The carrier's system is not answering right now."}
        ),
        name="track_shipment",
        tool_call_id="c1",
    )
    reply = plan_next_step(
        assist(
            HumanMessage("我的快递到哪了? #W1000012"),
            AIMessage("", tool_calls=[{"name": "track_shipment", "args": {}, "id": "c1"}]),
            down,
        )
    )
    assert "承运商" in reply.content and "carrier" not in reply.content


def test_an_email_and_order_number_do_not_switch_a_chinese_conversation_to_english() -> None:
    reply = plan_next_step(identify(HumanMessage("我想退耳机"), AIMessage("请验证"), HumanMessage("nobody@example.cn")))
    assert "邮箱" in reply.content


def test_asking_for_the_rma_states_no_made_up_number() -> None:
    asked = plan_next_step(assist(HumanMessage("what is the status of my return?")))
    assert "RMA" in asked.content and not re.search(r"RMA-[0-9A-Z]{4,}", asked.content)
    assert called(plan_next_step(assist(HumanMessage("Cancel this return RMA-1A2B3C4D"))))[0] == "cancel_return"
