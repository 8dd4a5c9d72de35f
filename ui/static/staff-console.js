// The staff console: refreshes the live part of the page, and sends the actions to /v1/staff.
(() => {
  const live = document.getElementById("live");
  const problem = document.getElementById("problem");
  const pollMs = Number(document.body.dataset.pollMs) || 2000;

  function show(message) {
    if (!problem) return;
    problem.textContent = message || "";
    problem.hidden = !message;
  }

  async function refresh() {
    if (!live) return;
    const answer = await fetch(live.dataset.fragment, { headers: { accept: "text/html" } });
    if (answer.status === 401) { location.href = "/staff/login"; return; }
    if (!answer.ok) return;
    const html = await answer.text();
    const box = document.createElement("div");
    box.innerHTML = html;
    const now = live.querySelector("[data-signature]"), next = box.querySelector("[data-signature]");
    // The ticket view is replaced only when something changed, so a half-typed note is kept.
    if (now && next && now.dataset.signature === next.dataset.signature) {
      live.querySelectorAll(".facts").forEach((el, i) => { el.innerHTML = box.querySelectorAll(".facts")[i].innerHTML; });
      return;
    }
    live.innerHTML = html;
    const list = live.querySelector(".messages");
    if (list) list.scrollTop = list.scrollHeight;
  }

  async function act(path, body) {
    show("");
    const answer = await fetch(path, { method: "POST", headers: { "content-type": "application/json" },
                                       body: JSON.stringify(body || {}) });
    if (answer.status === 401) { location.href = "/staff/login"; return false; }
    if (!answer.ok) {
      const data = await answer.json().catch(() => ({}));
      show((data.error && data.error.message) || `Something went wrong (${answer.status}).`);
      return false;
    }
    await refresh();
    return true;
  }

  // Drafts (agent-assist): approve, edit and send, reject (with an optional reply of one's own).
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-draft-action]");
    if (!button) return;
    const id = button.dataset.id, action = button.dataset.draftAction;
    const body = action === "edit" ? { text: document.getElementById(`edit-${id}`).value }
      : action === "reject" ? { text: document.getElementById(`own-${id}`).value }
      : action === "mode" ? { mode: button.dataset.mode } : {};
    button.disabled = true;
    try { await act(`/v1/staff/drafts/${id}/${action}`, body); } finally { button.disabled = false; }
  });

  // Feedback: mark a thumbs-down reviewed (it leaves the queue).
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-reviewed]");
    if (!button) return;
    button.disabled = true;
    if (await act(`/v1/staff/feedback/${button.dataset.reviewed}/reviewed`, {})) button.closest("li").remove();
    else button.disabled = false;
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || !live) return;
    const note = document.getElementById("closing-note");
    button.disabled = true;
    try {
      await act(`/v1/staff/tickets/${live.dataset.ticket}/${button.dataset.action}`,
                button.dataset.action === "claim" ? {} : { note: note ? note.value : "" });
    } finally { button.disabled = false; }
  });

  const form = document.getElementById("reply-form");
  if (form) {
    const text = document.getElementById("reply-text");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const send = document.getElementById("send-reply");
      send.disabled = true;
      try {
        if (await act(`/v1/staff/tickets/${form.dataset.ticket}/reply`, { text: text.value })) text.value = "";
      } finally { send.disabled = false; text.focus(); }
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
  }

  if (live) {
    const list = live.querySelector(".messages");
    if (list) list.scrollTop = list.scrollHeight;
    setInterval(() => { refresh().catch(() => {}); }, pollMs);
  }
})();
