// The class journal: keyboard-first grid and lesson sheet, every cell saved on its own.
// No inline scripts (the CSP forbids them): this module finds its elements by id and data attributes.
//
// Saving: each change becomes a job with an idempotency key (crypto.randomUUID) that is kept when the job is
// retried, so a repeated request never duplicates a mark. Jobs of one cell run in order; a newer value
// waits for the one in flight. A network failure or a server error is retried with growing pauses and the
// cell stays marked; a refusal (bad input, closed period) stays visible with its message until corrected.
(() => {
  "use strict";

  const statusEl = () => document.getElementById("save-status");
  const csrfToken = () => {
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

  // --- the save queue ----------------------------------------------------------------------------------------
  // One request at a time for the whole page (a school's single computer runs SQLite): cells wait their turn in
  // order; for each cell only its newest value is sent; a cell in flight or waiting to retry keeps its place.
  const queue = {
    targets: new Map(), // target id -> {inflight, pending, timer}
    ready: [], // targets with a pending job, in the order they were typed
    failed: new Set(),
    active: 0,

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
      job.onState && job.onState("saving");
      if (!slot.inflight && !this.ready.includes(target)) this.ready.push(target);
      this.pump();
      this.report();
    },

    pump() {
      while (this.active < 1 && this.ready.length) {
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
      const body = new URLSearchParams(job.fields);
      body.set("key", job.key);
      if (lateReason && !body.get("reason")) body.set("reason", lateReason);
      fetch(job.url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      }).then(async (response) => {
        let data = {};
        try {
          data = await response.json();
        } catch (e) {
          data = { ok: false, error: `Ошибка сервера (${response.status})` };
        }
        if (response.ok && data.ok) return this.succeeded(target, slot, job, data);
        if (response.status === 409 && data.need_reason) return this.needReason(target, slot, job, data);
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
      if (!slot.pending) job.onOk && job.onOk(data);
      this.release(target, slot);
    },

    refused(target, slot, job, message) {
      this.failed.add(target);
      if (!slot.pending) job.onError && job.onError(message, false);
      this.release(target, slot);
      this.report(message);
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
      el.classList.toggle("error", this.failed.size > 0);
      if (message && this.failed.size) el.textContent = `Ошибка: ${message}`;
      else if (pending) el.textContent = `Сохраняется… (${pending})`;
      else if (this.failed.size) el.textContent = `Не сохранено клеток: ${this.failed.size}`;
      else el.textContent = "Все изменения сохранены";
    },
  };
  window.addEventListener("online", () => queue.retryNow());
  window.addEventListener("beforeunload", (event) => {
    if (queue.pendingCount()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  const setState = (el, state, message) => {
    el.classList.remove("saving", "saved", "error");
    if (state) el.classList.add(...state.split(" "));
    if (message) el.title = message;
    else el.removeAttribute("title");
    if (state === "saved") {
      window.setTimeout(() => el.classList.remove("saved"), 2000);
    }
  };

  // --- the grid ---------------------------------------------------------------------------------------------------
  const setupGrid = (table) => {
    const editable = table.hasAttribute("data-editable");
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
    const isEditable = (td) => editable && !td.classList.contains("x");

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

    const save = (r, c, value) => {
      const td = cellAt(r, c);
      const tr = rows[r];
      td.textContent = value;
      queue.push(`${lessonOf(c)}:${tr.dataset.s}`, {
        url: urlOf(r, c),
        fields: { value, row: "1" },
        onState: (state) => setState(td, state),
        onOk: (data) => {
          td.textContent = data.text;
          cellClasses(td, data);
          setState(td, "saved");
          updateRow(tr, data.row);
        },
        onError: (message, retrying) => setState(td, retrying ? "saving error" : "error", message),
      });
    };

    const openEditor = (initial, replace) => {
      const td = cellAt(row, col);
      if (!isEditable(td) || editor) return;
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

    table.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
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
        case "ArrowUp": event.preventDefault(); move(-1, 0); return;
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
          if (isEditable(td) && td.textContent !== "") save(row, col, "");
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

    focusCell(0, firstLesson, false);
    cellAt(row, col).classList.remove("focus");
    table.addEventListener("focus", () => cellAt(row, col).classList.add("focus"));
  };

  // --- the lesson sheet: one input per student ---------------------------------------------------------------------
  const setupSheet = (form) => {
    const inputs = Array.from(form.querySelectorAll("input.cell-input"));
    const saved = new Map(inputs.map((input) => [input, input.value]));
    const commit = (input) => {
      const value = input.value.trim();
      if (value === saved.get(input)) return;
      saved.set(input, value);
      queue.push(input.dataset.cellUrl, {
        url: input.dataset.cellUrl,
        fields: { value },
        onState: (state) => setState(input, state),
        onOk: (data) => {
          if (document.activeElement !== input || input.value.trim() === value) input.value = data.text;
          saved.set(input, data.text);
          setState(input, "saved");
        },
        onError: (message, retrying) => {
          if (!retrying) saved.set(input, null); // typed again, it is sent again
          setState(input, retrying ? "saving error" : "error", message);
        },
      });
    };
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
          input.value = saved.get(input) || "";
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
  const setupRecord = (form) => {
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
    fields.forEach((el) => el.addEventListener("change", () => saveField(el)));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      fields.forEach(saveField);
    });
  };

  const start = () => {
    const grid = document.getElementById("grid");
    if (grid && grid.tHead) setupGrid(grid);
    const sheet = document.getElementById("sheet-form");
    if (sheet) setupSheet(sheet);
    const record = document.getElementById("lesson-record");
    if (record && record.hasAttribute("data-autosave")) setupRecord(record);
    document.body.dataset.pending = "0";
    document.body.dataset.journalReady = "1";
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
