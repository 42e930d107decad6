// A "Print" button for pages made to be printed (login cards). Without JavaScript the
// button stays hidden and the page says to use the browser's own Print.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
