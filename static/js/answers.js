// Autosave for an assignment's answers. The page works without this: "Save draft" posts the
// form. With it, answers save a moment after typing stops and when the page is hidden, and a
// copy stays in this browser (per user and assignment) until the server confirms it, so an
// expired session, a lost connection or a server error never loses a word. site.js clears
// these copies at logout (key prefix "classroom:"), because classroom computers are shared;
// what was typed is saved before the logout goes ahead.
(function () {
  "use strict";

  var DELAY_MS = 1500;
  var LOGGED_OUT =
    "You are logged out. Your text is kept on this computer: log in again and it will be here.";
  var OFFLINE =
    "Not saved yet: the connection or the server failed. Your text is kept on this computer " +
    "and saving will be tried again.";
  var NOT_SAVED_AT_LOGOUT =
    "Your latest changes could not be saved, so you are still logged in: logging out would " +
    "delete the copy kept on this computer. Check the connection and wait for \"Saved\", or " +
    "press Log out again to log out without them.";
  var CONFLICT =
    "These answers were changed in another tab or on another computer. Both versions are shown: " +
    "the saved one in the yellow box, yours in the answer box. Keep what you want in the answer " +
    "box; it is saved when you type or press Save draft.";

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled: the server copy is all there is
    }
  }

  function storageKey(element) {
    return "classroom:" + element.dataset.userId + ":" + element.dataset.assignmentId;
  }

  function readCopy(key) {
    var store = storage();
    if (!store) return null;
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function writeCopy(key, copy) {
    var store = storage();
    if (!store) return;
    try {
      store.setItem(key, JSON.stringify(copy));
    } catch (error) {
      // Storage full: the server copy still saves.
    }
  }

  function removeCopy(key) {
    var store = storage();
    if (store) store.removeItem(key);
  }

  // The length limit, shown before it is reached: from 80% of it, "4,210 of 5,000
  // characters"; past it, how many too many (the server refuses that answer alone).
  var COUNT_FROM = 0.8;

  function showCount(form, box) {
    var slot = form.querySelector('[data-count-for="' + box.dataset.answer + '"]');
    var most = Number(box.dataset.maxLength);
    if (!slot || !most) return;
    var length = box.value.length;
    var over = length - most;
    slot.classList.toggle("text-danger", over > 0);
    if (length < most * COUNT_FROM) {
      slot.textContent = "";
    } else if (over > 0) {
      slot.textContent = length.toLocaleString("en-GB") + " of " + most.toLocaleString("en-GB") +
        " characters: " + over.toLocaleString("en-GB") + " too many. Shorten this answer to " +
        "save it.";
    } else {
      slot.textContent = length.toLocaleString("en-GB") + " of " + most.toLocaleString("en-GB") +
        " characters";
    }
  }

  function showAlert(root, message) {
    var alert = root.querySelector("[data-work-alert]");
    if (!alert) return;
    alert.textContent = message;
    alert.hidden = !message;
  }

  // Logged out while typing: say the text is safe here, and offer the way back in.
  function showLoggedOut(root) {
    showAlert(root, LOGGED_OUT + " ");
    var alert = root.querySelector("[data-work-alert]");
    if (!alert) return;
    var link = document.createElement("a");
    link.href = "/accounts/login/?next=" + encodeURIComponent(window.location.pathname);
    link.textContent = "Log in again";
    alert.appendChild(link);
  }

  // A page whose work is turned in: drop the kept copy when it matches, otherwise show it.
  function initReadonly(root) {
    var key = storageKey(root);
    var copy = readCopy(key);
    if (!copy || !copy.texts) return;
    var differs = [];
    Object.keys(copy.texts).forEach(function (id) {
      var box = root.querySelector('[data-answer-readonly="' + id + '"]');
      if (box && box.value !== copy.texts[id]) differs.push(copy.texts[id]);
    });
    if (differs.length === 0) {
      removeCopy(key);
      return;
    }
    showAlert(
      root,
      "This computer kept text that differs from your turned-in answers. Unsubmit to use it, " +
        "or copy it now: " + differs.join(" / ")
    );
  }

  function initForm(form) {
    var key = storageKey(form);
    var boxes = Array.prototype.slice.call(form.querySelectorAll("[data-answer]"));
    var versionInput = form.querySelector("[data-version]");
    var status = form.querySelector("[data-saved-status]");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    var saveUrl = form.getAttribute("action");
    var timer = null;
    var dirty = false;
    var saving = false;
    var again = false;
    var inFlight = Promise.resolve();
    var leaveUnsaved = false;
    // After a conflict, saving waits for the student to type or press a button, so the other
    // version is never overwritten without them having seen it.
    var held = form.hasAttribute("data-conflict");

    function texts() {
      var result = {};
      boxes.forEach(function (box) {
        result[box.dataset.answer] = box.value;
      });
      return result;
    }

    function keepCopy() {
      writeCopy(key, { version: Number(versionInput.value), texts: texts() });
    }

    function setStatus(message) {
      if (status) status.textContent = message;
    }

    function showErrors(errors) {
      boxes.forEach(function (box) {
        var id = box.dataset.answer;
        var message = (errors && errors[id]) || "";
        var slot = form.querySelector('[data-error-for="' + id + '"]');
        if (slot) slot.textContent = message;
        box.classList.toggle("is-invalid", Boolean(message));
        if (message) box.setAttribute("aria-invalid", "true");
        else box.removeAttribute("aria-invalid");
      });
    }

    function showConflict(serverTexts, version) {
      Object.keys(serverTexts).forEach(function (id) {
        var panel = form.querySelector('[data-conflict-for="' + id + '"]');
        var box = form.querySelector('[data-answer="' + id + '"]');
        if (!panel || !box || box.value === serverTexts[id]) return;
        panel.querySelector("textarea").value = serverTexts[id];
        panel.hidden = false;
      });
      versionInput.value = String(version);
      held = true;
      showAlert(form, CONFLICT);
      setStatus("Not saved: two versions");
      keepCopy();
    }

    // Returns a promise that settles when this save (or the one already under way) is over.
    function save(options) {
      if (!dirty || held) return Promise.resolve();
      if (saving) {
        again = true;
        return inFlight;
      }
      saving = true;
      again = false;
      var sent = JSON.stringify(texts());
      var body = new FormData(form);
      setStatus("Saving…");
      inFlight = fetch(saveUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        keepalive: Boolean(options && options.keepalive),
        headers: { Accept: "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      })
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 403 ||
              response.status === 401 || (response.status >= 300 && response.status < 400)) {
            showLoggedOut(form);
            setStatus("Not saved: logged out");
            return null;
          }
          return response.json().then(function (data) {
            if (response.status === 409 && data.conflict) {
              showConflict(data.server_texts || {}, data.version);
            } else if (response.status === 400) {
              showErrors(data.errors || {});
              var general = data.errors && data.errors.__all__;
              showAlert(form, general || data.error || "");
              if (data.version !== undefined) {
                // The other answers were saved; the one marked in red was not, so the copy
                // on this computer stays until it is.
                versionInput.value = String(data.version);
                setStatus("Saved at " + data.saved_at_display + ", except the answer marked in red");
                keepCopy();
              } else {
                setStatus("Not saved");
              }
            } else if (response.ok) {
              versionInput.value = String(data.version);
              showErrors({});
              showAlert(form, "");
              setStatus("Saved at " + data.saved_at_display);
              if (JSON.stringify(texts()) === sent) {
                dirty = false;
                removeCopy(key);
              } else {
                keepCopy();
              }
            } else {
              throw new Error("status " + response.status);
            }
          });
        })
        .catch(function () {
          showAlert(form, OFFLINE);
          setStatus("Not saved");
          if (!timer) timer = window.setTimeout(retry, 10000);
        })
        .then(function () {
          saving = false;
          if (again) schedule();
        });
      return inFlight;
    }

    function retry() {
      timer = null;
      save();
    }

    function schedule() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(retry, DELAY_MS);
    }

    boxes.forEach(function (box) {
      showCount(form, box);
      box.addEventListener("input", function () {
        showCount(form, box);
        dirty = true;
        held = false;
        keepCopy();
        schedule();
      });
    });

    form.addEventListener("submit", function () {
      // The form posts itself ("Save draft" or "Turn in"); no autosave may race it.
      if (timer) window.clearTimeout(timer);
      held = true;
      keepCopy();
    });

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        if (timer) window.clearTimeout(timer);
        timer = null;
        save({ keepalive: true });
      }
    });

    // Logging out deletes the copy kept in this browser (site.js), so what was typed since
    // the last save is saved first; the logout goes ahead once it is. This listener runs in
    // the capture phase, before site.js's. If the save fails, the student stays logged in and
    // is told; a second Log out leaves without the changes.
    document.addEventListener(
      "submit",
      function (event) {
        var logout = event.target;
        if (!logout.querySelector("[data-logout]") || !dirty || held || leaveUnsaved) return;
        event.preventDefault();
        event.stopPropagation();
        if (timer) window.clearTimeout(timer);
        timer = null;
        save()
          .then(function () {
            return dirty ? save() : null; // typed while that save was under way
          })
          .then(function () {
            if (!dirty) {
              logout.requestSubmit();
            } else {
              leaveUnsaved = true;
              showAlert(form, NOT_SAVED_AT_LOGOUT);
            }
          });
      },
      true
    );

    // An answer the server refused (too long) is on the page but not saved: keep it here.
    var refused = boxes.some(function (box) {
      return box.getAttribute("aria-invalid") === "true";
    });

    // On load: text kept in this browser that the server never confirmed comes back.
    var copy = readCopy(key);
    if (copy && copy.texts) {
      var pageTexts = texts();
      var restored = false;
      var serverTexts = {};
      Object.keys(copy.texts).forEach(function (id) {
        var box = form.querySelector('[data-answer="' + id + '"]');
        if (box && box.value !== copy.texts[id]) {
          serverTexts[id] = pageTexts[id];
          box.value = copy.texts[id];
          restored = true;
        }
      });
      if (!restored) {
        if (!held && !refused) removeCopy(key);
      } else if (!held && Number(copy.version) === Number(versionInput.value)) {
        // The server has not changed since this copy was typed: save it now.
        dirty = true;
        save();
      } else if (!held) {
        // The server moved on meanwhile (another tab): show both, save nothing yet.
        dirty = true;
        showConflict(serverTexts, versionInput.value);
      } else {
        dirty = true;
      }
    }

    // Text typed before this script ran (a slow connection) is saved like any other.
    var typedEarly = boxes.some(function (box) {
      return box.value !== box.defaultValue;
    });
    if (typedEarly && !held && !dirty) {
      dirty = true;
      keepCopy();
      schedule();
    }
    if (refused && !dirty) {
      dirty = true; // saved again once the student shortens it
      keepCopy();
    }
  }

  document.querySelectorAll("form[data-autosave]").forEach(initForm);
  document.querySelectorAll("[data-readonly-work]").forEach(initReadonly);
})();
