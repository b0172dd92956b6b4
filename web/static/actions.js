// Actions from the pages: each form is sent as JSON to the API with an Idempotency-Key.
// A form marked data-queue is first kept in localStorage ("repairdesk.outbox") with its key
// and removed only once the server has answered, so an action that could not be sent (no
// connection) is sent again when the connection returns, and applied once.
(function () {
  "use strict";
  const OUTBOX = "repairdesk.outbox";

  function newKey() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // "2026-11-24T16:00" read in the server's time zone (IANA name), as RFC 3339 UTC.
  function zoned(local, zone) {
    const guess = new Date(local + ":00Z");
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(guess);
    const get = (type) => Number(parts.find((p) => p.type === type).value);
    const shown = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
    return new Date(guess.getTime() - (shown - guess.getTime())).toISOString();
  }

  function put(target, path, value) {
    const steps = path.split(".");
    let at = target;
    steps.slice(0, -1).forEach((step, i) => {
      const nextIsIndex = /^\d+$/.test(steps[i + 1]);
      if (at[step] === undefined) at[step] = nextIsIndex ? [] : {};
      at = at[step];
    });
    at[steps[steps.length - 1]] = value;
  }

  function payloadOf(form) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") { if (el.checked) put(body, el.name, true); continue; }
      const raw = el.value.trim();
      if (raw === "") continue;
      let value = raw;
      if (el.dataset.kind === "int") value = /^\d+$/.test(raw) ? Number(raw) : raw;
      if (el.dataset.kind === "time") value = zoned(raw, form.dataset.zone);
      put(body, el.name, value);
    }
    if (Array.isArray(body.parts)) body.parts = body.parts.filter((p) => p !== undefined);
    return body;
  }

  const load = () => JSON.parse(localStorage.getItem(OUTBOX) || "[]");
  const save = (items) => localStorage.setItem(OUTBOX, JSON.stringify(items));

  function statusOf(formId) {
    const form = formId && document.getElementById(formId);
    return form ? form.querySelector(".form-status") : null;
  }

  function show(el, cls, text, errors) {
    if (!el) return;
    el.className = "form-status " + cls;
    el.textContent = text;
    if (errors && errors.length) {
      const list = document.createElement("ul");
      for (const e of errors) {
        const li = document.createElement("li");
        li.textContent = `${e.field}: ${e.message}`;
        list.appendChild(li);
      }
      el.appendChild(list);
    }
  }

  function banner() {
    const el = document.getElementById("outbox-banner");
    if (!el) return;
    const waiting = load();
    el.hidden = waiting.length === 0;
    el.textContent = waiting.length ? `${el.dataset.queued} (${waiting.map((i) => i.label).join(", ")})` : "";
  }

  async function send(item) {
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key },
      body: JSON.stringify(item.body),
    });
  }

  async function answered(item, response) {
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      show(statusOf(item.form), "sent", document.body.dataset.sent || "✓");
      return body;
    }
    show(statusOf(item.form), "failed", body.error || response.statusText, body.errors);
    return null;
  }

  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    let applied = false;
    try {
      for (const item of load()) {
        let response;
        try { response = await send(item); } catch (e) {
          show(statusOf(item.form), "queued", document.getElementById("outbox-banner").dataset.queued);
          break;
        }
        save(load().filter((i) => i.key !== item.key));
        if (await answered(item, response)) applied = true;
      }
    } finally {
      flushing = false;
      banner();
    }
    if (applied) location.reload();
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form.action")) return;
    event.preventDefault();
    if (!form.id) form.id = "form-" + form.dataset.url.replace(/[^A-Za-z0-9]+/g, "-");
    const item = { key: newKey(), url: form.dataset.url, body: payloadOf(form), form: form.id, label: form.dataset.label || form.dataset.url };
    if (form.dataset.queue) {
      save([...load(), item]);
      banner();
      return flush();
    }
    try {
      const body = await answered(item, await send(item));
      if (body && form.dataset.then === "case") location.href = "/cases/" + body.case_id;
    } catch (e) {
      show(form.querySelector(".form-status"), "failed", document.getElementById("outbox-banner").dataset.offline);
    }
  });

  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", () => { banner(); flush(); });
  setInterval(() => { if (navigator.onLine) flush(); }, 10000);
})();
