// `init` in a real terminal (tmux), as a merchant uses it: a private key pasted by mistake is named
// as such (and not echoed past its first line), the right key file is then accepted, the snippet
// shows the new forward secret, the page (restarted with that secret, as the merchant would after
// pasting it) passes the test, a robot URL typed at a hidden prompt never appears on screen, and the
// run ends with the dry run and what to change at Alipay. wrangler is the recording stand-in.
import { readFile } from 'node:fs/promises';
import { newForwardSecret } from '../../cli/secret';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOrigin } from '../../examples/node-origin/origin.mjs';
import type { OriginEvent, RunningOrigin } from '../../examples/node-origin/origin.d.mts';
import { BIN } from '../support/cli-run';
import { makeInitProject, type InitProject } from '../support/init-project';
import { allGone } from '../support/processes';
import { ensureTmux, openTerminal, type Terminal } from '../support/tmux';

let project: InitProject;
let terminal: Terminal;
let origin: RunningOrigin | null = null;
const received: OriginEvent[] = [];

beforeAll(async () => {
  ensureTmux();
  project = await makeInitProject({ noWorker: true });
});

afterAll(async () => {
  terminal?.close();
  await origin?.close();
  await project.remove();
});

it('a first deployment answered at the terminal, with a wrong key pasted and then corrected', async () => {
  const key = await project.keyPair('alipay');
  const privateKeyText = await readFile(key.privatePem, 'utf8');
  const robotToken = 'robot-token-6d1e0c55';
  // A port for the receiving page; it starts only once the merchant has the secret to give it.
  const placeholder = await startOrigin({ port: 0, secret: `whsec_${Buffer.alloc(32).toString('base64')}`, log: null });
  const port = placeholder.port;
  await placeholder.close();

  terminal = await openTerminal(project.root, `cd '${project.dir}' && node '${BIN}' init --lang en`, {
    ...project.standin.env,
    HOME: process.env['HOME'] ?? '/root',
    LANG: 'C.UTF-8',
  });

  await terminal.waitFor('The Alipay public key');
  terminal.paste(`${privateKeyText.trim()}\n`);
  terminal.enter();
  await terminal.waitFor('Never put a private key here');
  // Only the first line of the private key was echoed; its body was not.
  const secondLine = privateKeyText.split('\n')[1]!;
  expect(terminal.screen()).not.toContain(secondLine);
  await terminal.waitFor('Try again: the Alipay public key');
  terminal.enter(key.publicPem);
  await terminal.waitFor(/✓ PEM block 1 \(PUBLIC KEY\): an RSA-2048 public key/);

  await terminal.waitFor('Your Alipay app id');
  terminal.enter('2021000123456789');
  await terminal.waitFor('Your partner id');
  terminal.enter();
  await terminal.waitFor('Accepted signature types');
  terminal.enter();

  await terminal.waitFor('The address of your receiving page');
  terminal.enter(`http://127.0.0.1:${port}/pay/notify_origin.asp`);
  await terminal.waitFor('Which example is your receiving page?');
  terminal.enter('1');
  const shown = await terminal.waitFor(/Const WEBHOOK_SECRETS = "whsec_[A-Za-z0-9+/=]+"/);
  const secret = /Const WEBHOOK_SECRETS = "(whsec_[A-Za-z0-9+/=]+)"/.exec(shown)![1]!;
  origin = await startOrigin({ port, secret, log: null, onEvent: (e) => void received.push(e) });
  await terminal.waitFor('press Enter to test it');
  terminal.enter();
  await terminal.waitFor('it is ready');
  expect(received.map((e) => e.kind)).toEqual(['waiting']);

  await terminal.waitFor('The notify_url Alipay posts to now');
  terminal.enter(); // no route
  await terminal.waitFor('Which events reach your page');
  terminal.enter();
  await terminal.waitFor('When Alipay hears "success"');
  terminal.enter('2');
  await terminal.waitFor('ACK_MODE = after-delivery');

  await terminal.waitFor('Turn on the admin console');
  terminal.enter('y');
  await terminal.waitFor('How many deliveries a second');
  terminal.enter();
  await terminal.waitFor('live payment status');
  terminal.enter('n');
  await terminal.waitFor('Ask Alipay about orders');
  terminal.enter('n');
  await terminal.waitFor('Send alerts');
  terminal.enter('y');
  await terminal.waitFor('The alert robot\'s webhook URL');
  terminal.enter(`https://oapi.dingtalk.com/robot/send?access_token=${robotToken}`);
  await terminal.waitFor('Alert format');
  terminal.enter(); // unset: the gateway takes dingtalk from the host
  await terminal.waitFor('The alert signing secret');
  terminal.enter();

  await terminal.waitFor('Write wrangler.toml and put the secrets on Cloudflare now?');
  terminal.enter();
  await terminal.waitFor('Deploy now (wrangler deploy)?', { timeoutMs: 60_000 });
  terminal.enter('n');
  const end = await terminal.waitFor(/INIT-EXIT=\d+/);
  if (process.env['DEBUG']) console.log(end);
  expect(end).toContain('INIT-EXIT=0');
  expect(end).toContain('Set notify_url to https://alipay-notify-edge.<your-subdomain>.workers.dev/alipay/notify');
  expect(end).toMatch(/ADMIN_TOKEN = [A-Za-z0-9_-]{32}/);
  expect(end).not.toContain(robotToken);

  const records = await project.standin.records();
  expect(records.map((r) => r.argv.join(' '))).toEqual([
    'secret list --format json',
    'secret put ALIPAY_PUBLIC_KEY',
    'secret put ORIGIN_URL',
    'secret put FORWARD_SECRET',
    'secret put ADMIN_TOKEN',
    'secret put ALERT_URL',
    'deploy --dry-run',
  ]);
  const recordText = await project.standin.recordText();
  expect(recordText).not.toContain(secret);
  expect(recordText).not.toContain(robotToken);
  const toml = await readFile(project.tomlPath, 'utf8');
  expect(toml).toContain('ALIPAY_APP_ID = "2021000123456789"');
  expect(toml).toContain('ACK_MODE = "after-delivery"');
  expect(toml).not.toContain('ALERT_FORMAT =');
  expect(toml).not.toContain(secret);
}, 180_000);

it('Ctrl-C at the terminal while wrangler deploys: wrangler and what it started are stopped, init says what was written, exit 130', async () => {
  const hanging = await makeInitProject({ noWorker: true, deployHangs: true });
  let tty: Terminal | undefined;
  try {
    const key = await hanging.keyPair('alipay');
    const secretFile = await hanging.outside('forward-secret.txt', newForwardSecret());
    const flags = `--alipay-public-key '${key.publicPem}' --app-id 2021000123456789 --origin-url https://shop.example.com/pay/notify_origin.asp --forward-secret-file '${secretFile}' --receiver none --no-probe --no-route`;
    tty = await openTerminal(hanging.root, `cd '${hanging.dir}' && node '${BIN}' init --lang en ${flags}`, {
      ...hanging.standin.env,
      HOME: process.env['HOME'] ?? '/root',
      LANG: 'C.UTF-8',
    });
    // Enter (the default) to every question, "Deploy now?" included, until the deploy runs.
    let pids: { wrangler: number; child: number } | null = null;
    for (const deadline = Date.now() + 90_000; pids === null && Date.now() < deadline; ) {
      tty.enter();
      await new Promise((r) => setTimeout(r, 300));
      pids = await readFile(hanging.standin.hangFile, 'utf8').then((t) => JSON.parse(t) as { wrangler: number; child: number }, () => null);
    }
    expect(pids, tty.screen()).not.toBeNull();
    tty.key('C-c');
    const end = await tty.waitFor(/INIT-EXIT=\d+/);
    expect(end).toContain('INIT-EXIT=130');
    expect(end).toContain('Already written: wrangler.toml, the secret ALIPAY_PUBLIC_KEY, the secret ORIGIN_URL, the secret FORWARD_SECRET.');
    expect(end).toContain('Under way when it stopped (it may or may not have taken effect): the deploy (wrangler deploy).');
    expect(await allGone([pids!.wrangler, pids!.child])).toBe(true);
  } finally {
    tty?.close();
    await hanging.remove();
  }
}, 180_000);

