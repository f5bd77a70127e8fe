// A table wider than the screen scrolls sideways in place (app.css: the table itself on a
// phone, or the .table-scroll box around a wide one). So that a keyboard can scroll it too,
// whatever scrolls takes focus while it is wider, and a screen reader names it by the
// table's caption; once it fits, it is plain again.
(() => {
  const mark = () => {
    for (const box of document.querySelectorAll("main table, main .table-scroll")) {
      const caption = box.querySelector("caption");
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        if (box.tagName !== "TABLE") {
          box.setAttribute("role", "region");
          if (caption) box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else {
        box.removeAttribute("tabindex");
        if (box.tagName !== "TABLE") {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
    }
  };
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
  window.addEventListener("resize", mark);
})();

// A moment the server wrote in the workspace's time zone (`<time class="local">`) is shown in
// the viewer's own, in the same shape: "2027-01-04 10:00 CET". Without JavaScript it stays
// in the workspace's zone, which it names.
(() => {
  const two = (n) => String(n).padStart(2, "0");
  const local = () => {
    for (const t of document.querySelectorAll("time.local[datetime]")) {
      const at = new Date(t.getAttribute("datetime"));
      if (Number.isNaN(at.getTime())) continue;
      const zone = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" })
        .formatToParts(at)
        .find((p) => p.type === "timeZoneName");
      t.title = t.textContent;
      t.textContent = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ` +
        `${two(at.getHours())}:${two(at.getMinutes())}${zone ? " " + zone.value : ""}`;
      t.classList.remove("local");
    }
  };
  document.addEventListener("DOMContentLoaded", local);
  document.addEventListener("htmx:afterSettle", local);
})();
