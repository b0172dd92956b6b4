// The office's board: each next deadline counts down in the browser between the server's
// refreshes (htmx, every 10 s), and its row turns amber from the warning share on and red once
// overdue, as the server draws them. At desktop width the "open a case" form starts closed,
// so the board fits the screen.
(function () {
  "use strict";

  function span(ms, lang) {
    const minutes = Math.floor(ms / 60000);
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    if (lang === "zh") return h ? `${h} 小时 ${m} 分` : `${m} 分钟`;
    return h ? `${h} h ${String(m).padStart(2, "0")} min` : `${m} min`;
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("table.board").forEach((table) => {
      table.querySelectorAll(".countdown").forEach((shown) => {
        const left = Date.parse(shown.dataset.due) - now;
        const warned = shown.dataset.warn && now >= Date.parse(shown.dataset.warn);
        const word = left >= 0 ? table.dataset.left : table.dataset.overdue;
        shown.textContent = `${word} ${span(Math.abs(left), table.dataset.lang)}`;
        const row = shown.closest("tr");
        row.classList.toggle("overdue", left < 0);
        row.classList.toggle("warned", left >= 0 && Boolean(warned));
        row.classList.toggle("running", left >= 0 && !warned);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (window.matchMedia("(min-width: 1000px)").matches) {
      document.querySelectorAll("details.open-case").forEach((d) => d.removeAttribute("open"));
    }
    tick();
    setInterval(tick, 5000);
  });
  document.addEventListener("htmx:afterSettle", tick);
})();
