// 村企通: the few behaviours htmx does not cover. Pages work without this file.
(function () {
  "use strict";

  // Server responses send `HX-Trigger: {"toast": "已提交"}`: show it in the flash region.
  document.body.addEventListener("toast", function (event) {
    var region = document.getElementById("flash");
    if (!region || !event.detail) return;
    var message = document.createElement("p");
    message.className = "flash flash--success";
    message.textContent = event.detail.value || event.detail;
    region.appendChild(message);
    window.setTimeout(function () { message.remove(); }, 6000);
  });
})();
