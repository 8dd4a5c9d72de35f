"""The application service: conversations, sessions, sign-in, streaming events, feedback, metrics.

The doors in `ui/` (FastAPI, Gradio, CLI) call it; it knows no screen and imports neither `ui` nor `qa`.
"""
