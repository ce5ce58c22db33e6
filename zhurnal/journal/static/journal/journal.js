// The class journal: keyboard-first grid and lesson sheet, every cell saved on its own.
// No inline scripts (the CSP forbids them): this module finds its elements by id and data attributes.
//
// Saving: each change becomes a job with an idempotency key (crypto.randomUUID) that is kept when the job is
// retried, so a repeated request never duplicates a mark. Jobs of one cell run in order; a newer value
// waits for the one in flight. A network failure or a server error is retried with growing pauses and the
// cell stays marked; a refusal (bad input, closed period) stays visible with its message until corrected.
// Each cell's save carries its version: the cell as the page last knew it from the server («base», fixed when
// the job is first sent, so a retry sends the same request). A cell changed meanwhile by someone else is not
// replaced: the server answers 409 with the conflict, which the page shows with «keep mine» and «take theirs».
(() => {
  "use strict";

  const statusEl = () => document.getElementById("save-status");
  const csrfToken = () => {
    // The cookie first: logging in again (in another tab) rotates the token the page was rendered with.
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  };
  const newKey = () => {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    // Older tablets: a version-4 UUID from getRandomValues.
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };

  // --- the reason for late corrections, asked once per page -----------------------------------------------
  let lateReason = "";
  const askReason = (message) => new Promise((resolve) => {
    const dialog = document.getElementById("reason-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      resolve(window.prompt(message || "Укажите причину исправления") || "");
      return;
    }
    const input = dialog.querySelector("#reason-input");
    const text = dialog.querySelector("#reason-text");
    if (text && message) text.textContent = message;
    input.value = lateReason;
    dialog.returnValue = "";
    const done = () => {
      dialog.removeEventListener("close", done);
      resolve(dialog.returnValue === "ok" ? input.value.trim() : "");
    };
    dialog.addEventListener("close", done);
    dialog.showModal();
    input.focus();
  });

  // --- a value typed in the English layout ----------------------------------------------------------------
  // «y» is where «н» is on a Russian keyboard: «y», «eg», «jg», «px» mean «н», «уп», «оп», «зч».
  const LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
  const CYRILLIC = "йцукенгшщзхъфывапролджэячсмитьбюё";
  const CODES = /^(н|б|уп|оп|зч|нз|осв|н\/а)(\s*[1-5][+-]?)?$|^[1-5][+-]?(\/[1-5][+-]?)*\s*(н|б|уп|оп)?$/;
  const layoutHint = (value) => {
    if (!/[a-z\[\];',.`]/i.test(value) || !/[a-z]/i.test(value)) return "";
    const meant = Array.from(value.toLowerCase(), (ch) => {
      const i = LATIN.indexOf(ch);
      return i < 0 ? ch : CYRILLIC[i];
    }).join("");
    if (!CODES.test(meant.trim())) return "";
    return `«${value}» набрано в английской раскладке — наверное, «${meant}». `
      + "Переключите раскладку (Alt+Shift или Win+Пробел) и введите снова.";
  };

  // --- an expired session ------------------------------------------------------------------------------------
  // A save answered by the login page (the session ended) keeps its job: the queue waits until the teacher has
  // logged in again — in another tab (app.js marks every signed-in page in localStorage) or after returning to
  // this one — and then sends what waits, with the same idempotency keys.
  const LOGIN_PATH = "/accounts/login/";
  const sessionEnded = (response) => {
    if (response.status === 401) return true;
    if (!response.redirected) return false;
    try {
      return new URL(response.url).pathname.startsWith(LOGIN_PATH);
    } catch (e) {
      return false;
    }
  };
  const sessionBanner = (show) => {
    let banner = document.getElementById("session-banner");
    if (!show) {
      if (banner) banner.hidden = true;
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "session-banner";
      banner.className = "session-banner";
      banner.setAttribute("role", "alert");
      const text = document.createElement("b");
      text.textContent = "Сессия истекла — войдите снова.";
      const note = document.createElement("span");
      note.textContent = " Введённое не потеряно: после входа оно сохранится само. ";
      const link = document.createElement("a");
      link.href = `${LOGIN_PATH}?next=${encodeURIComponent("/signed-in-again/")}`;
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "button";
      link.textContent = "Войти в новой вкладке";
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "secondary";
      retry.textContent = "Я вошёл — сохранить";
      retry.addEventListener("click", () => queue.resume());
      banner.append(text, note, link, " ", retry);
      document.body.prepend(banner);
    }
    banner.hidden = false;
  };

  // --- unsaved work survives a reload ------------------------------------------------------------------------
  const STORE = "zhurnal-unsaved";
  const stored = () => {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "{}");
    } catch (e) {
      return {};
    }
  };
  const remember = (target, job) => {
    try {
      const all = stored();
      if (job) all[target] = { url: job.url, fields: job.fields, key: job.key, at: Date.now() };
      else delete all[target];
      window.localStorage.setItem(STORE, JSON.stringify(all));
    } catch (e) { /* private mode: nothing kept */ }
  };

  // --- a cell changed by someone else while the teacher typed ------------------------------------------------
  // The server's fragment (journal/_conflict.html) in a box above the grid or the lesson's list, one per cell;
  // its «keep mine» saves the typed value again on the newer version, «take theirs» shows what the journal holds.
  const conflictBox = () => {
    let box = document.getElementById("conflicts");
    if (!box) {
      box = document.createElement("div");
      box.id = "conflicts";
      box.className = "conflicts";
      const anchor = document.querySelector(".jgrid-wrap") || document.getElementById("sheet");
      if (anchor) anchor.before(box);
      else document.body.prepend(box);
    }
    return box;
  };
  const dropConflict = (target) => {
    const box = document.getElementById("conflicts");
    if (!box) return;
    Array.from(box.children).filter((el) => el.dataset.target === target).forEach((el) => el.remove());
  };
  const showConflict = (target, html, actions) => {
    dropConflict(target);
    const holder = document.createElement("div");
    holder.dataset.target = target;
    holder.innerHTML = html;
    const on = (selector, action) => {
      const el = holder.querySelector(selector);
      if (!el) return;
      el.addEventListener("click", (event) => {
        event.preventDefault();
        holder.remove();
        action();
      });
    };
    on("[data-conflict-keep]", actions.keep);
    on("[data-conflict-take]", actions.take);
    conflictBox().append(holder);
  };

  // --- the save queue ----------------------------------------------------------------------------------------
  // One request at a time for the whole page (a school's single computer runs SQLite): cells wait their turn in
  // order; for each cell only its newest value is sent; a cell in flight or waiting to retry keeps its place.
  const queue = {
    targets: new Map(), // target id -> {inflight, pending, timer}
    ready: [], // targets with a pending job, in the order they were typed
    failed: new Set(),
    active: 0,
    paused: false, // the session ended: jobs wait for a new login

    slot(target) {
      let slot = this.targets.get(target);
      if (!slot) {
        slot = { inflight: null, pending: null, timer: null };
        this.targets.set(target, slot);
      }
      return slot;
    },

    push(target, job) {
      job.key = job.key || newKey();
      job.attempt = 0;
      const slot = this.slot(target);
      slot.pending = job; // the newest value wins
      remember(target, job);
      job.onState && job.onState("saving");
      if (!slot.inflight && !this.ready.includes(target)) this.ready.push(target);
      this.pump();
      this.report();
    },

    pump() {
      while (!this.paused && this.active < 1 && this.ready.length) {
        const target = this.ready.shift();
        const slot = this.slot(target);
        if (slot.inflight || !slot.pending) continue;
        const job = slot.pending;
        slot.pending = null;
        this.send(target, slot, job);
      }
    },

    send(target, slot, job) {
      slot.inflight = job;
      this.active += 1;
      job.onState && job.onState("saving");
      if (job.baseOf && job.fields.base === undefined) {
        // The version is what the server held when this job's turn came (an earlier save of the cell is done).
        job.fields.base = job.baseOf();
        remember(target, job);
      }
      const body = new URLSearchParams(job.fields);
      body.set("key", job.key);
      if (lateReason && !body.get("reason")) body.set("reason", lateReason);
      fetch(job.url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      }).then(async (response) => {
        if (sessionEnded(response)) return this.sessionLost(target, slot, job);
        let data = {};
        try {
          data = await response.json();
        } catch (e) {
          data = { ok: false, error: `Ошибка сервера (${response.status})` };
        }
        if (response.ok && data.ok) return this.succeeded(target, slot, job, data);
        if (response.status === 403 && data.session) return this.sessionLost(target, slot, job);
        if (response.status === 409 && data.need_reason) return this.needReason(target, slot, job, data);
        if (response.status === 409 && data.conflict) return this.conflicted(target, slot, job, data);
        if (response.status >= 500 || response.status === 429) return this.retry(target, slot, job, data.error);
        return this.refused(target, slot, job, data.error || `Не сохранено (${response.status})`);
      }).catch(() => this.retry(target, slot, job, "Нет связи с сервером"));
    },

    release(target, slot) {
      this.active -= 1;
      slot.inflight = null;
      if (slot.pending && !this.ready.includes(target)) this.ready.push(target);
      this.pump();
      this.report();
    },

    succeeded(target, slot, job, data) {
      this.failed.delete(target);
      if (!slot.pending) remember(target, null);
      if (!slot.pending) job.onOk && job.onOk(data);
      this.release(target, slot);
    },

    refused(target, slot, job, message) {
      this.failed.add(target);
      if (!slot.pending) remember(target, null);
      if (!slot.pending) job.onError && job.onError(message, false);
      this.release(target, slot);
      this.report(message);
    },

    conflicted(target, slot, job, data) {
      if (slot.pending || !job.onConflict) return this.refused(target, slot, job, data.error);
      this.failed.add(target);
      remember(target, null);
      job.onConflict(data);
      this.release(target, slot);
      this.report(data.error);
    },

    async needReason(target, slot, job, data) {
      this.active -= 1; // others may save while the teacher answers
      this.pump();
      const reason = await askReason(data.error);
      if (!reason) {
        this.active += 1;
        return this.refused(target, slot, job, data.error);
      }
      lateReason = reason;
      job.fields.reason = reason;
      slot.inflight = null;
      if (!slot.pending) slot.pending = job;
      this.ready.unshift(target);
      this.pump();
    },

    sessionLost(target, slot, job) {
      this.paused = true;
      this.active -= 1;
      slot.inflight = null;
      if (!slot.pending) slot.pending = job; // the same key: sent again after the login
      if (!this.ready.includes(target)) this.ready.unshift(target);
      job.onState && job.onState("saving");
      sessionBanner(true);
      this.report("Сессия истекла — войдите снова");
    },

    resume() {
      if (!this.paused) return;
      this.paused = false;
      sessionBanner(false);
      this.pump();
      this.report();
    },

    forget(target) {
      this.failed.delete(target);
      this.report();
    },

    retry(target, slot, job, message) {
      this.failed.add(target);
      job.onError && job.onError(`${message || "Не сохранено"} — повторяю…`, true);
      job.attempt += 1;
      const pause = Math.min(30000, 1000 * 2 ** Math.min(job.attempt - 1, 5));
      this.active -= 1; // the cell keeps its job in flight while it waits; other cells go on
      this.pump();
      this.report(`${message || "Не сохранено"}; повтор через ${Math.round(pause / 1000)} с`);
      slot.timer = window.setTimeout(() => this.resend(target, slot, job), pause);
    },

    resend(target, slot, job) {
      slot.timer = null;
      slot.inflight = null;
      if (!slot.pending) slot.pending = job; // the same key: the server applies it at most once
      this.ready.unshift(target);
      this.pump();
    },

    retryNow() {
      for (const [target, slot] of this.targets) {
        if (slot.timer) {
          window.clearTimeout(slot.timer);
          this.resend(target, slot, slot.inflight);
        }
      }
    },

    pendingCount() {
      let n = 0;
      for (const slot of this.targets.values()) n += (slot.inflight ? 1 : 0) + (slot.pending ? 1 : 0);
      return n;
    },

    report(message) {
      const pending = this.pendingCount();
      document.body.dataset.pending = String(pending);
      const el = statusEl();
      if (!el) return;
      el.classList.toggle("error", this.failed.size > 0 || this.paused);
      if (this.paused) el.textContent = `Сессия истекла — войдите снова. Не сохранено: ${pending}`;
      else if (message && this.failed.size) el.textContent = `Ошибка: ${message}`;
      else if (pending) el.textContent = `Сохраняется… (${pending})`;
      else if (this.failed.size) el.textContent = `Не сохранено клеток: ${this.failed.size}`;
      else el.textContent = "Все изменения сохранены";
    },
  };
  window.addEventListener("online", () => queue.retryNow());
  // A login in another tab (app.js writes the key on every signed-in page), or coming back to this tab.
  window.addEventListener("storage", (event) => {
    if (event.key === "zhurnal-signed-in") queue.resume();
  });
  window.addEventListener("focus", () => queue.paused && queue.resume());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && queue.paused) queue.resume();
  });
  window.addEventListener("beforeunload", (event) => {
    if (queue.pendingCount()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  const setState = (el, state, message) => {
    el.classList.remove("saving", "saved", "error", "conflict");
    if (state) el.classList.add(...state.split(" "));
    if (message) el.title = message;
    else el.removeAttribute("title");
    if (state === "saved") {
      window.setTimeout(() => el.classList.remove("saved"), 2000);
    }
  };

  // --- the grid ---------------------------------------------------------------------------------------------------
  const restorers = []; // (target, job) -> callbacks for a job kept from before a reload, or null

  const setupGrid = (table) => {
    const editable = table.hasAttribute("data-editable");
    const readonlyReason = table.dataset.readonly || "";
    const cellUrl = table.dataset.cellUrl;
    const headers = Array.from(table.tHead.rows[0].cells);
    const firstLesson = 1;
    const lessonCount = headers.filter((th) => th.dataset.l).length;
    const rows = Array.from(table.tBodies[0].rows).filter((tr) => tr.dataset.s);
    const workTypeSelect = document.getElementById("column-work-type");
    const historyLink = document.getElementById("cell-history-link");
    const panel = document.getElementById("cell-panel");
    let row = 0;
    let col = firstLesson;
    let editor = null;
    if (!rows.length || !lessonCount) return;
    table.tabIndex = 0;
    table.setAttribute("aria-label", "Журнал: стрелки — переход, цифры и буквы — ввод, Enter — сохранить");

    const cellAt = (r, c) => rows[r].cells[c];
    const lessonOf = (c) => headers[c].dataset.l;
    const urlOf = (r, c) => cellUrl.replace("/0/cells/0/", `/${lessonOf(c)}/cells/${rows[r].dataset.s}/`);
    const isFuture = (c) => headers[c].classList.contains("f");
    const isEditable = (td) => editable && !td.classList.contains("x") && !isFuture(td.cellIndex);
    // What the server holds for each cell: a refused value is shown in its cell, the saved one stays here.
    const savedText = new Map();
    rows.forEach((tr) => Array.from(tr.cells).forEach((td) => savedText.set(td, td.textContent)));

    // Why typing into a cell does nothing: a lesson still to come, a closed period, a journal only to read.
    const refuseVisibly = (td) => {
      let message = readonlyReason;
      if (!message && isFuture(td.cellIndex)) {
        message = `Урок ${headers[td.cellIndex].querySelector("a").textContent} ещё не прошёл: `
          + "отметки и пропуски ставятся в день урока.";
      }
      if (!message && td.classList.contains("x")) message = "В этот день обучающийся не был в группе.";
      if (!message) return;
      const el = statusEl();
      if (el) {
        el.textContent = message;
        el.classList.add("error");
      }
      td.classList.remove("refuse");
      void td.offsetWidth; // restart the shake
      td.classList.add("refuse");
      td.title = message;
    };
    const restoreSaved = (td) => {
      const target = `${lessonOf(td.cellIndex)}:${td.parentElement.dataset.s}`;
      td.textContent = savedText.get(td) || "";
      setState(td, "");
      dropConflict(target);
      queue.forget(target);
    };

    const focusCell = (r, c, scroll = true) => {
      r = Math.max(0, Math.min(rows.length - 1, r));
      c = Math.max(firstLesson, Math.min(firstLesson + lessonCount - 1, c));
      const old = cellAt(row, col);
      if (old) old.classList.remove("focus");
      row = r;
      col = c;
      const td = cellAt(row, col);
      td.classList.add("focus");
      if (scroll) td.scrollIntoView({ block: "nearest", inline: "nearest" });
      if (workTypeSelect) {
        workTypeSelect.disabled = false;
        if (headers[col].dataset.wt) workTypeSelect.value = headers[col].dataset.wt;
      }
      if (historyLink) {
        historyLink.href = urlOf(row, col);
        historyLink.hidden = false;
      }
    };

    const cellClasses = (td, data) => {
      td.classList.toggle("a", Boolean(data.absence));
      td.classList.toggle("c", headers[col] && headers[td.cellIndex].classList.contains("c") && data.marks.length > 0);
      td.classList.toggle("lo", data.marks.some((m) => m.startsWith("1") || m.startsWith("2") || m === "нз"));
    };

    const updateRow = (tr, stats) => {
      if (!stats) return;
      for (const key of ["count", "average", "suggested"]) {
        const td = tr.querySelector(`td[data-k="${key}"]`);
        if (td) td.textContent = stats[key] === undefined ? "" : String(stats[key]);
      }
      const suggested = tr.querySelector('td[data-k="suggested"]');
      if (suggested && stats.explanation) suggested.title = stats.explanation;
    };

    const cellCallbacks = (td, tr) => ({
      baseOf: () => savedText.get(td) || "",
      onState: (state) => setState(td, state),
      onConflict: (data) => {
        const { theirs, mine } = data.conflict;
        savedText.set(td, theirs); // what the server holds now: Esc or «take theirs» shows it
        td.textContent = mine;
        setState(td, "error conflict", data.error);
        const target = `${lessonOf(td.cellIndex)}:${tr.dataset.s}`;
        showConflict(target, data.html, {
          keep: () => save(rows.indexOf(tr), td.cellIndex, mine),
          take: () => {
            td.textContent = theirs;
            cellClasses(td, data.conflict);
            setState(td, "");
            queue.forget(target);
          },
        });
      },
      onOk: (data) => {
        td.textContent = data.text;
        savedText.set(td, data.text);
        cellClasses(td, data);
        setState(td, "saved");
        updateRow(tr, data.row);
      },
      onError: (message, retrying) => {
        const kept = savedText.get(td);
        const note = !retrying && kept ? ` Сохранено: «${kept}» — Esc вернёт.` : "";
        setState(td, retrying ? "saving error" : "error", message + note);
      },
    });

    const save = (r, c, value) => {
      const td = cellAt(r, c);
      const tr = rows[r];
      td.textContent = value;
      const hint = layoutHint(value);
      if (hint) { // never sent: the saved value stays, the cell says why
        setState(td, "error", hint);
        const el = statusEl();
        if (el) {
          el.textContent = hint;
          el.classList.add("error");
        }
        return;
      }
      queue.push(`${lessonOf(c)}:${tr.dataset.s}`, { url: urlOf(r, c), fields: { value, row: "1" },
        ...cellCallbacks(td, tr) });
    };
    restorers.push((target) => {
      const [lesson, student] = target.split(":");
      const c = headers.findIndex((th) => th.dataset.l === lesson);
      const tr = rows.find((row) => row.dataset.s === student);
      return c > 0 && tr ? cellCallbacks(tr.cells[c], tr) : null;
    });

    const openEditor = (initial, replace) => {
      const td = cellAt(row, col);
      if (editor) return;
      if (!isEditable(td)) {
        refuseVisibly(td);
        return;
      }
      const original = td.textContent;
      editor = document.createElement("input");
      editor.className = "cell-editor";
      editor.autocomplete = "off";
      editor.spellcheck = false;
      editor.setAttribute("aria-label", "Отметка или пропуск");
      editor.value = replace ? initial : original;
      editor.dataset.original = original;
      td.textContent = "";
      td.appendChild(editor);
      editor.focus();
      editor.setSelectionRange(editor.value.length, editor.value.length);
    };

    const closeEditor = (commit) => {
      if (!editor) return;
      const current = editor;
      editor = null; // first: removing a focused input fires focusout, which must not close it twice
      const td = current.parentElement;
      const value = current.value.trim();
      const original = current.dataset.original;
      current.remove();
      td.textContent = original;
      table.focus({ preventScroll: true });
      if (commit && value !== original) save(rows.findIndex((tr) => tr === td.parentElement), td.cellIndex, value);
    };

    const move = (dr, dc) => focusCell(row + dr, col + dc);

    // The column's header: its lesson's topic and homework, edited in place (recordPanel below).
    let onHeader = false;
    const focusHeader = (on) => {
      onHeader = on;
      headers.forEach((th) => th.classList.remove("focus"));
      if (on) {
        cellAt(row, col).classList.remove("focus");
        headers[col].classList.add("focus");
        headers[col].scrollIntoView({ block: "nearest", inline: "nearest" });
      } else {
        cellAt(row, col).classList.add("focus");
      }
    };
    const openRecord = () => {
      if (!panelUrl) return;
      recordPanel(panelUrl.replace("/0/", `/${lessonOf(col)}/`), headers[col], () => {
        focusHeader(false);
        focusCell(0, col);
        table.focus({ preventScroll: true });
      });
    };
    const panelUrl = table.dataset.recordPanelUrl;

    table.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (onHeader && event.target === table) {
        switch (event.key) {
          case "ArrowDown": case "Escape": event.preventDefault(); focusHeader(false); return;
          case "ArrowLeft": case "ArrowRight":
            event.preventDefault();
            focusCell(row, col + (event.key === "ArrowRight" ? 1 : -1));
            focusHeader(true);
            return;
          case "Enter": case "F2": event.preventDefault(); openRecord(); return;
          default: return;
        }
      }
      if (editor && event.target === editor) {
        switch (event.key) {
          case "Enter":
            event.preventDefault();
            closeEditor(true);
            move(event.shiftKey ? -1 : 1, 0);
            return;
          case "Tab":
            event.preventDefault();
            closeEditor(true);
            move(0, event.shiftKey ? -1 : 1);
            return;
          case "ArrowDown":
          case "ArrowUp":
            event.preventDefault();
            closeEditor(true);
            move(event.key === "ArrowDown" ? 1 : -1, 0);
            return;
          case "Escape":
            event.preventDefault();
            closeEditor(false);
            return;
          default:
            return;
        }
      }
      switch (event.key) {
        case "ArrowDown": event.preventDefault(); move(1, 0); return;
        case "ArrowUp":
          event.preventDefault();
          if (row === 0 && panelUrl) focusHeader(true);
          else move(-1, 0);
          return;
        case "Escape": {
          event.preventDefault();
          const td = cellAt(row, col);
          if (td.classList.contains("error")) restoreSaved(td);
          return;
        }
        case "ArrowRight": event.preventDefault(); move(0, 1); return;
        case "ArrowLeft": event.preventDefault(); move(0, -1); return;
        case "Home": event.preventDefault(); focusCell(row, firstLesson); return;
        case "End": event.preventDefault(); focusCell(row, firstLesson + lessonCount - 1); return;
        case "Tab":
          if ((event.shiftKey && col === firstLesson) || (!event.shiftKey && col === firstLesson + lessonCount - 1)) {
            return; // leave the grid
          }
          event.preventDefault();
          move(0, event.shiftKey ? -1 : 1);
          return;
        case "Enter":
          event.preventDefault();
          if (event.shiftKey) {
            showHistory();
            return;
          }
          if (isEditable(cellAt(row, col))) openEditor("", false);
          else move(1, 0);
          return;
        case "F2": event.preventDefault(); openEditor("", false); return;
        case "Delete":
        case "Backspace": {
          event.preventDefault();
          const td = cellAt(row, col);
          if (td.classList.contains("error")) restoreSaved(td); // clears the refused value, never the saved one
          else if (!isEditable(td)) refuseVisibly(td);
          else if (td.textContent !== "") save(row, col, "");
          return;
        }
        default:
          if (event.key.length === 1 && event.key !== " ") {
            event.preventDefault();
            openEditor(event.key, true);
          }
      }
    });

    table.addEventListener("focusout", (event) => {
      if (editor && event.target === editor) closeEditor(true);
    });

    table.addEventListener("click", (event) => {
      const td = event.target.closest("td");
      if (!td || !rows.includes(td.parentElement) || td.cellIndex < firstLesson
          || td.cellIndex >= firstLesson + lessonCount || event.target === editor) return;
      const r = rows.indexOf(td.parentElement);
      const again = r === row && td.cellIndex === col && td.classList.contains("focus");
      focusCell(r, td.cellIndex, false);
      if (again) openEditor("", false); // a second tap edits: tablets and phones without a keyboard
      else table.focus({ preventScroll: true });
    });

    const showHistory = () => {
      if (!panel) {
        window.location.href = urlOf(row, col);
        return;
      }
      fetch(urlOf(row, col), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then((r) => r.text())
        .then((html) => {
          panel.innerHTML = html;
          panel.hidden = false;
          panel.scrollIntoView({ block: "nearest" });
        });
    };
    if (historyLink) {
      historyLink.addEventListener("click", (event) => {
        event.preventDefault();
        showHistory();
      });
    }

    if (workTypeSelect) {
      workTypeSelect.addEventListener("change", () => {
        const th = headers[col];
        const url = workTypeSelect.dataset.recordUrl.replace("/0/record/", `/${th.dataset.l}/record/`);
        queue.push(`wt:${th.dataset.l}`, {
          url,
          fields: { control_type: workTypeSelect.value },
          onState: (state) => setState(th, state),
          onOk: () => {
            th.dataset.wt = workTypeSelect.value;
            setState(th, "saved");
            cellAt(row, col).classList.add("focus");
            table.focus({ preventScroll: true });
          },
          onError: (message) => setState(th, "error", message),
        });
      });
    }

    table.addEventListener("focus", () => (onHeader ? headers[col] : cellAt(row, col)).classList.add("focus"));

    // The grid opens on today: the column of today's (or the last held) lesson, scrolled into view and focused.
    const todayIndex = headers.findIndex((th) => th.classList.contains("t"));
    let start = todayIndex;
    if (start < 0) {
      const firstFuture = headers.findIndex((th) => th.classList.contains("f"));
      start = firstFuture < 0 ? firstLesson + lessonCount - 1 : Math.max(firstLesson, firstFuture - 1);
    }
    focusCell(0, start, false);
    const wrap = table.closest(".jgrid-wrap");
    if (wrap) {
      const th = headers[start].getBoundingClientRect();
      const names = headers[0].getBoundingClientRect().width;
      // A few past lessons stay visible left of today's column.
      const left = wrap.getBoundingClientRect().left;
      wrap.scrollLeft = Math.max(0, wrap.scrollLeft + th.left - left - names - 3 * th.width);
    }
    if (document.activeElement === document.body || !document.activeElement) table.focus({ preventScroll: true });
    else cellAt(row, col).classList.remove("focus");
  };

  // --- a lesson's topic and homework, in place over the grid ----------------------------------------------------
  const recordPanel = (url, th, onClose) => {
    let holder = document.getElementById("record-panel");
    if (!holder) {
      holder = document.createElement("div");
      holder.id = "record-panel";
      holder.className = "card record-panel";
      holder.setAttribute("role", "dialog");
      holder.setAttribute("aria-label", "Тема и домашнее задание урока");
      document.querySelector(".jgrid-wrap").before(holder);
    }
    const close = () => {
      holder.hidden = true;
      holder.innerHTML = "";
      onClose();
    };
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((response) => {
        if (sessionEnded(response)) throw new Error("session");
        return response.text();
      })
      .then((html) => {
        holder.innerHTML = html;
        holder.hidden = false;
        const form = holder.querySelector("form");
        setupRecord(form, {
          onSaved: (data) => {
            if (data.topic !== undefined) th.title = data.topic || "тема не записана";
          },
          leave: close,
        });
        const closeButton = holder.querySelector("[data-close]");
        if (closeButton) closeButton.addEventListener("click", close);
        holder.addEventListener("keydown", (event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            close();
          }
        });
        const first = form.querySelector("#panel-topic");
        if (first) first.focus();
      })
      .catch(() => sessionBanner(true));
  };

  // --- the lesson sheet: one input per student ---------------------------------------------------------------------
  const setupSheet = (form) => {
    const inputs = Array.from(form.querySelectorAll("input.cell-input"));
    const sent = new Map(inputs.map((input) => [input, input.value])); // the last value sent (or loaded)
    const confirmed = new Map(inputs.map((input) => [input, input.value])); // what the server holds
    const callbacks = (input, value) => ({
      baseOf: () => confirmed.get(input) || "",
      onState: (state) => setState(input, state),
      onConflict: (data) => {
        const { theirs, mine } = data.conflict;
        confirmed.set(input, theirs);
        sent.set(input, null);
        setState(input, "error conflict", data.error);
        showConflict(input.dataset.cellUrl, data.html, {
          keep: () => {
            input.value = mine;
            commit(input);
          },
          take: () => {
            input.value = theirs;
            sent.set(input, theirs);
            setState(input, "");
            queue.forget(input.dataset.cellUrl);
          },
        });
      },
      onOk: (data) => {
        if (document.activeElement !== input || input.value.trim() === value) input.value = data.text;
        sent.set(input, data.text);
        confirmed.set(input, data.text);
        setState(input, "saved");
      },
      onError: (message, retrying) => {
        if (!retrying) sent.set(input, null); // typed again, it is sent again
        const kept = confirmed.get(input);
        const note = !retrying && kept ? ` Сохранено: «${kept}» — Esc вернёт.` : "";
        setState(input, retrying ? "saving error" : "error", message + note);
      },
    });
    const commit = (input) => {
      const value = input.value.trim();
      if (value === sent.get(input)) return;
      const hint = layoutHint(value);
      if (hint) { // never sent: the saved value stays
        sent.set(input, null);
        setState(input, "error", hint);
        const el = statusEl();
        if (el) {
          el.textContent = hint;
          el.classList.add("error");
        }
        return;
      }
      sent.set(input, value);
      queue.push(input.dataset.cellUrl, { url: input.dataset.cellUrl, fields: { value }, ...callbacks(input, value) });
    };
    restorers.push((target, job) => {
      const input = inputs.find((el) => el.dataset.cellUrl === target);
      if (!input) return null;
      input.value = job.fields.value;
      sent.set(input, job.fields.value);
      return callbacks(input, job.fields.value);
    });
    inputs.forEach((input, index) => {
      input.addEventListener("keydown", (event) => {
        const go = (to) => {
          const next = inputs[to];
          if (next) {
            next.focus();
            next.select();
          }
        };
        if (event.key === "Enter" || (event.key === "ArrowDown" && !event.altKey)) {
          event.preventDefault();
          commit(input);
          go(index + (event.shiftKey && event.key === "Enter" ? -1 : 1));
        } else if (event.key === "ArrowUp") {
          event.preventDefault();
          commit(input);
          go(index - 1);
        } else if (event.key === "Escape") {
          input.value = confirmed.get(input) || "";
          sent.set(input, input.value);
          setState(input, "");
          dropConflict(input.dataset.cellUrl);
          queue.forget(input.dataset.cellUrl);
        }
      });
      input.addEventListener("change", () => commit(input));
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      inputs.forEach(commit);
    });
  };

  // --- the lesson record: each field saved when it changes ------------------------------------------------------------
  // On the lesson page and in the grid's panel: Enter in an empty topic takes the one the КТП offers; Enter in the
  // topic goes on to the homework; Tab from the homework goes to the first pupil (or back to the grid).
  const setupRecord = (form, options = {}) => {
    const state = form.querySelector(".field-state");
    const fields = Array.from(form.querySelectorAll("input[name], textarea[name], select[name]"))
      .filter((el) => !["csrfmiddlewaretoken", "reason", "key"].includes(el.name));
    const reasonInput = form.querySelector('[name="reason"]');
    const saveField = (el) => {
      const data = { [el.name]: el.value };
      if (reasonInput && reasonInput.value.trim()) data.reason = reasonInput.value.trim();
      queue.push(`record:${form.action}:${el.name}`, {
        url: form.action,
        fields: data,
        onState: (s) => {
          el.classList.toggle("field-saving", s === "saving");
          if (state) {
            state.className = "field-state";
            state.textContent = "сохраняется…";
          }
        },
        onOk: () => {
          el.classList.remove("field-saving", "field-error");
          if (state) {
            state.className = "field-state saved";
            state.textContent = "сохранено";
          }
          if (options.onSaved) options.onSaved({ [el.name]: el.value });
        },
        onError: (message) => {
          el.classList.remove("field-saving");
          el.classList.add("field-error");
          if (state) {
            state.className = "field-state error";
            state.textContent = message;
          }
        },
      });
    };
    const known = new Map(fields.map((el) => [el, el.value]));
    const saveIfChanged = (el) => {
      if (known.get(el) === el.value) return;
      known.set(el, el.value);
      saveField(el);
    };
    fields.forEach((el) => el.addEventListener("change", () => saveIfChanged(el)));
    const topic = form.querySelector('[name="topic"]');
    const homework = form.querySelector('[name="homework"]');
    if (topic) {
      topic.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.altKey) return;
        event.preventDefault();
        if (!topic.value.trim() && topic.dataset.offer) {
          topic.value = topic.dataset.offer;
          saveIfChanged(topic);
          return; // the teacher sees the topic taken, Tab or Enter goes on
        }
        saveIfChanged(topic);
        if (homework) homework.focus();
      });
    }
    if (homework) {
      homework.addEventListener("keydown", (event) => {
        if (event.key !== "Tab" || event.shiftKey) return;
        saveIfChanged(homework);
        if (options.leave) {
          event.preventDefault();
          options.leave();
          return;
        }
        const first = document.querySelector("#sheet input.cell-input");
        if (first) {
          event.preventDefault();
          first.focus();
          first.select();
        }
      });
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      fields.forEach(saveField);
      if (options.leave) options.leave();
    });
  };

  // Jobs kept from before a reload (a session that ended, a closed tab): sent again with their keys.
  const restoreUnsaved = () => {
    const all = stored();
    const now = Date.now();
    let restored = 0;
    for (const [target, entry] of Object.entries(all)) {
      if (!entry || now - entry.at > 24 * 3600 * 1000) {
        remember(target, null);
        continue;
      }
      let callbacks = null;
      for (const restorer of restorers) {
        callbacks = restorer(target, entry);
        if (callbacks) break;
      }
      queue.push(target, { url: entry.url, fields: entry.fields, key: entry.key, ...(callbacks || {}) });
      restored += 1;
    }
    if (restored) {
      const el = statusEl();
      if (el) el.textContent = `Сохраняются изменения, не сохранённые раньше: ${restored}`;
    }
  };

  const start = () => {
    const grid = document.getElementById("grid");
    if (grid && grid.tHead) setupGrid(grid);
    const sheet = document.getElementById("sheet-form");
    if (sheet) setupSheet(sheet);
    const record = document.getElementById("lesson-record");
    if (record && record.hasAttribute("data-autosave")) setupRecord(record);
    document.body.dataset.pending = "0";
    restoreUnsaved();
    document.body.dataset.journalReady = "1";
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
