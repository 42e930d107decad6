// Site-wide enhancements. The site works without JavaScript; this only adds comfort.
(function () {
  "use strict";
  // Remember nothing between users on a shared computer: logging out clears this site's
  // locally kept drafts (see answers.js) before the session ends.
  document.addEventListener("submit", function (event) {
    if (event.target.querySelector("[data-logout]")) {
      try {
        Object.keys(window.localStorage)
          .filter(function (key) { return key.indexOf("classroom:") === 0; })
          .forEach(function (key) { window.localStorage.removeItem(key); });
      } catch (error) {
        // Storage may be disabled; nothing is kept then, so nothing to clear.
      }
    }
  });
})();
