// init speaks the merchant's language: English or Chinese (`--lang en|zh`, else the locale of the
// environment). Every sentence is here in both; the settings' questions are in the settings table.
// The gateway's own diagnostics (a key's problem, a setting's problem) stay as the gateway words
// them, so they match /health, `check` and the logs.

import type { ProbeOutcome } from './init-probe';
import type { RouteProblem, RouteWarning } from './init-route';

export type Lang = 'en' | 'zh';
export interface Text {
  readonly en: string;
  readonly zh: string;
}

/** zh when the environment's locale says Chinese (LC_ALL, LC_MESSAGES, LANG, then the OS locale). */
export function detectLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const locale = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || Intl.DateTimeFormat().resolvedOptions().locale;
  return /^zh/i.test(locale ?? '') ? 'zh' : 'en';
}

const EN = {
  intro: 'alipay-notify-edge init: a guided first deployment. Each answer is checked on the spot; nothing is written before the summary.',
  introDevVars: 'Local trial: the settings go to .dev.vars (for `npm start` / `wrangler dev`), not to Cloudflare.',
  currentlySet: 'Configured now:',
  unsetMark: '(not set)',
  routesNow: 'route',
  noToml: 'no wrangler.toml in {path}: run init in the project directory (your clone of alipay-notify-edge).',
  notLoggedIn: 'wrangler is not logged in to Cloudflare. Run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then run init again. For a local trial without an account: init --dev-vars.',
  wranglerFailed: '`wrangler secret list` failed:',
  interrupted: 'Stopped. Nothing was written.',
  inputEnded: 'The input ended before every question was answered. Nothing was written.',
  interruptedAfterWrites: 'Stopped. {written} Run init again to finish: it shows what is set now.',
  inputEndedAfterWrites: 'The input ended before every question was answered. {written} Run init again to finish: it shows what is set now.',
  alreadyWritten: 'Already written: {done}.',
  stoppedDuring: 'Under way when it stopped (it may or may not have taken effect): {step}.',
  writtenSecret: 'the secret {name}',
  writtenDeploy: 'the deploy (wrangler deploy)',
  localValidators: 'checked by init\'s own rules (this version of the gateway does not check them yet): {names}',
  pickSections: 'What do you want to change? (numbers, comma-separated; Enter: nothing, just check and deploy)',
  pickSectionsPrompt: '>',
  pickSectionsAgain: 'Give numbers from 1 to {max}.',
  turnOffHow: 'Left on: to turn it off, remove its secrets with `npx wrangler secret delete NAME` ({names}).',
  flagRefused: '{flag}: the value cannot be used as {name} (see above).',
  keepGenerated: 'Keep the current {name}? (a new one must also go into your page)',
  cannotShowGenerated: 'a new {name} would be made, but this output is not a terminal, so it could not be shown to you: pass {flag} FILE (a value you keep), or --show-secret.',
  missingFlag: '{name} is needed: pass {flag} (or run init in a terminal to be asked).',
  enterKeeps: 'Enter keeps: {value}',
  enterDefault: 'Enter: {value}',
  enterSkips: 'Enter skips',
  required: 'an answer is needed here',
  chooseOneOf: 'choose one of: {choices}',
  keyIsSet: 'ALIPAY_PUBLIC_KEY is set. What now?',
  keyKeep: 'keep it',
  keyAdd: 'add a new key beside it (rotation: both are accepted until you remove the old one)',
  keyReplace: 'replace it (only the key you give now; also ends a rotation)',
  rotationNext: 'Both keys are accepted now. Once Alipay signs with the new one and {age} have passed, run init again and choose "replace" with the new key alone.',
  keyCurrent: 'The key that is set now (Cloudflare never gives a secret back): a file path, or paste it and end with an empty line',
  keyCurrentUnusable: 'that is not a usable public key',
  gatewayUrlForCompare: 'The gateway\'s address, to compare with the keys it uses (Enter to skip)',
  keyMatchesDeployed: 'this is a key the gateway uses now',
  keyNotDeployed: 'the gateway does not use this key now',
  useAnyway: 'Use it anyway?',
  keyTryAgain: 'Try again: the Alipay public key (支付宝公钥) from the Alipay console, or alipayCertPublicKey_RSA2.crt.',
  originUnderRoute: 'the receiving page is covered by the route {pattern}: deliveries would come back to the gateway. Use an address the route does not cover.',
  probeNeedsSecret: 'To test the page, paste the FORWARD_SECRET it has (hidden; Enter to skip the test)',
  probeNoSecret: 'the receiving page was not tested (its secret is not known here).',
  whichReceiver: 'Which example is your receiving page? (for what to paste into it)',
  secretForPage: 'Your page\'s forward secret (shown once):',
  pasteSnippet: 'Put this in {file} (see {example}):',
  secretNotShown: 'The secret is not printed because this output is not a terminal; use the value of your --forward-secret-file.',
  probeReady: 'When the page is in place with this secret, press Enter to test it (s: skip the test)',
  probing: 'Sending the page a signed test event ({url}) …',
  probeFailedStop: 'The receiving page is not ready (above). Nothing was written. Fix it and run init again, or pass --no-probe.',
  probeAgain: 'Enter: test again · u: change the address · s: skip the test',
  notifyUrlQuestion: 'The notify_url Alipay posts to now (your current notify page), to put the gateway in front of it with a route',
  notifyUrlHelp: 'Your site must be on Cloudflare for this. Without a route, you change notify_url to the gateway\'s address instead.',
  enterNoRoute: 'Enter: no route',
  zoneQuestion: 'The Cloudflare zone (your domain) of {host}',
  routeSummary: 'route {pattern}  (zone {zone}); NOTIFY_PATH = {path}',
  routeExact: 'an exact pattern: only this URL, without a query string (if your code adds ?… to notify_url, give the URL with it to get a * pattern)',
  zoneMismatch: '{host} is not in the zone {zone}',
  routeNeedsZone: 'Needs {zone} on Cloudflare with {host} proxied (orange cloud). Leave the old page where it is: it is your way back.',
  routeOk: 'Use this route?',
  summary: 'Summary',
  wholeConfigProblems: 'The gateway would report these problems:',
  writeAnyway: 'Write anyway?',
  nothingWritten: 'Nothing was written.',
  confirmWrite: 'Write wrangler.toml and put the secrets on Cloudflare now?',
  confirmWriteDevVars: 'Write .dev.vars now?',
  nothingToChange: 'Nothing to change.',
  secretPutFailed: '`wrangler secret put {name}` failed:',
  secretsPartlyPut: 'Stopped: the secrets marked ✓ above were put; run init again to finish.',
  secretPut: '{name} put on Cloudflare',
  firstSecretCreatesWorker: 'The Worker "{name}" does not exist yet: the first secret creates it empty, the deploy then fills it (until then it answers nothing).',
  pageTest: 'receiving page',
  pageReady: 'tested, ready',
  pageNotTested: 'not tested',
  pageNotReady: 'tested, NOT ready',
  dryRunning: 'Checking the build: wrangler deploy --dry-run …',
  dryRunFailed: 'wrangler deploy --dry-run failed:',
  dryRunOk: 'the Worker builds with these settings',
  deployNow: 'Deploy now (wrangler deploy)?',
  deployLater: 'Not deployed. When ready: `npx wrangler deploy`, then `npx alipay-notify-edge check <the Worker\'s address>`.',
  deploying: 'Deploying: wrangler deploy …',
  deployFailed: 'wrangler deploy failed (above).',
  noDeployedUrl: 'wrangler did not print the Worker\'s address; check it with `npx alipay-notify-edge check <address>`.',
  was: 'was',
  secretGenerated: 'new, generated',
  secretNew: 'new value',
  removed: 'removed',
  notLocally: 'not used locally',
  routeReplacedNote: 'replaced by `alipay-notify-edge init` on {date}; it was:',
  tomlWritten: '{path} updated (comments and other settings kept)',
  devVarsNotIgnored: '.dev.vars is not ignored by git here, and it would hold secrets: add it to .gitignore first. Nothing was written.',
  devVarsHeader: '# Local settings written by `npx alipay-notify-edge init --dev-vars` (git-ignored; never deploy this file).',
  devVarsWritten: '{path} written (mode 600)',
  devVarsNext: 'Next: `npm start` (or `npx wrangler dev`), then `npx alipay-notify-edge check http://127.0.0.1:8787`.',
  checking: 'Checking the deployed gateway: {url}',
  cannotCheck: 'the deployed gateway was not checked: {url}: {reason}',
  routeReaches: 'the route works: {url} now reaches the gateway',
  routeNotYet: '{url} does not reach the gateway yet (routes take a minute; is the zone on Cloudflare and the host proxied?)',
  alipaySide: 'On Alipay\'s side',
  onceDeployed: 'Once deployed (not before):',
  alipayNothing: 'Nothing to change: Alipay keeps posting to {url}, and the route hands it to the gateway.',
  alipayNothingRoute: 'Nothing to change: Alipay keeps posting to your notify_url, and the route {pattern} hands it to the gateway.',
  keysNow: '{count} keys, the new one first',
  secretSetMark: 'set (secret)',
  alipayNewNotifyUrl: 'Set notify_url to {url} where your code creates payments (the notify_url parameter of each payment request).',
  generatedSecrets: 'Generated secrets, shown once: keep them in your password manager.',
} as const;

export type MessageKey = keyof typeof EN;

const ZH: Record<MessageKey, string> = {
  intro: 'alipay-notify-edge init：引导您完成首次部署。每个回答都会当场检查；确认汇总之前不会写入任何内容。',
  introDevVars: '本地试用：设置写入 .dev.vars（供 `npm start` / `wrangler dev` 使用），不会写到 Cloudflare。',
  currentlySet: '当前配置：',
  unsetMark: '（未设置）',
  routesNow: '路由',
  noToml: '{path} 中没有 wrangler.toml：请在项目目录（alipay-notify-edge 的克隆）中运行 init。',
  notLoggedIn: 'wrangler 尚未登录 Cloudflare。请运行 `npx wrangler login`（或设置 CLOUDFLARE_API_TOKEN），然后重新运行 init。没有账号也可以本地试用：init --dev-vars。',
  wranglerFailed: '`wrangler secret list` 失败：',
  interrupted: '已停止。没有写入任何内容。',
  inputEnded: '输入在回答完所有问题之前结束了。没有写入任何内容。',
  interruptedAfterWrites: '已停止。{written}重新运行 init 完成剩下的：它会显示当前的设置。',
  inputEndedAfterWrites: '输入在回答完所有问题之前结束了。{written}重新运行 init 完成剩下的：它会显示当前的设置。',
  alreadyWritten: '已经写入：{done}。',
  stoppedDuring: '停止时正在进行（可能已生效，也可能没有）：{step}。',
  writtenSecret: '机密 {name}',
  writtenDeploy: '部署（wrangler deploy）',
  localValidators: '这些设置由 init 按自己的规则检查（此版本的网关还不检查它们）：{names}',
  pickSections: '要修改哪些部分？（输入编号，逗号分隔；直接回车：不修改，只检查并部署）',
  pickSectionsPrompt: '>',
  pickSectionsAgain: '请输入 1 到 {max} 的编号。',
  turnOffHow: '仍然开启：要关闭，请用 `npx wrangler secret delete NAME` 删除其机密（{names}）。',
  flagRefused: '{flag}：该值不能用作 {name}（见上）。',
  keepGenerated: '保留当前的 {name} 吗？（新生成的也必须放进您的页面）',
  cannotShowGenerated: '将生成新的 {name}，但当前输出不是终端，无法显示给您：请传入 {flag} 文件（您保存的值），或使用 --show-secret。',
  missingFlag: '需要 {name}：请传入 {flag}（或在终端中运行 init 以回答提问）。',
  enterKeeps: '回车保留：{value}',
  enterDefault: '回车：{value}',
  enterSkips: '回车跳过',
  required: '这里必须回答',
  chooseOneOf: '请选择：{choices}',
  keyIsSet: 'ALIPAY_PUBLIC_KEY 已设置。要怎么做？',
  keyKeep: '保留',
  keyAdd: '在旁边添加新公钥（轮换：删除旧公钥之前两者都接受）',
  keyReplace: '替换（只用现在给出的公钥；轮换结束时也用这个）',
  rotationNext: '现在两个公钥都接受。等支付宝改用新公钥并且过了 {age} 之后，再运行 init，选择“替换”，只给出新公钥。',
  keyCurrent: '当前设置的公钥（Cloudflare 不会返回机密的值）：输入文件路径，或粘贴后按一次回车（空行）结束',
  keyCurrentUnusable: '这不是可用的公钥',
  gatewayUrlForCompare: '网关的地址，用于与它正在使用的公钥比对（回车跳过）',
  keyMatchesDeployed: '网关正在使用这个公钥',
  keyNotDeployed: '网关目前没有使用这个公钥',
  useAnyway: '仍然使用吗？',
  keyTryAgain: '请重试：支付宝开放平台控制台中的支付宝公钥，或 alipayCertPublicKey_RSA2.crt。',
  originUnderRoute: '接收页面被路由 {pattern} 覆盖：转发会回到网关自己。请使用路由覆盖不到的地址。',
  probeNeedsSecret: '要测试页面，请粘贴页面上配置的 FORWARD_SECRET（不显示；回车跳过测试）',
  probeNoSecret: '没有测试接收页面（这里不知道它的密钥）。',
  whichReceiver: '您的接收页面用的是哪个示例？（以便告诉您要粘贴什么）',
  secretForPage: '接收页面的转发密钥（只显示这一次）：',
  pasteSnippet: '把这一行放进 {file}（参见 {example}）：',
  secretNotShown: '当前输出不是终端，因此不显示密钥；请使用您 --forward-secret-file 文件中的值。',
  probeReady: '页面放好并配置了这个密钥后，按回车进行测试（s：跳过测试）',
  probing: '正在向页面发送一条签名的测试事件（{url}）……',
  probeFailedStop: '接收页面还没准备好（见上）。没有写入任何内容。修复后重新运行 init，或使用 --no-probe。',
  probeAgain: '回车：再测一次 · u：修改地址 · s：跳过测试',
  notifyUrlQuestion: '支付宝现在通知的 notify_url（您现有的通知页面），用路由把网关放在它前面',
  notifyUrlHelp: '这需要您的网站在 Cloudflare 上。不用路由的话，就要把 notify_url 改成网关的地址。',
  enterNoRoute: '回车：不使用路由',
  zoneQuestion: '{host} 所属的 Cloudflare 区域（您的域名）',
  routeSummary: '路由 {pattern}（区域 {zone}）；NOTIFY_PATH = {path}',
  routeExact: '精确匹配：只匹配这个地址，不带查询参数（如果您的代码会在 notify_url 后加 ?…，请连同查询参数一起给出，以得到带 * 的路由）',
  zoneMismatch: '{host} 不属于区域 {zone}',
  routeNeedsZone: '需要 {zone} 在 Cloudflare 上，且 {host} 已代理（橙色云朵）。旧页面保持原样：它是您的退路。',
  routeOk: '使用这个路由吗？',
  summary: '汇总',
  wholeConfigProblems: '网关会报告这些问题：',
  writeAnyway: '仍然写入吗？',
  nothingWritten: '没有写入任何内容。',
  confirmWrite: '现在写入 wrangler.toml 并把机密保存到 Cloudflare 吗？',
  confirmWriteDevVars: '现在写入 .dev.vars 吗？',
  nothingToChange: '没有需要修改的内容。',
  secretPutFailed: '`wrangler secret put {name}` 失败：',
  secretsPartlyPut: '已停止：上面标 ✓ 的机密已保存；重新运行 init 完成剩下的。',
  secretPut: '{name} 已保存到 Cloudflare',
  firstSecretCreatesWorker: 'Worker "{name}" 还不存在：第一个机密会创建一个空的 Worker，之后的部署会填充它（在此之前它不应答任何请求）。',
  pageTest: '接收页面',
  pageReady: '已测试，已就绪',
  pageNotTested: '未测试',
  pageNotReady: '已测试，未就绪',
  dryRunning: '检查构建：wrangler deploy --dry-run ……',
  dryRunFailed: 'wrangler deploy --dry-run 失败：',
  dryRunOk: 'Worker 可以用这些设置构建',
  deployNow: '现在部署吗（wrangler deploy）？',
  deployLater: '尚未部署。准备好后：`npx wrangler deploy`，然后 `npx alipay-notify-edge check <Worker 的地址>`。',
  deploying: '正在部署：wrangler deploy ……',
  deployFailed: 'wrangler deploy 失败（见上）。',
  noDeployedUrl: 'wrangler 没有输出 Worker 的地址；请用 `npx alipay-notify-edge check <地址>` 检查。',
  was: '原为',
  secretGenerated: '新生成',
  secretNew: '新值',
  removed: '删除',
  notLocally: '本地不使用',
  routeReplacedNote: '由 `alipay-notify-edge init` 于 {date} 替换；原来是：',
  tomlWritten: '{path} 已更新（注释和其他设置都保留）',
  devVarsNotIgnored: '这里的 git 没有忽略 .dev.vars，而它会保存机密：请先把它加入 .gitignore。没有写入任何内容。',
  devVarsHeader: '# 由 `npx alipay-notify-edge init --dev-vars` 写入的本地设置（已被 git 忽略；切勿部署此文件）。',
  devVarsWritten: '{path} 已写入（权限 600）',
  devVarsNext: '下一步：`npm start`（或 `npx wrangler dev`），然后 `npx alipay-notify-edge check http://127.0.0.1:8787`。',
  checking: '检查已部署的网关：{url}',
  cannotCheck: '没有检查已部署的网关：{url}:{reason}',
  routeReaches: '路由生效：{url} 现在到达网关',
  routeNotYet: '{url} 还没有到达网关（路由生效需要一分钟左右；区域是否在 Cloudflare 上、主机是否已代理？）',
  alipaySide: '支付宝一侧',
  onceDeployed: '部署之后（不要提前）：',
  alipayNothing: '无需修改：支付宝继续通知 {url}，路由会把它交给网关。',
  alipayNothingRoute: '无需修改：支付宝继续通知您的 notify_url，路由 {pattern} 会把它交给网关。',
  keysNow: '共 {count} 个公钥，新的在前',
  secretSetMark: '已设置（机密）',
  alipayNewNotifyUrl: '在您的代码创建支付的地方，把 notify_url 设为 {url}（每个支付请求的 notify_url 参数）。',
  generatedSecrets: '生成的密钥，只显示这一次：请保存到密码管理器。',
};

/** Both message tables (for the test that keeps them saying the same things). */
export const MESSAGES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { en: EN, zh: ZH };

const PROBE_EN: { [K in ProbeOutcome['kind']]: (o: Extract<ProbeOutcome, { kind: K }>) => string } = {
  ok: (o) => `the page answered ${o.status} "success", and refused a wrongly signed copy: it is ready`,
  'bad-url': (o) => `the gateway cannot forward to this address: ${o.message}`,
  'bad-secret': (o) => `that FORWARD_SECRET cannot be used: ${o.message}`,
  unreachable: (o) => `cannot reach the page: ${o.message}`,
  timeout: (o) => `no answer within ${o.seconds}s`,
  redirect: (o) => `the page redirected (${o.status}${o.location ? ` to ${o.location}` : ''}): the gateway does not follow redirects (a redirected POST loses its body). Use the final address.`,
  'secret-refused': (o) => `the page refused the signature (${o.status} ${o.excerpt}): it does not have this FORWARD_SECRET yet`,
  clock: (o) => `the page refused the timestamp (${o.status} ${o.excerpt}): its clock is more than 5 minutes off; sync it`,
  'http-status': (o) => `the page answered ${o.status}${o.excerpt ? `: ${o.excerpt}` : ''}`,
  'wrong-ack': (o) => `the page answered ${o.status}, but not exactly "${o.ackBody}" (${o.excerpt ? `"${o.excerpt}"` : 'empty'}): print only ${o.ackBody}, no HTML, no BOM`,
  'accepts-forgery': (o) => `the page answered ${o.status} success to a WRONGLY signed request: it does not check the signature, so anyone could mark orders paid`,
};

const PROBE_ZH: typeof PROBE_EN = {
  ok: (o) => `页面回复 ${o.status} "success"，并拒绝了签名错误的副本：已就绪`,
  'bad-url': (o) => `网关无法转发到这个地址：${o.message}`,
  'bad-secret': (o) => `这个 FORWARD_SECRET 不能使用：${o.message}`,
  unreachable: (o) => `无法连接页面：${o.message}`,
  timeout: (o) => `${o.seconds} 秒内没有回复`,
  redirect: (o) => `页面重定向了（${o.status}${o.location ? ` 到 ${o.location}` : ''}）：网关不跟随重定向（重定向后的 POST 会丢失内容）。请使用最终地址。`,
  'secret-refused': (o) => `页面拒绝了签名（${o.status} ${o.excerpt}）：它还没有这个 FORWARD_SECRET`,
  clock: (o) => `页面拒绝了时间戳（${o.status} ${o.excerpt}）：服务器时钟偏差超过 5 分钟，请校准`,
  'http-status': (o) => `页面回复 ${o.status}${o.excerpt ? `:${o.excerpt}` : ''}`,
  'wrong-ack': (o) => `页面回复了 ${o.status}，但内容不完全是 "${o.ackBody}"（${o.excerpt ? `"${o.excerpt}"` : '空'}）：只输出 ${o.ackBody}，不要 HTML、不要 BOM`,
  'accepts-forgery': (o) => `页面对签名错误的请求也回复了 ${o.status} success：它没有检查签名，任何人都能把订单标记为已支付`,
};

const ROUTE_PROBLEM: Record<Lang, (p: RouteProblem) => string> = {
  en: (p) => {
    switch (p.kind) {
      case 'not-a-url':
        return 'not an absolute URL (e.g. https://shop.example.com/pay/alipay_notify.asp)';
      case 'not-http':
        return 'not an http or https URL';
      case 'ip-address':
        return 'a route needs a domain name on Cloudflare, not an IP address or a local name';
      case 'site-root':
        return 'that is the site\'s home page: a route there would take over the whole home page';
      case 'bad-path':
        return `NOTIFY_PATH: ${p.message}`;
      case 'covers-origin':
        return `the route would also cover the receiving page (${withoutQuery(p.originUrl)}): deliveries would come back to the gateway. Move the receiving page to an address that does not start with the notify page's`;
    }
  },
  zh: (p) => {
    switch (p.kind) {
      case 'not-a-url':
        return '不是完整的网址（例如 https://shop.example.com/pay/alipay_notify.asp）';
      case 'not-http':
        return '不是 http 或 https 网址';
      case 'ip-address':
        return '路由需要 Cloudflare 上的域名，不能是 IP 地址或本地名称';
      case 'site-root':
        return '这是网站首页：在这里设路由会接管整个首页';
      case 'bad-path':
        return `NOTIFY_PATH:${p.message}`;
      case 'covers-origin':
        return `路由也会覆盖接收页面（${withoutQuery(p.originUrl)}）：转发会回到网关自己。请把接收页面放到不以通知页面地址开头的地址`;
    }
  },
};

const ROUTE_WARNING: Record<Lang, (w: RouteWarning) => string> = {
  en: (w) => {
    switch (w.kind) {
      case 'wildcard-covers-more':
        return `the notify_url has a query string, so the pattern ends with *: every URL starting with ${w.prefix} goes to the gateway (which answers the others 404). Check that no other page starts like that (${w.prefix}x, a backup copy…).`;
      case 'case-sensitive':
        return `route patterns are case sensitive (IIS is not): Alipay must post to exactly ${w.path}, as your payment code spells it.`;
      case 'plain-http':
        return 'the old notify_url is plain http: the route takes it over all the same; the receiving page itself must be https.';
    }
  },
  zh: (w) => {
    switch (w.kind) {
      case 'wildcard-covers-more':
        return `notify_url 带查询参数，所以路由以 * 结尾：所有以 ${w.prefix} 开头的网址都会到网关（其他的网关回复 404）。请确认没有其他页面以此开头（${w.prefix}x、备份文件……）。`;
      case 'case-sensitive':
        return `路由区分大小写（IIS 不区分）：支付宝必须通知完全一致的 ${w.path}，与您支付代码中的写法相同。`;
      case 'plain-http':
        return '旧的 notify_url 是 http：路由照样可以接管；但接收页面本身必须是 https。';
    }
  },
};

/** ORIGIN_URL is a secret: its query may carry a token, so messages show origin and path only. */
function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(the receiving page)';
  }
}

export interface Translator {
  (key: MessageKey, params?: Record<string, string | number>): string;
  readonly lang: Lang;
  text(text: Text): string;
  probe(outcome: ProbeOutcome): string;
  routeProblem(problem: RouteProblem): string;
  routeWarning(warning: RouteWarning): string;
}

export function translator(lang: Lang): Translator {
  const messages: Record<MessageKey, string> = lang === 'zh' ? ZH : EN;
  const t = ((key: MessageKey, params: Record<string, string | number> = {}) =>
    messages[key].replace(/\{(\w+)\}/g, (all, name: string) => (name in params ? String(params[name]) : all))) as Translator;
  const probes = lang === 'zh' ? PROBE_ZH : PROBE_EN;
  return Object.assign(t, {
    lang,
    text: (text: Text) => text[lang],
    probe: (outcome: ProbeOutcome) => (probes[outcome.kind] as (o: ProbeOutcome) => string)(outcome),
    routeProblem: ROUTE_PROBLEM[lang],
    routeWarning: ROUTE_WARNING[lang],
  });
}
