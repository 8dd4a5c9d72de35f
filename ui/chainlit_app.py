"""The seed article's Chainlit front end, pointed at ReturnDesk's OpenAI-compatible route.

Install with `pip install -e '.[chainlit]'`, start `returndesk serve`, then
`chainlit run ui/chainlit_app.py`. Compared with the article's app.py only `base_url` changed, plus
the `X-Session-Id` the first answer returns, sent back with every later message so one Chainlit chat
is one ReturnDesk conversation (without it every message would start a new anonymous session). The id
is the conversation's secret: it stays in the Chainlit server's session, never in the browser.
"""

import os

import chainlit as cl
from openai import OpenAI

# 初始化 OpenAI 兼容客户端
client = OpenAI(
    base_url=os.environ.get("RETURNDESK_API_URL", "http://localhost:7860/v1"),  # ReturnDesk 服务地址
    api_key=os.environ.get("RETURNDESK_API_KEY") or "EMPTY",  # 未设置 RETURNDESK_API_KEY 时不需要
)


@cl.on_message
async def handle_message(message: cl.Message):
    # 开始等待响应
    msg = cl.Message(content="")
    await msg.send()
    try:
        # 调用 ReturnDesk 流式生成响应
        session_id = cl.user_session.get("returndesk_session")
        raw = client.chat.completions.with_raw_response.create(
            model="Qwen3-4B-Instruct-2507",
            messages=[{"role": "user", "content": message.content}],
            max_tokens=1024,
            temperature=0.7,
            stream=True,  # 启用流式输出
            # 同一个 Chainlit 会话 = 同一个 ReturnDesk 对话:带上服务器第一次返回的会话 ID
            extra_headers={"X-Session-Id": session_id} if session_id else None,
        )
        cl.user_session.set("returndesk_session", raw.headers.get("x-session-id"))
        stream = raw.parse()
        # 逐块接收并更新前端显示
        for chunk in stream:
            if chunk.choices[0].delta.content:
                await msg.stream_token(chunk.choices[0].delta.content)
        # 完成响应
        await msg.update()
    except Exception as e:
        await msg.edit(f"调用模型时发生错误:{e!s}")
