// Drives a debug adapter (or `debugtape dap` in front of one) with @vscode/debugadapter-testsupport's
// DebugClient, a DAP client nobody on this project wrote. Usage: node drive.js '<json config>'.
// Config: {runtime, executable, type, launch, breakpoints: {path: [lines]}, inspect: bool,
//          exceptions: [filters], maxStops, timeoutMs}. Prints one JSON object with what it saw.
'use strict';
const { DebugClient } = require('@vscode/debugadapter-testsupport');

async function main() {
  const cfg = JSON.parse(process.argv[2]);
  const dc = new DebugClient(cfg.runtime, cfg.executable, cfg.type, { env: process.env }, true);
  dc.defaultTimeout = cfg.timeoutMs || 30000;
  const sent = new Map();
  const problems = [];
  const received = [];
  const origSend = dc.doSend.bind(dc);
  dc.doSend = (command, args, clb) => { sent.set(dc.sequence, command); origSend(command, args, clb); };
  const origDispatch = dc.dispatch.bind(dc);
  dc.dispatch = (body) => {
    const msg = JSON.parse(body);
    received.push(msg.seq);
    if (msg.type === 'response') {
      if (!sent.has(msg.request_seq)) problems.push(`response to a request the client never sent: ${msg.request_seq} ${msg.command}`);
      else if (sent.get(msg.request_seq) !== msg.command) problems.push(`response ${msg.command} to request ${sent.get(msg.request_seq)}`);
    }
    origDispatch(body);
  };
  const stops = [];
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  dc.on('terminated', () => resolveDone('terminated'));
  dc.on('exited', () => setTimeout(() => resolveDone('exited'), 2000));
  dc.on('stopped', async (ev) => {
    const stop = { reason: ev.body.reason, threadId: ev.body.threadId };
    try {
      if (cfg.inspect) {
        await dc.threadsRequest();
        const st = await dc.stackTraceRequest({ threadId: ev.body.threadId, startFrame: 0, levels: 20 });
        const top = st.body.stackFrames[0];
        stop.line = top.line;
        stop.name = top.name;
        const scopes = await dc.scopesRequest({ frameId: top.id });
        const locals = scopes.body.scopes.find((s) => /local/i.test(s.name)) || scopes.body.scopes[0];
        const vars = await dc.variablesRequest({ variablesReference: locals.variablesReference });
        stop.locals = Object.fromEntries(vars.body.variables.map((v) => [v.name, v.value]));
      }
      stops.push(stop);
      if (stops.length >= (cfg.maxStops || 1000)) {
        resolveDone('maxStops');
        return;
      }
      await dc.continueRequest({ threadId: ev.body.threadId });
    } catch (e) {
      problems.push(`at a stop: ${e.message}`);
    }
  });
  const t0 = Date.now();
  await dc.start();
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      for (const [path, lines] of Object.entries(cfg.breakpoints || {})) {
        await dc.setBreakpointsRequest({ source: { path }, breakpoints: lines.map((line) => ({ line })) });
      }
      if (cfg.exceptions) await dc.setExceptionBreakpointsRequest({ filters: cfg.exceptions });
      return dc.configurationDoneRequest();
    }),
    dc.launch(cfg.launch),
  ]);
  const how = await Promise.race([done, new Promise((r) => setTimeout(() => r('timeout'), dc.defaultTimeout))]);
  try { await dc.disconnectRequest({ terminateDebuggee: true }); } catch (e) { /* already gone */ }
  dc.stopAdapter();
  for (let i = 1; i < received.length; i++) {
    if (received[i] !== received[i - 1] + 1) { problems.push(`seq gap from the adapter side: ${received[i - 1]} -> ${received[i]}`); break; }
  }
  process.stdout.write(JSON.stringify({ how, stops, problems, ms: Date.now() - t0, messages: received.length }) + '\n',
    () => process.exit(0));  // do not wait for the adapter's pipes to close
}

main().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }) + '\n'); process.exit(1); });
