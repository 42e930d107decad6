// Autosave for an assignment's answers (a module: <script type="module">). The page works
// without this: "Save draft" posts the form. With it, answers save a moment after typing stops
// and when the page is hidden, and a copy stays in this browser (per user and assignment) until
// the server confirms it, so an expired session, a lost connection or a server error never
// loses a word. site.js clears these copies at logout (key prefix "classroom:"), because
// classroom computers are shared; what was typed is saved before the logout goes ahead.
//
// The form carries its addresses: data-save-url (where answers are posted, as JSON) and
// data-login-url (the login page, coming back here).

const DELAY_MS = 1500;
const RETRY_MS = 10000;
const CSRF_COOKIE = "csrftoken"; // Django's CSRF_COOKIE_NAME
// The length limit, shown before it is reached: from 80% of it, "4,210 of 5,000
// characters"; past it, how many too many (the server refuses that answer alone).
const COUNT_FROM = 0.8;

const LOGGED_OUT =
  "You are logged out. Your text is kept on this computer: log in again and it will be here.";
const OFFLINE =
  "Not saved yet: the connection or the server failed. Your text is kept on this computer " +
  "and saving will be tried again.";
const REFUSED =
  "Not saved: the site refused this page's security check (it may be out of date, for " +
  "example after logging in again in another tab). Your text is kept on this computer: " +
  "reload the page and it will be here and saved.";
const NOT_SAVED_AT_LOGOUT =
  "Your latest changes could not be saved, so you are still logged in: logging out would " +
  'delete the copy kept on this computer. Check the connection and wait for "Saved", or ' +
  "press Log out again to log out without them.";
const CONFLICT =
  "These answers were changed in another tab or on another computer. Both versions are shown: " +
  "the saved one in the yellow box, yours in the answer box. Keep what you want in the answer " +
  "box; it is saved when you type or press Save draft.";

const number = (value) => value.toLocaleString("en-GB");

// --- The copy kept in this browser ---------------------------------------------------------

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the server copy is all there is
  }
}

const storageKey = (element) =>
  `classroom:${element.dataset.userId}:${element.dataset.assignmentId}`;

function readCopy(key) {
  try {
    return JSON.parse(storage()?.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

function writeCopy(key, copy) {
  try {
    storage()?.setItem(key, JSON.stringify(copy));
  } catch {
    // Storage full: the server copy still saves.
  }
}

const removeCopy = (key) => storage()?.removeItem(key);

// --- What the page shows -------------------------------------------------------------------

function showCount(form, box) {
  const slot = form.querySelector(`[data-count-for="${box.dataset.answer}"]`);
  const most = Number(box.dataset.maxLength);
  if (!slot || !most) return;
  const length = box.value.length;
  const over = length - most;
  slot.classList.toggle("text-danger", over > 0);
  if (length < most * COUNT_FROM) {
    slot.textContent = "";
  } else if (over > 0) {
    slot.textContent =
      `${number(length)} of ${number(most)} characters: ${number(over)} too many. ` +
      "Shorten this answer to save it.";
  } else {
    slot.textContent = `${number(length)} of ${number(most)} characters`;
  }
}

function showAlert(root, message, link = null) {
  const alert = root.querySelector("[data-work-alert]");
  if (!alert) return;
  alert.textContent = message;
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.textContent = link.text;
    alert.append(" ", anchor);
  }
  alert.hidden = !message;
}

// --- The CSRF token ------------------------------------------------------------------------

function csrfCookie() {
  const prefix = `${CSRF_COOKIE}=`;
  const entry = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return entry ? decodeURIComponent(entry.slice(prefix.length)) : "";
}

// Logging in (in another tab, say) gives this browser a new token: the page's copies of the
// old one are refreshed from the cookie, so Save draft, Turn in and Log out work again too.
// Returns whether there was a different token to use.
function refreshCsrf(current) {
  const token = csrfCookie();
  if (!token || token === current) return false;
  document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((input) => {
    input.value = token;
  });
  return true;
}

// --- A page whose work is turned in --------------------------------------------------------

// Drop the kept copy when it matches, otherwise show it.
function initReadonly(root) {
  const key = storageKey(root);
  const copy = readCopy(key);
  if (!copy?.texts) return;
  const differs = Object.entries(copy.texts)
    .filter(([id, text]) => {
      const box = root.querySelector(`[data-answer-readonly="${id}"]`);
      return box && box.value !== text;
    })
    .map(([, text]) => text);
  if (differs.length === 0) {
    removeCopy(key);
    return;
  }
  showAlert(
    root,
    "This computer kept text that differs from your turned-in answers. Unsubmit to use it, " +
      `or copy it now: ${differs.join(" / ")}`,
  );
}

// --- A form being answered -----------------------------------------------------------------

function initForm(form) {
  const key = storageKey(form);
  const boxes = [...form.querySelectorAll("[data-answer]")];
  const versionInput = form.querySelector("[data-version]");
  const status = form.querySelector("[data-saved-status]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  const saveUrl = form.dataset.saveUrl || form.action;
  const loginUrl = form.dataset.loginUrl;

  const state = {
    // Text on the page that the server has not confirmed.
    unsaved: false,
    // Saving waits for the student to type or press a button: after a conflict (the other
    // version is never overwritten unseen), and while the form posts itself.
    held: form.hasAttribute("data-conflict"),
    // The save under way (a promise), and whether text changed while it was.
    request: null,
    again: false,
    // The next save, waiting for typing to pause (or for a retry).
    timer: null,
    // Log out was pressed again after the save before it failed: let it go.
    leaveUnsaved: false,
  };

  const texts = () => Object.fromEntries(boxes.map((box) => [box.dataset.answer, box.value]));
  const keepCopy = () => writeCopy(key, { version: Number(versionInput.value), texts: texts() });
  const setStatus = (message) => {
    if (status) status.textContent = message;
  };

  function cancelTimer() {
    window.clearTimeout(state.timer);
    state.timer = null;
  }

  function schedule(delay = DELAY_MS) {
    cancelTimer();
    state.timer = window.setTimeout(() => {
      state.timer = null;
      save();
    }, delay);
  }

  function changed() {
    state.unsaved = true;
    state.held = false;
    keepCopy();
    schedule();
  }

  // Every way of finding the student logged out ends here: the text stays on this computer
  // and the message offers the way back in (to this page, where the copy comes back).
  function loggedOut() {
    const back = encodeURIComponent(window.location.pathname);
    showAlert(form, LOGGED_OUT, { href: `${loginUrl}?next=${back}`, text: "Log in again" });
    setStatus("Not saved: logged out");
  }

  function showErrors(errors) {
    boxes.forEach((box) => {
      const id = box.dataset.answer;
      const message = errors?.[id] ?? "";
      const slot = form.querySelector(`[data-error-for="${id}"]`);
      if (slot) slot.textContent = message;
      box.classList.toggle("is-invalid", Boolean(message));
      if (message) box.setAttribute("aria-invalid", "true");
      else box.removeAttribute("aria-invalid");
    });
  }

  function showConflict(serverTexts, version) {
    Object.entries(serverTexts).forEach(([id, text]) => {
      const panel = form.querySelector(`[data-conflict-for="${id}"]`);
      const box = form.querySelector(`[data-answer="${id}"]`);
      if (!panel || !box || box.value === text) return;
      panel.querySelector("textarea").value = text;
      panel.hidden = false;
    });
    versionInput.value = String(version);
    state.held = true;
    showAlert(form, CONFLICT);
    setStatus("Not saved: two versions");
    keepCopy();
  }

  function post(keepalive) {
    return fetch(saveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "manual",
      keepalive,
      headers: { Accept: "application/json", "X-CSRFToken": csrf?.value ?? "" },
    });
  }

  const readJson = (response) => response.json().catch(() => ({}));

  // One request, and the one retry a stale CSRF token earns. Resolves to what the server said.
  async function send(keepalive) {
    let response = await post(keepalive);
    let data = await readJson(response);
    if (response.status === 403 && !data.logged_out && refreshCsrf(csrf?.value)) {
      response = await post(keepalive);
      data = await readJson(response);
    }
    return { response, data };
  }

  function saved(data, sent) {
    versionInput.value = String(data.version);
    showErrors({});
    showAlert(form, "");
    setStatus(`Saved at ${data.saved_at_display}`);
    if (JSON.stringify(texts()) === sent) {
      state.unsaved = false;
      removeCopy(key);
    } else {
      keepCopy();
    }
  }

  function refusedAnswers(data) {
    showErrors(data.errors ?? {});
    showAlert(form, data.errors?.__all__ || data.error || "");
    if (data.version === undefined) {
      setStatus("Not saved");
      return;
    }
    // The other answers were saved; the one marked in red was not, so the copy on this
    // computer stays until it is.
    versionInput.value = String(data.version);
    setStatus(`Saved at ${data.saved_at_display}, except the answer marked in red`);
    keepCopy();
  }

  async function attempt(keepalive) {
    const sent = JSON.stringify(texts());
    setStatus("Saving…");
    try {
      const { response, data } = await send(keepalive);
      if (data.logged_out || response.type === "opaqueredirect") {
        // A redirect means a login page stood in front of the site.
        loggedOut();
      } else if (response.status === 403) {
        // The security check failed even with the newest token: only a reload mends it.
        showAlert(form, REFUSED);
        setStatus("Not saved");
      } else if (response.status === 409 && data.conflict) {
        showConflict(data.server_texts ?? {}, data.version);
      } else if (response.status === 400) {
        refusedAnswers(data);
      } else if (response.ok && data.version !== undefined) {
        saved(data, sent);
      } else {
        throw new Error(`status ${response.status}`);
      }
    } catch {
      showAlert(form, OFFLINE);
      setStatus("Not saved");
      if (!state.timer) schedule(RETRY_MS);
    }
  }

  // Returns a promise that settles when this save (or the one already under way) is over.
  function save({ keepalive = false } = {}) {
    if (!state.unsaved || state.held) return Promise.resolve();
    if (state.request) {
      state.again = true;
      return state.request;
    }
    state.again = false;
    state.request = attempt(keepalive).finally(() => {
      state.request = null;
      if (state.again) schedule();
    });
    return state.request;
  }

  boxes.forEach((box) => {
    showCount(form, box);
    box.addEventListener("input", () => {
      showCount(form, box);
      changed();
    });
  });

  form.addEventListener("submit", () => {
    // The form posts itself ("Save draft" or "Turn in"); no autosave may race it.
    cancelTimer();
    state.held = true;
    keepCopy();
  });

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      cancelTimer();
      save({ keepalive: true });
    }
  });

  // Logging out deletes the copy kept in this browser (site.js), so what was typed since the
  // last save is saved first; the logout goes ahead once it is. This listener runs in the
  // capture phase, before site.js's. If the save fails, the student stays logged in and is
  // told; a second Log out leaves without the changes.
  document.addEventListener(
    "submit",
    async (event) => {
      const logout = event.target;
      if (!logout.querySelector("[data-logout]")) return;
      if (!state.unsaved || state.held || state.leaveUnsaved) return;
      event.preventDefault();
      event.stopPropagation();
      cancelTimer();
      await save();
      if (state.unsaved) await save(); // typed while that save was under way
      if (state.unsaved) {
        state.leaveUnsaved = true;
        showAlert(form, NOT_SAVED_AT_LOGOUT);
      } else {
        logout.requestSubmit();
      }
    },
    true,
  );

  // An answer the server refused (too long) is on the page but not saved: keep it here.
  const refused = boxes.some((box) => box.getAttribute("aria-invalid") === "true");

  // On load: text kept in this browser that the server never confirmed comes back.
  const copy = readCopy(key);
  if (copy?.texts) {
    const pageTexts = texts();
    const serverTexts = {};
    Object.entries(copy.texts).forEach(([id, text]) => {
      const box = form.querySelector(`[data-answer="${id}"]`);
      if (box && box.value !== text) {
        serverTexts[id] = pageTexts[id];
        box.value = text;
      }
    });
    const restored = Object.keys(serverTexts).length > 0;
    if (!restored) {
      if (!state.held && !refused) removeCopy(key);
    } else if (state.held) {
      state.unsaved = true;
    } else if (Number(copy.version) === Number(versionInput.value)) {
      // The server has not changed since this copy was typed: save it now.
      state.unsaved = true;
      save();
    } else {
      // The server moved on meanwhile (another tab): show both, save nothing yet.
      state.unsaved = true;
      showConflict(serverTexts, versionInput.value);
    }
  }

  // Text typed before this script ran (a slow connection) is saved like any other.
  const typedEarly = boxes.some((box) => box.value !== box.defaultValue);
  if (typedEarly && !state.held && !state.unsaved) {
    state.unsaved = true;
    keepCopy();
    schedule();
  }
  if (refused && !state.unsaved) {
    state.unsaved = true; // saved again once the student shortens it
    keepCopy();
  }
}

document.querySelectorAll("form[data-autosave]").forEach(initForm);
document.querySelectorAll("[data-readonly-work]").forEach(initReadonly);
