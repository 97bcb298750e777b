// When the CDN's htmx did not load (unreachable, or its bytes failed the SRI check), load the
// copy this site serves, under the same integrity hash. A file of our own, not an inline
// handler: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var self = document.currentScript;
  if (window.htmx || !self) {
    return;
  }
  function load() {
    var script = document.createElement("script");
    script.src = self.dataset.src;
    if (self.dataset.integrity) {
      script.integrity = self.dataset.integrity;
      script.crossOrigin = "anonymous";
    }
    document.head.appendChild(script);
  }
  // htmx starts on DOMContentLoaded, or at once when the document is complete: a copy that
  // arrived in between would wait for an event that already fired. So load it when complete.
  if (document.readyState === "complete") {
    load();
  } else {
    window.addEventListener("load", load);
  }
})();
