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
})();
