"""QA: conversations written by hand or recorded from real sessions, replayed offline with a readable diff."""
