// A table wider than the screen scrolls sideways in place (app.css, on a phone). So that a
// keyboard can scroll it too, it takes focus while it is wider, and a screen reader names it
// by its caption; once it fits, it is a plain table again.
(() => {
  const mark = () => {
    for (const table of document.querySelectorAll("main table")) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.tabIndex = 0;
      } else {
        table.removeAttribute("tabindex");
      }
    }
  };
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
  window.addEventListener("resize", mark);
})();
