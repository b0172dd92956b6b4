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

  // A time typed without a zone that names no single moment there (contract v1.2): refused
  // with the reason before anything is sent.
  class LocalTimeRefused extends Error {}

  // The wall clock of `moment` in `zone`, as milliseconds of a UTC date with the same fields.
  function wallOf(moment, zone) {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(moment);
    const get = (type) => Number(parts.find((p) => p.type === type).value);
    return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  }

  // "2026-11-24T16:00" read in the server's time zone (IANA name), as RFC 3339 UTC; a time
  // the clocks skip there, or pass twice, is refused.
  function zoned(local, zone) {
    const wall = new Date(local + ":00Z").getTime();
    const offsetAt = (t) => wallOf(new Date(t), zone) - t;
    const candidates = [wall - 86400000, wall + 86400000]
      .map((around) => wall - offsetAt(around))
      .filter((t, i, all) => all.indexOf(t) === i && wallOf(new Date(t), zone) === wall);
    const where = `${local.replace("T", " ")} ${zone}`;
    if (candidates.length === 0) throw new LocalTimeRefused(`${where}: this time does not exist (the clocks go forward then)`);
    if (candidates.length > 1) throw new LocalTimeRefused(`${where}: this time happens twice (the clocks go back then); give another time`);
    return new Date(candidates[0]).toISOString();
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
    let body;
    try { body = payloadOf(form); } catch (e) {
      if (!(e instanceof LocalTimeRefused)) throw e;
      show(form.querySelector(".form-status"), "failed", e.message);
      return;
    }
    const item = { key: newKey(), url: form.dataset.url, body: body, form: form.id, label: form.dataset.label || form.dataset.url };
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
