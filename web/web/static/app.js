// The little behaviour the pages have beyond htmx, from a file: the pages' Content-Security-Policy allows no
// inline script and no eval (htmx runs with allowEval off, so no hx-on attributes either).
(function () {
  "use strict";

  function swapsErrors(element) {
    var holder = element && element.closest ? element.closest("[data-swap-errors]") : null;
    return holder ? holder.getAttribute("data-swap-errors") : null;
  }

  // A form whose container says data-swap-errors="409 422" (or "all") shows the API's problem in place: htmx
  // swaps those answers in like a success instead of dropping them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var wanted = swapsErrors(event.detail.elt) || swapsErrors(event.target);
    if (status >= 400 && wanted && (wanted === "all" || wanted.split(" ").indexOf(String(status)) !== -1)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The import form's progress bar follows the upload (looked up each time: the report's answer replaces it).
  function progress(value) {
    var bar = document.getElementById("upload-progress");
    if (bar) {
      bar.setAttribute("value", value);
    }
  }
  document.addEventListener("htmx:xhr:progress", function (event) {
    if (event.target.id === "import-form" && event.detail.lengthComputable && event.detail.total) {
      progress(Math.round(event.detail.loaded / event.detail.total * 100));
    }
  });
  document.addEventListener("htmx:beforeSend", function (event) {
    if (event.target.id === "import-form") {
      progress(0);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.target.id === "import-form") {
      progress(100);
    }
  });

  // The flags list stops polling while an action panel is open (so nothing typed is lost): it says so.
  function liveNote() {
    var note = document.getElementById("live-note");
    if (note) {
      var paused = document.querySelector("#flag-tables details[open]");
      note.textContent = note.getAttribute(paused ? "data-paused" : "data-live");
    }
  }
  document.addEventListener("toggle", liveNote, true); // toggle does not bubble: listen while it goes down
  document.addEventListener("htmx:afterSettle", liveNote);

  // A form marked data-once is sent once: a second click (a double-click) while the first is under way does
  // nothing (the service refuses a duplicate anyway: this spares the user its message).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-once")) {
      return;
    }
    if (form.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "true");
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("aria-disabled", "true");
    }
  });
})();
