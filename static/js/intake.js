// The intake screen: Ctrl+Enter (⌘+Enter on a Mac) saves from any field, and the
// "look for this client" button is only needed when htmx does the look-up as you type.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("intake-form");
  if (!form) {
    return;
  }
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(form.querySelector("button[name=save]"));
    }
  });
})();
