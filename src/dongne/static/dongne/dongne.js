/* Dongne: the little behaviour every page shares, kept out of the HTML so that the Content-Security-Policy
   can forbid inline scripts (script-src 'self').
   - .menu-toggle opens and closes the navigation on narrow screens (aria-expanded follows it);
   - <select data-autosubmit> submits its form when changed (a <noscript> button covers no JavaScript). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".menu-toggle");
    if (!button) return;
    var nav = document.getElementById(button.getAttribute("aria-controls") || "site-nav");
    if (!nav) return;
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      if (select.form.requestSubmit) select.form.requestSubmit();
      else select.form.submit();
    }
  });
})();
