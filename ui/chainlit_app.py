"""The seed article's Chainlit front end, pointed at ReturnDesk's OpenAI-compatible route.

Install with `pip install -e '.[chainlit]'`, start `returndesk serve`, then
`chainlit run ui/chainlit_app.py`. Compared with the article's app.py only `base_url` changed, plus
`user=` so one Chainlit chat is one ReturnDesk conversation (without it every message would start
a new anonymous session: the route keeps the conversation, not the client).
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
        stream = client.chat.completions.create(
            model="Qwen3-4B-Instruct-2507",
            messages=[{"role": "user", "content": message.content}],
            max_tokens=1024,
            temperature=0.7,
            stream=True,  # 启用流式输出
            user=cl.user_session.get("id"),  # 同一个 Chainlit 会话 = 同一个 ReturnDesk 对话
        )
        # 逐块接收并更新前端显示
        for chunk in stream:
            if chunk.choices[0].delta.content:
                await msg.stream_token(chunk.choices[0].delta.content)
        # 完成响应
        await msg.update()
    except Exception as e:
        await msg.edit(f"调用模型时发生错误:{str(e)}")
