// Marking page: comment bank buttons insert their text into the question's Comment box.
// Without JavaScript the buttons stay hidden and the bank texts can be copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-insert-comment]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var box = document.getElementById(button.dataset.target);
      if (!box) {
        return;
      }
      var text = button.dataset.insertComment;
      var before = box.value.slice(0, box.selectionStart);
      var after = box.value.slice(box.selectionEnd);
      var gap = before && !/\s$/.test(before) ? " " : "";
      box.value = before + gap + text + after;
      var caret = (before + gap + text).length;
      box.focus();
      box.setSelectionRange(caret, caret);
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
})();
