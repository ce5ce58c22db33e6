// The journal's service worker: shows the pushes the server sends (RFC 8291, decrypted by the browser) and opens
// the page a notification points to. A push with the same tag (a corrected mark) replaces the one shown.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data ? event.data.text() : "" }; }
  const title = data.title || "Электронный журнал";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "", tag: data.tag || undefined, renotify: Boolean(data.tag), data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    for (const client of windows) {
      if (client.url === url && "focus" in client) return client.focus();
    }
    return clients.openWindow(url);
  }));
});
