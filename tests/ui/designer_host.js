// Designer's host side of @alteryx/react-comms 1.1.0 (sdk/NOTES.md §7), installed before the
// panel's own script runs, as Designer's embedded browser does. Secrets are "encrypted" with the
// same reversible stand-in as designer_host/designer_config.py (ENC: + base64 of UTF-8), so the
// Python tool can decrypt what the panel saved.
(() => {
  const toB64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  const fromB64 = (b64) => new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  const host = { events: [], saved: null, ready: false, encrypts: 0, decrypts: 0 };
  window.__host = host;
  const answer = (callback, value) => {
    const m = /Callbacks\['([^']+)'\]/.exec(callback || '');
    // Designer answers asynchronously, from its own message loop.
    if (m) setTimeout(() => window.Alteryx.Gui.Callbacks[m[1]](value), 0);
  };
  window.Alteryx = {
    AlteryxLanguageCode: 'en',
    JsEvent: (json) => {
      const msg = JSON.parse(json);
      host.events.push(msg.Event);
      switch (msg.Event) {
        case 'Encrypt':
          host.encrypts += 1;
          answer(msg.callback, `ENC:${toB64(msg.text)}`);
          break;
        case 'Decrypt':
          host.decrypts += 1;
          answer(msg.callback, msg.text.startsWith('ENC:') ? fromB64(msg.text.slice(4)) : msg.text);
          break;
        case 'SetConfiguration':
          host.ready = true;
          break;
        case 'GetConfiguration':
          host.saved = { Configuration: msg.Configuration };
          break;
        default:
          break;
      }
    },
  };
  // What the test calls: Designer opening the panel, and Designer leaving it (saving).
  host.open = (cfg) => window.Alteryx.Gui.SetConfiguration(cfg);
  host.save = () => { host.saved = null; window.Alteryx.Gui.GetConfiguration(); };
})();
