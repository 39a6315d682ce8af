// File: lib/src/index.js — the console's script, pasted into index.html's <script> at configure time.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/socket";
  const chartCapacity = 60;
  const logCapacity = 500;  // older rows go, so a long session does not grow the page without bound
  const closeNames = {
    1000: "normal closure", 1001: "going away", 1002: "protocol error", 1003: "unsupported data",
    1005: "no status code", 1006: "abnormal closure: no close frame", 1007: "invalid payload data",
    1008: "policy violation", 1009: "message too big", 1010: "missing extension", 1011: "internal error",
    1012: "service restart", 1013: "try again later", 1015: "TLS handshake failed",
  };

  let ws = null;
  // The server echoes in order on one connection, so the oldest unanswered send is the one each echo answers.
  let pending = [];
  let sent = 0, received = 0;
  // The log follows new rows (also when the layout changes its height) unless the reader scrolled up.
  let followLog = true;
  const rtt = { count: 0, sum: 0, min: Infinity, max: 0, recent: [] };

  $("url").textContent = url;
  $("chart-capacity").textContent = chartCapacity;

  const pad = (n, width) => String(n).padStart(width, "0");
  const clock = (d) => `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
  const number = (v) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
  const ms = (v) => number(v) + " ms";
  const axisLabel = (v) => String(Number(v.toPrecision(2)));
  // A tile shows the number large and its unit small, so four of them fit a narrow column.
  function setTile(id, v) {
    const unit = document.createElement("small");
    unit.textContent = "ms";
    $(id).replaceChildren(number(v), unit);
  }

  function log(kind, text, rttMs) {
    const list = $("log");
    const row = document.createElement("li");
    row.className = "entry";
    row.dataset.kind = kind;
    row.dataset.testid = "log-entry";
    const time = document.createElement("time");
    time.textContent = clock(new Date());
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = kind;
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    const tail = document.createElement("span");
    if (rttMs !== undefined) {
      tail.className = "rtt";
      tail.dataset.testid = "rtt";
      tail.dataset.rttMs = rttMs.toFixed(3);
      tail.textContent = ms(rttMs);
    }
    row.append(time, tag, body, tail);
    list.append(row);
    while (list.children.length > logCapacity) list.firstElementChild.remove();
    if (followLog) list.scrollTop = list.scrollHeight;
  }

  function setState(state, label, clean = false) {
    const pill = $("state");
    pill.dataset.state = state;
    pill.dataset.clean = clean;
    pill.textContent = label || state;
    const open = state === "open";
    $("connect").disabled = ws !== null;
    $("disconnect").disabled = !(open || state === "connecting");
    $("message").disabled = !open;
    $("send").disabled = !open;
  }

  function showCounts() {
    $("sent").textContent = sent;
    $("received").textContent = received;
  }

  function recordRtt(value) {
    rtt.count += 1;
    rtt.sum += value;
    rtt.min = Math.min(rtt.min, value);
    rtt.max = Math.max(rtt.max, value);
    rtt.recent.push(value);
    if (rtt.recent.length > chartCapacity) rtt.recent.shift();
    setTile("rtt-last", value);
    setTile("rtt-avg", rtt.sum / rtt.count);
    setTile("rtt-min", rtt.min);
    setTile("rtt-max", rtt.max);
    drawChart();
  }

  // 1, 2 or 5 times a power of ten, at least v: axis labels stay readable.
  function niceCeil(v) {
    const power = Math.pow(10, Math.floor(Math.log10(v)));
    return [1, 2, 5, 10].map((f) => f * power).find((n) => n >= v);
  }

  // Drawn in the element's own pixels (viewBox = its size), so lines and the dot never stretch. The left
  // gutter holds the axis labels; a short series is spread over at least minSlots slots, not crammed left.
  function drawChart() {
    const svg = $("chart");
    const w = svg.clientWidth, h = svg.clientHeight;
    if (!w || !h) return;
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const left = 48, right = 6, top = 8, bottom = h - 8, minSlots = 12;
    const rows = [["top", top], ["mid", (top + bottom) / 2], ["base", bottom]];
    for (const [name, y] of rows) {
      const line = $("grid-" + name);
      line.setAttribute("x1", left); line.setAttribute("x2", w - right);
      line.setAttribute("y1", y); line.setAttribute("y2", y);
      $("axis-" + name).style.top = y + "px";
    }
    const samples = rtt.recent;
    svg.dataset.samples = samples.length;
    $("chart-empty").hidden = samples.length > 0;
    if (samples.length === 0) {
      $("chart-line").setAttribute("points", "");
      $("chart-area").setAttribute("d", "");
      $("chart-last").setAttribute("hidden", "");
      for (const [name] of rows) $("axis-" + name).textContent = "";
      return;
    }
    const scale = niceCeil(Math.max(...samples, 0.01));
    const step = (w - left - right) / (Math.max(samples.length, minSlots) - 1);
    const points = samples.map((v, i) => [left + i * step, bottom - (v / scale) * (bottom - top)]);
    const text = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
    const [lastX, lastY] = points[points.length - 1];
    $("chart-line").setAttribute("points", text);
    $("chart-area").setAttribute("d", `M${left},${bottom} L${text.replaceAll(" ", " L")} L${lastX.toFixed(1)},${bottom} Z`);
    const last = $("chart-last");
    last.setAttribute("cx", lastX);
    last.setAttribute("cy", lastY);
    last.removeAttribute("hidden");
    $("axis-top").textContent = axisLabel(scale);
    $("axis-mid").textContent = axisLabel(scale / 2);
    $("axis-base").textContent = "0";
  }

  function connect() {
    if (ws) return;
    pending = [];
    $("close-info").hidden = true;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (err) {  // e.g. a policy that forbids the URL
      log("error", `cannot open ${url}: ${err.message}`);
      return;
    }
    ws = socket;
    setState("connecting");
    log("info", "connecting to " + url);
    socket.onopen = () => {
      setState("open", "connected");
      log("open", "connected");
      $("message").focus();
      $("message").select();
    };
    socket.onmessage = (event) => {
      const now = performance.now();
      received += 1;
      showCounts();
      const text = typeof event.data === "string" ? event.data : `[binary, ${event.data.size} bytes]`;
      const request = pending.shift();
      if (!request) {
        log("echo", text);
        return;
      }
      const value = now - request.sentAt;
      log("echo", text, value);
      if (request.text !== text) log("error", "the echo differs from the message sent");
      recordRtt(value);
    };
    socket.onerror = () => log("error", "connection error (the browser gives no details; see the close code)");
    socket.onclose = (event) => {
      ws = null;
      pending = [];
      const name = closeNames[event.code] || "unknown code";
      const reason = event.reason ? ` — “${event.reason}”` : "";
      const info = $("close-info");
      info.textContent = `Closed with code ${event.code} (${name})${reason}`;
      info.dataset.closeCode = event.code;
      info.dataset.clean = event.wasClean && (event.code === 1000 || event.code === 1001);
      info.hidden = false;
      setState("closed", `closed · ${event.code}`, info.dataset.clean === "true");
      log("close", `code ${event.code} (${name})${reason}`);
      $("log").lastElementChild.dataset.clean = info.dataset.clean;
    };
  }

  $("connect").addEventListener("click", connect);
  $("disconnect").addEventListener("click", () => {
    if (!ws) return;
    setState("closing");
    ws.close(1000, "closed from the console");
  });
  $("clear").addEventListener("click", () => { $("log").replaceChildren(); });
  $("compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("message");
    if (!ws || ws.readyState !== WebSocket.OPEN || input.value === "") return;
    pending.push({ text: input.value, sentAt: performance.now() });
    ws.send(input.value);
    sent += 1;
    showCounts();
    log("sent", input.value);
    input.select();  // Enter sends the same text again; typing replaces it
  });
  $("log").addEventListener("scroll", () => {
    const list = $("log");
    followLog = list.scrollTop + list.clientHeight >= list.scrollHeight - 24;
  });
  new ResizeObserver(() => { if (followLog) $("log").scrollTop = $("log").scrollHeight; }).observe($("log"));
  new ResizeObserver(drawChart).observe($("chart"));
  setState("disconnected");
})();
