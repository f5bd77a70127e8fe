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
