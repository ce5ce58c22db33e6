// The settings page's push button: subscribes this browser with the application's VAPID key and sends the
// subscription to the server (JSON), or unsubscribes it. Without support for push the section says so.
(function () {
  "use strict";
  function csrf() {
    const headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function keyBytes(base64url) {
    const padded = (base64url + "=".repeat((4 - base64url.length % 4) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }
  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
  }
  async function init(section) {
    const status = section.querySelector("[data-push-status]");
    const on = section.querySelector("[data-push-subscribe]");
    const off = section.querySelector("[data-push-unsubscribe]");
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      status.textContent = "Этот браузер не поддерживает push-уведомления: они будут приходить по почте и в журнале.";
      return;
    }
    const registration = await navigator.serviceWorker.register(section.dataset.worker);
    const show = async () => {
      const current = await registration.pushManager.getSubscription();
      on.hidden = Boolean(current);
      off.hidden = !current;
      status.textContent = current ? "В этом браузере push-уведомления включены." : "В этом браузере push-уведомления выключены.";
    };
    on.addEventListener("click", async () => {
      try {
        const key = (await (await fetch(section.dataset.keyUrl, { credentials: "same-origin" })).json()).key;
        const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
        await post(section.dataset.subscribeUrl, subscription.toJSON());
      } catch (error) {
        status.textContent = "Не удалось включить push-уведомления: " + (Notification.permission === "denied" ? "браузер запретил уведомления для журнала." : error.message);
        return;
      }
      show();
    });
    off.addEventListener("click", async () => {
      const current = await registration.pushManager.getSubscription();
      if (current) {
        await post(section.dataset.unsubscribeUrl, { endpoint: current.endpoint }).catch(() => {});
        await current.unsubscribe();
      }
      show();
    });
    show();
  }
  document.addEventListener("DOMContentLoaded", () => {
    const section = document.getElementById("push");
    if (section) init(section);
  });
})();
