// File: index_page.cpp — the page served at "/": a minimal console for the echo socket.
// Self-contained (no CDN, no external fonts): it must work offline and behind any proxy.
#include <wsecho/http_routes.hpp>

namespace wsecho {

namespace {

constexpr std::string_view page = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wsecho</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; }
  input[type=text] { flex: 1; min-width: 12rem; padding: .4rem; }
  #log { font-family: ui-monospace, monospace; white-space: pre-wrap; border: 1px solid #ccc;
         padding: .5rem; min-height: 10rem; max-height: 60vh; overflow-y: auto; }
</style>
</head>
<body>
<h1>wsecho</h1>
<p>Click <b>Open</b> to connect to <code>/socket</code>, type a message and press <b>Send</b>:
the server sends it back. <b>Close</b> ends the connection.</p>
<form id="form">
  <button type="button" id="open">Open</button>
  <button type="button" id="close">Close</button>
  <input type="text" id="input" value="Hello, world!" aria-label="message">
  <button type="submit">Send</button>
</form>
<p id="state">disconnected</p>
<div id="log" aria-live="polite"></div>
<script>
"use strict";
const log = document.getElementById("log");
const state = document.getElementById("state");
let ws = null;
function print(line) {
  const row = document.createElement("div");
  row.textContent = new Date().toLocaleTimeString() + "  " + line;
  log.appendChild(row);
  log.scrollTop = log.scrollHeight;
}
document.getElementById("open").onclick = () => {
  if (ws) return;
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/socket";
  ws = new WebSocket(url);
  state.textContent = "connecting to " + url;
  ws.onopen = () => { state.textContent = "connected"; print("OPEN"); };
  ws.onmessage = (e) => print("RESPONSE: " + e.data);
  ws.onerror = () => print("ERROR");
  ws.onclose = (e) => {
    state.textContent = "disconnected (code " + e.code + (e.reason ? ", " + e.reason : "") + ")";
    print("CLOSE " + e.code);
    ws = null;
  };
};
document.getElementById("close").onclick = () => { if (ws) ws.close(1000, "bye"); };
document.getElementById("form").onsubmit = (e) => {
  e.preventDefault();
  if (!ws || ws.readyState !== WebSocket.OPEN) { print("not connected"); return; }
  const text = document.getElementById("input").value;
  print("SEND: " + text);
  ws.send(text);
};
</script>
</body>
</html>
)html";

}  // namespace

std::string_view index_page()
{
    return page;
}

}  // namespace wsecho
