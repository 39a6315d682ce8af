// File: tests/browser/console_test.js — the console page at "/" in a real browser: Debian's Chromium, headless,
// driven by playwright-core, against a real wsecho-server on 127.0.0.1. Registered in ctest by CMakeLists.txt.
//
// Usage: node console_test.js --server PATH --chromium PATH --artifacts DIR
// Loads the page, connects, sends two messages and checks each echo with its round-trip time, disconnects
// (close 1000) and reconnects, checks desktop and 375 px phone layouts for horizontal overflow, stops the
// server with SIGTERM and checks the page shows its graceful close, 1001. Screenshots go to DIR. Whatever
// happens, the server and the browser are ended before the process exits, and the whole run is held to 30 s.
"use strict";

const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { chromium } = require("playwright-core");

const BUDGET_MS = 30_000;     // the whole test; ctest's TIMEOUT (60 s) is only the backstop
const WAIT_MS = 5_000;        // any one thing the page or the server must do
const START_MS = 10_000;      // the server's "listening on" line (slower under AddressSanitizer)
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 667 };
// Chromium's flags for a quiet, throw-away instance: no sandbox (we run as root), no GPU, nothing it
// would fetch from the internet by itself.
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"];

const started = Date.now();
const say = (text) => console.log(`[${String(Date.now() - started).padStart(5)} ms] ${text}`);

const { values: args } = parseArgs({
    options: { server: { type: "string" }, chromium: { type: "string" }, artifacts: { type: "string" } },
});
for (const name of ["server", "chromium", "artifacts"])
    if (!args[name]) {
        console.error(`console_test.js: --${name} is required`);
        process.exit(2);
    }

// Everything that must not outlive the test, ended on every path (including the watchdog's).
const owned = { server: null, context: null, profile: null };

function killServer() {
    if (owned.server && owned.server.exitCode === null && owned.server.signalCode === null)
        owned.server.kill("SIGKILL");
}
process.on("exit", killServer);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Registered after the launch, so it runs after Playwright's own exit handler has killed Chromium.
function removeProfileOnExit() {
    process.on("exit", () => {
        try {
            fs.rmSync(owned.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
        } catch (err) {
            console.error(`removing ${owned.profile}: ${err.message}`);
        }
    });
}

// Closes the browser, bounded: if Chromium hangs, process.exit still ends it (Playwright kills it on exit).
async function closeBrowser() {
    if (owned.context)
        await Promise.race([
            owned.context.close().catch((err) => console.error(`closing the browser: ${err.message}`)),
            sleep(3_000),
        ]);
}

// Starts wsecho-server on a free port; resolves with its origin once it logged where it listens.
function startServer(binary) {
    return new Promise((resolve, reject) => {
        const child = spawn(binary, ["--listen", "127.0.0.1:0"], { stdio: ["ignore", "inherit", "pipe"] });
        owned.server = child;
        let buffered = "";
        const timer = setTimeout(
            () => reject(new Error(`no "listening on" line within ${START_MS} ms`)), START_MS);
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk) => {
            process.stdout.write(chunk.replace(/^(?=.)/gm, "[server] "));
            buffered += chunk;
            const match = buffered.match(/listening on http:\/\/(127\.0\.0\.1:\d+)/);
            if (match) {
                clearTimeout(timer);
                resolve(`http://${match[1]}`);
            }
        });
        child.on("error", (err) => { clearTimeout(timer); reject(err); });
        child.on("exit", (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`wsecho-server exited before listening (code ${code}, signal ${signal})`));
        });
    });
}

// SIGTERM, then the exit status; SIGKILL if it does not exit in time.
function stopServer() {
    const child = owned.server;
    return new Promise((resolve) => {
        const timer = setTimeout(() => { child.kill("SIGKILL"); resolve(`killed after ${WAIT_MS} ms`); }, WAIT_MS);
        child.once("exit", (code, signal) => {
            clearTimeout(timer);
            resolve(signal ? `signal ${signal}` : `code ${code}`);
        });
        child.kill("SIGTERM");
    });
}

const byTestId = (id) => `[data-testid="${id}"]`;

async function waitForState(page, state) {
    await page.locator(`${byTestId("state")}[data-state="${state}"]`).waitFor({ timeout: WAIT_MS });
}

// Sends one message and checks that its echo shows up with a round-trip time; returns the RTT in ms.
async function sendAndExpectEcho(page, text, { pressEnter }) {
    const echoes = page.locator(`${byTestId("log-entry")}[data-kind="echo"]`);
    const before = await echoes.count();
    await page.fill(byTestId("message"), text);
    if (pressEnter)
        await page.press(byTestId("message"), "Enter");
    else
        await page.click(byTestId("send"));
    await page.waitForFunction((n) => document.querySelectorAll('[data-kind="echo"]').length > n, before,
        { timeout: WAIT_MS });
    const echo = echoes.nth(before);
    assert.equal(await echo.locator(".text").textContent(), text, "the echo shows the text that was sent");
    const rtt = echo.locator(byTestId("rtt"));
    const rttMs = Number(await rtt.getAttribute("data-rtt-ms"));
    assert.ok(Number.isFinite(rttMs) && rttMs >= 0, `the echo carries a round-trip time (got ${rttMs})`);
    assert.match(await rtt.textContent(), /^\d+(\.\d+)? ms$/, "the round-trip time is shown in ms");
    return rttMs;
}

// Nothing may stick out to the right: the page must not scroll sideways at this width.
async function assertNoHorizontalOverflow(page, label) {
    const layout = await page.evaluate(() => {
        const viewport = document.documentElement.clientWidth;
        const outside = [...document.querySelectorAll("body *")]
            .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > viewport + 0.5)
            .map((el) => el.id || el.dataset.testid || el.className || el.tagName);
        return { viewport, scrollWidth: document.documentElement.scrollWidth, outside };
    });
    assert.ok(layout.scrollWidth <= layout.viewport,
        `${label}: page is ${layout.scrollWidth} px wide in a ${layout.viewport} px viewport`);
    assert.deepEqual(layout.outside, [], `${label}: elements past the right edge`);
}

async function screenshot(page, name, options = {}) {
    const file = path.join(args.artifacts, name);
    await page.screenshot({ path: file, ...options });
    say(`screenshot: ${file}`);
}

async function run() {
    fs.mkdirSync(args.artifacts, { recursive: true });
    const origin = await startServer(args.server);
    say(`server at ${origin}`);

    owned.profile = fs.mkdtempSync(path.join(os.tmpdir(), "wsecho-chromium-"));
    try {
        owned.context = await chromium.launchPersistentContext(owned.profile, {
            executablePath: args.chromium, headless: true, args: CHROMIUM_FLAGS, viewport: DESKTOP,
            timeout: 15_000,
        });
    } finally {
        removeProfileOnExit();
    }
    const page = owned.context.pages()[0] || await owned.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    say(`chromium ${owned.context.browser()?.version() ?? "(persistent context)"} started`);

    const errors = [];
    page.on("pageerror", (err) => errors.push(`page error: ${err.message}`));
    // A graceful close logs nothing; a dropped WebSocket, a CSP violation or a script error all do.
    page.on("console", (msg) => { if (msg.type() === "error") errors.push(`console: ${msg.text()}`); });
    const foreign = [];
    const socketUrl = origin.replace(/^http/, "ws") + "/socket";
    page.on("request", (req) => {
        if (!req.url().startsWith(origin + "/") && !req.url().startsWith("data:"))
            foreign.push(req.url());
    });
    page.on("websocket", (ws) => { if (ws.url() !== socketUrl) foreign.push(ws.url()); });

    const response = await page.goto(origin + "/", { timeout: WAIT_MS });
    assert.equal(response.status(), 200);
    const headers = response.headers();
    assert.equal(headers["content-type"], "text/html; charset=utf-8");
    const policy = headers["content-security-policy"] || "";
    assert.match(policy, /default-src 'none'/, "CSP denies what the page does not name");
    assert.match(policy, /connect-src 'self'/, "CSP lets the page reach its own socket");
    const html = await response.text();
    assert.doesNotMatch(html, /https?:\/\//, "the page names no http(s) URL: it loads nothing from elsewhere");
    say(`page loaded; Content-Security-Policy: ${policy}`);

    await waitForState(page, "disconnected");
    assert.equal(await page.textContent(byTestId("url")), socketUrl);

    await page.click(byTestId("connect"));
    await waitForState(page, "open");
    say("connected");

    const first = await sendAndExpectEcho(page, "Hello from Chromium", { pressEnter: false });
    // A long word must wrap inside the log, not widen the page.
    const longWord = "ünïcödé-and-a-long-word-" + "x".repeat(120);
    const second = await sendAndExpectEcho(page, longWord, { pressEnter: true });
    say(`echoes shown with round-trip times ${first} ms and ${second} ms`);
    assert.equal(await page.textContent(byTestId("sent")), "2");
    assert.equal(await page.textContent(byTestId("received")), "2");
    assert.match(await page.textContent(byTestId("rtt-last")), /^\d+(\.\d+)?\s*ms$/, "the last-RTT tile is set");
    assert.equal(await page.getAttribute(byTestId("chart"), "data-samples"), "2", "the chart plots both");

    await assertNoHorizontalOverflow(page, "desktop 1280 px");
    await screenshot(page, "console.png");

    await page.click(byTestId("disconnect"));
    await page.locator(`${byTestId("close-info")}[data-close-code="1000"]`).waitFor({ timeout: WAIT_MS });
    await waitForState(page, "closed");
    say("disconnect button: closed with 1000");
    await page.click(byTestId("connect"));
    await waitForState(page, "open");
    await sendAndExpectEcho(page, "again after reconnecting", { pressEnter: true });
    say("reconnected and echoed");

    await page.setViewportSize(PHONE);
    await assertNoHorizontalOverflow(page, "phone 375 px");
    await screenshot(page, "console-phone.png", { fullPage: true });
    await page.setViewportSize(DESKTOP);

    say(`server stopped with SIGTERM: ${await stopServer()}`);
    const closeInfo = page.locator(`${byTestId("close-info")}[data-close-code]:not([hidden])`);
    await closeInfo.waitFor({ timeout: WAIT_MS });
    await waitForState(page, "closed");
    const code = Number(await closeInfo.getAttribute("data-close-code"));
    say(`after the server stopped the page shows close code ${code}`);
    // The server's graceful shutdown closes every session with 1001 (going away) and waits for the reply.
    assert.equal(code, 1001, "the server's shutdown reaches the page as close 1001");
    assert.match(await closeInfo.textContent(), /code 1001 \(going away\)/);
    assert.equal(await closeInfo.getAttribute("data-clean"), "true", "1001 after a handshake is a clean close");
    await screenshot(page, "console-closed.png");

    assert.deepEqual(foreign, [], "the page reached nothing but its own origin");
    assert.deepEqual(errors, [], "no script errors or CSP violations on the console");
}

async function main() {
    const watchdog = setTimeout(async () => {
        console.error(`FAIL: over the ${BUDGET_MS} ms budget; killing the server and the browser`);
        killServer();
        await closeBrowser();
        process.exit(1);
    }, BUDGET_MS);
    let status = 0;
    try {
        await run();
        say("PASS");
    } catch (err) {
        console.error(`FAIL: ${err.stack || err}`);
        status = 1;
    } finally {
        clearTimeout(watchdog);
        await closeBrowser();
        killServer();
    }
    process.exit(status);
}

main();
