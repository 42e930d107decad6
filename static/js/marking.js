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

// Marking page: a question's mark follows the key points ticked as made (their marks, capped at
// the question's) until the teacher types a mark of their own, which always wins; "Total so
// far" follows the marks. Without JavaScript a mark left blank is worked out from the ticks
// when the form is saved.
(function () {
  "use strict";
  var markInputs = [];

  function value(input) {
    var text = input.value !== "" ? input.value : input.placeholder;
    var number = parseInt(text, 10);
    return isNaN(number) ? null : number;
  }

  function updateTotal() {
    var total = document.querySelector("[data-total-so-far]");
    if (!total) {
      return;
    }
    var sum = 0;
    var any = false;
    markInputs.forEach(function (input) {
      var mark = value(input);
      if (mark !== null) {
        sum += mark;
        any = true;
      }
    });
    total.textContent = any ? String(sum) : "not marked yet,";
  }

  document.querySelectorAll("fieldset[data-mark-field]").forEach(function (set) {
    var mark = document.getElementById(set.dataset.markField);
    if (!mark) {
      return;
    }
    var max = parseInt(set.dataset.maxMarks, 10);
    var boxes = set.querySelectorAll("input[type=checkbox][data-marks]");

    function fromTicks() {
      var sum = 0;
      boxes.forEach(function (box) {
        if (box.checked) {
          sum += parseInt(box.dataset.marks, 10) || 0;
        }
      });
      return Math.min(sum, max);
    }

    // A saved mark that differs from what the ticks give is the teacher's own: it wins.
    var own = mark.value !== "" && parseInt(mark.value, 10) !== fromTicks();

    function follow() {
      var marks = String(fromTicks());
      mark.placeholder = marks;
      if (!own) {
        mark.value = marks;
      }
      updateTotal();
    }

    mark.addEventListener("input", function () {
      own = mark.value !== "";
      if (!own) {
        follow();
      }
      updateTotal();
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", follow);
    });
    markInputs.push(mark);
    follow();
  });
  document.querySelectorAll("input[name^='mark_']").forEach(function (input) {
    if (markInputs.indexOf(input) === -1) {
      markInputs.push(input);
      input.addEventListener("input", updateTotal);
    }
  });
  updateTotal();
})();
