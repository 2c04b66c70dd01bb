// Live figures of the review pages, in the browser. Progressive
// enhancement: without this script (or without subscriptions on the
// server) the pages show the figures of the moment they were loaded, and a
// reload brings the new ones.
//
// The script subscribes to the API's change feed over Server-Sent Events
// (POST /graphql, Accept: text/event-stream: subscription { changes }),
// with the page's own credentials (the sign-in cookie, or none). When a
// change arrives it loads the page again in the background, at most once
// every five seconds, and swaps each section of figures (section.review-
// section with an id) for its new version; the selection form is left as
// the reader set it, and so is a section whose committee form the reader
// is filling in (a field with the focus or changed, a form opened): it is
// brought up to date once left. A live region says when the figures were
// updated. A
// hidden page waits until it is shown again. If the stream ends, it is
// opened again later; if the server refuses it (no subscriptions there), the
// page stays as it is.
(function () {
  "use strict";

  if (!window.fetch || !window.TextDecoder || !window.DOMParser || !window.ReadableStream) return;
  const main = document.getElementById("contenu");
  if (!main || !main.querySelector("section.review-section[id]")) return;

  const query = "subscription { changes { kind slug operation } }";
  const minGap = 5000;
  let timer = null;
  let last = 0;
  let dirty = false;
  let backoff = 2000;
  let status = null;

  function announce(text) {
    if (!status) {
      status = document.createElement("p");
      status.className = "review-live fr-text--xs fr-mb-1w";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      const container = main.querySelector(".fr-container") || main;
      container.insertBefore(status, container.firstChild);
    }
    status.textContent = text;
  }

  // busy reports whether the reader is filling in a form of the section.
  function busy(section) {
    const active = document.activeElement;
    if (active && active !== document.body && section.contains(active) && active.closest("form, details")) return true;
    if (section.querySelector("details[open] form")) return true;
    for (const el of section.querySelectorAll("input, select, textarea")) {
      if (el.type === "hidden") continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el.tagName === "SELECT") {
        if (Array.from(el.options).some((o) => o.selected !== o.defaultSelected)) return true;
      } else if (el.value !== el.defaultValue) {
        return true;
      }
    }
    return false;
  }

  async function refresh() {
    timer = null;
    if (document.visibilityState === "hidden") {
      dirty = true;
      return;
    }
    dirty = false;
    last = Date.now();
    const resp = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!resp.ok) return;
    const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
    let swapped = 0;
    let kept = 0;
    main.querySelectorAll("section.review-section[id]").forEach((old) => {
      const fresh = doc.getElementById(old.id);
      if (!fresh || !fresh.matches("section.review-section")) return;
      if (busy(old)) {
        kept++;
        return;
      }
      const node = document.importNode(fresh, true);
      old.replaceWith(node);
      node.dispatchEvent(new CustomEvent("review:updated", { bubbles: true }));
      swapped++;
    });
    if (swapped > 0) {
      const now = new Date();
      const hm = now.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
      announce("Chiffres mis à jour à " + hm + " : une modification vient d’être enregistrée." +
        (kept > 0 ? " La section dont vous remplissez le formulaire le sera ensuite." : ""));
    }
    if (kept > 0) {
      dirty = true;
      setTimeout(() => {
        if (dirty) schedule();
      }, 3 * minGap);
    }
  }

  function schedule() {
    if (timer) return;
    const wait = Math.max(1000, minGap - (Date.now() - last));
    timer = setTimeout(() => refresh().catch(() => {}), wait);
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && dirty) schedule();
  });

  // handle reads one event of the stream; it returns false when the
  // server refused the subscription for good.
  function handle(block) {
    let event = "message";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trim();
    }
    if (event !== "next" || data === "") return true;
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      return true;
    }
    if (msg.errors && msg.errors.length > 0) {
      const code = msg.errors[0].extensions && msg.errors[0].extensions.code;
      return code === "RATE_LIMITED" || code === "UNAVAILABLE";
    }
    if (msg.data && msg.data.changes) {
      backoff = 2000;
      schedule();
    }
    return true;
  }

  async function listen() {
    let again = true;
    try {
      const resp = await fetch("/graphql", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ query: query }),
      });
      const type = resp.headers.get("Content-Type") || "";
      if (!resp.ok || !resp.body || !type.startsWith("text/event-stream")) return;
      const reader = resp.body.getReader();
      const decoder = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!handle(block)) again = false;
        }
      }
    } catch (e) {
      // The network dropped the stream: open it again below.
    }
    if (!again) return;
    setTimeout(listen, backoff);
    backoff = Math.min(backoff * 2, 60000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", listen);
  else listen();
})();
