"""`returndesk eval`: the model's quality measured on tasks, judged on the database's end state.

Each task (qa/eval/tasks/*.yaml, format in docs/eval.md) runs k times, each on a fresh world: a
seeded SQLite database and the carrier service on loopback. A trial passes when the database ends
exactly as the task expects (nothing else changed) and the replies state the facts it names. Scores
are pass^1 and pass^k per task, per language and overall, for ReturnDesk's graph and, with
`--baseline`, for a plain tool-calling agent with the same tools, prompt and model.

The service never imports this package.
"""
