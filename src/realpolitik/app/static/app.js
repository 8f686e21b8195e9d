// The realpolitik dashboard's only script. No framework (no HTMX), no CDN: plain fetch()
// to this server, whose answers are HTML fragments. Each top-level element of an answer
// marked data-panel="NAME" replaces the content of the page's element #NAME; an answer in
// plain text (an error message) is shown in the panel the form names (data-errors).
"use strict";

(() => {
  const POLL_MS = 300;
  const polled = new WeakSet();
  const fetched = new WeakSet();
  let pending = 0;

  function say(panel, text) {
    const el = document.getElementById(panel || "notice") || document.getElementById("notice");
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = text;
    el.replaceChildren(p);
  }

  function swap(html) {
    const focused = document.activeElement && document.activeElement.name;
    const t = document.createElement("template");
    t.innerHTML = html;
    for (const part of Array.from(t.content.children)) {
      const target = part.dataset.panel && document.getElementById(part.dataset.panel);
      if (!target) continue;
      target.replaceChildren(...part.childNodes);
      if (part.dataset.location) history.replaceState(null, "", part.dataset.location);
    }
    if (focused) {
      const again = document.querySelector(`[name="${CSS.escape(focused)}"]`);
      if (again && again !== document.activeElement) again.focus();
    }
    startPolls();
    fetchDeferred();
  }

  // Charts an answer left out (data-deferred): asked for once the numbers show. An answer
  // that comes after a newer edit replaced the placeholder is dropped.
  async function fetchDeferred() {
    for (const el of document.querySelectorAll("[data-deferred]")) {
      if (fetched.has(el)) continue;
      fetched.add(el);
      try {
        const res = await fetch(el.dataset.deferred, { headers: { Accept: "text/html" } });
        const text = await res.text();
        if (!document.body.contains(el)) continue;
        if (res.status === 204) {
          el.textContent = "The scenario changed since; reload the page to see its charts.";
          continue;
        }
        if (res.ok && (res.headers.get("content-type") || "").startsWith("text/html")) swap(text);
        else el.textContent = text || `The charts cannot be drawn (${res.status}).`;
      } catch (err) {
        if (document.body.contains(el)) el.textContent = `The charts did not arrive (${err.message}).`;
      }
    }
  }

  async function send(method, url, body, errors) {
    pending += 1;
    document.body.classList.add("busy");
    try {
      const res = await fetch(url, { method, body, headers: { Accept: "text/html" } });
      const text = await res.text();
      if ((res.headers.get("content-type") || "").startsWith("text/html")) swap(text);
      else say(errors, text || `${res.status} ${res.statusText}`);
    } catch (err) {
      say(errors, `The dashboard server cannot be reached (${err.message}); is it running?`);
    } finally {
      pending -= 1;
      if (!pending) document.body.classList.remove("busy");
    }
  }

  // A job in progress carries data-poll: ask again for its state until it is done.
  function startPolls() {
    for (const el of document.querySelectorAll("[data-poll]")) {
      if (polled.has(el)) continue;
      polled.add(el);
      setTimeout(() => {
        if (document.body.contains(el)) send("GET", el.dataset.poll, null, "sim-message");
      }, POLL_MS);
    }
  }

  function edit(input) {
    const box = input.closest("[data-edit-url]");
    const body = new FormData();
    body.set("field", input.name);
    body.set("value", input.value);
    send("POST", box.dataset.editUrl, body, "notice");
  }

  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-swap")) return;
    e.preventDefault();
    send("POST", form.action, new FormData(form), form.dataset.errors);
  });

  document.addEventListener("change", (e) => {
    const el = e.target;
    if (el.matches("input[data-edit]")) edit(el);
    else if (el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
  });

  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.matches("input[data-edit]")) {
      e.preventDefault();
      e.target.blur(); // leaving the cell fires "change", which sends the edit
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    startPolls();
    fetchDeferred();
  });
})();
