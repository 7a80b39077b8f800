// The settings `init` asks for, as data: one entry per setting (where it is stored, the question in
// both languages, how it is answered, its default, how it is checked, its command-line flag).
// Adding a setting is one entry here; init-ask.ts walks the table section by section.

import { ALIPAY_SANDBOX_GATEWAY_URL, DEFAULTS } from '../src/config/names';
import { base64Encode } from '../src/utils/base64';
import type { Text } from './init-i18n';
import { ALERT_FORMATS } from '../src/alerts/types';
import { loadPrivateKey } from '../src/alipay/private-key';
import { gateway, type KnownSettings, type Validator } from './init-validate';
import { newForwardSecret } from './secret';

export type SectionId = 'alipay' | 'origin' | 'route' | 'forward' | 'admin' | 'status' | 'reconcile' | 'alerts';

/** How an answer is given. */
export type InputKind =
  /** One line, shown while typed. */
  | 'line'
  /** One line, hidden while typed (a secret). */
  | 'hidden'
  /** Key material: a file path, or pasted lines ending with an empty line. */
  | 'key'
  /** Like `key`, hidden while pasted (a private key). */
  | 'hidden-key'
  /** One of `choices`. */
  | 'choice'
  /** Made by init (a random secret); a `--…-file` flag can supply one instead. */
  | 'generated'
  /** Not asked: follows from another answer (NOTIFY_PATH from the notify URL). */
  | 'derived';

export interface SettingEntry {
  readonly name: string;
  readonly storage: 'secret' | 'var';
  readonly section: SectionId;
  readonly input: InputKind;
  readonly question: Text;
  /** A line under the question: what to look for, where to find it. */
  readonly help?: Text;
  readonly choices?: readonly string[];
  /** The answer when the merchant just presses Enter (and under --yes). */
  readonly default?: string | ((known: KnownSettings) => string | undefined);
  /** An empty answer leaves the setting unset. */
  readonly optional?: boolean;
  /** …except when this holds (the partner id without an app id). */
  readonly requiredWhen?: (known: KnownSettings) => boolean;
  /** A risky answer: asked to confirm at a terminal, printed as a warning under --yes. */
  readonly warnWhen?: { readonly test: (value: string) => boolean; readonly text: Text };
  /** Asked only when this holds (answers so far). */
  readonly when?: (known: KnownSettings) => boolean;
  /** How an answer is checked: the gateway's own config reader unless the table entry names another. */
  readonly check: Validator;
  readonly generate?: () => string;
  /** Lines shown once an answer is accepted (what it turned out to be; never the secret itself). */
  readonly explain?: (value: string) => Promise<string[]>;
  /** The command-line flag; `file` flags name a file holding the value (secrets never go on a command line). */
  readonly flag?: { readonly name: string; readonly file?: boolean; readonly multiple?: boolean };
}

export interface SectionEntry {
  readonly id: SectionId;
  readonly title: Text;
  /** Optional sections are off unless the merchant turns them on (or a flag of theirs is given). */
  readonly enable?: { readonly question: Text; readonly flag: string; readonly by: string };
}

export const SECTIONS: readonly SectionEntry[] = [
  { id: 'alipay', title: { en: 'Alipay', zh: '支付宝' } },
  { id: 'origin', title: { en: 'Your receiving page', zh: '接收页面' } },
  { id: 'route', title: { en: 'Where Alipay posts', zh: '支付宝通知地址' } },
  { id: 'forward', title: { en: 'What is forwarded', zh: '转发哪些通知' } },
  {
    id: 'admin',
    title: { en: 'Admin console', zh: '管理后台' },
    enable: { question: { en: 'Turn on the admin console (/admin, signed in with ADMIN_TOKEN)?', zh: '启用管理后台吗（/admin，用 ADMIN_TOKEN 登录）？' }, flag: 'admin', by: 'ADMIN_TOKEN' },
  },
  {
    id: 'status',
    title: { en: 'Payment status for the buyer', zh: '买家支付状态' },
    enable: {
      question: { en: 'Let your pages show the buyer the live payment status (/alipay/status, signed with STATUS_SECRET)?', zh: '让您的页面向买家实时显示支付状态吗（/alipay/status，用 STATUS_SECRET 签名）？' },
      flag: 'status',
      by: 'STATUS_SECRET',
    },
  },
  {
    id: 'reconcile',
    title: { en: 'Reconciliation with Alipay', zh: '向支付宝查单对账' },
    enable: {
      question: { en: 'Ask Alipay about orders whose notification never came (needs your app PRIVATE key)?', zh: '对收不到通知的订单主动向支付宝查询吗（需要应用私钥）？' },
      flag: 'reconcile',
      by: 'ALIPAY_APP_PRIVATE_KEY',
    },
  },
  {
    id: 'alerts',
    title: { en: 'Alerts to a person', zh: '告警通知' },
    enable: { question: { en: 'Send alerts (dead letters, failing page, key problems) to DingTalk, WeCom, Feishu/Lark, Slack or a URL of yours?', zh: '发送告警（死信、接收页面故障、密钥问题）到钉钉、企业微信、飞书、Slack 或您的 URL 吗？' }, flag: 'alerts', by: 'ALERT_URL' },
  },
];

/** A random token, URL- and header-safe: base64url of `bytes` random bytes. */
function randomToken(bytes: number): string {
  return base64Encode(crypto.getRandomValues(new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const includesMd5 = (known: KnownSettings) => /\bMD5\b/i.test(known['ALIPAY_SIGN_TYPES'] ?? DEFAULTS.ALIPAY_SIGN_TYPES);
/** Certificate mode: the Alipay public key given is a certificate (unknown when it is a secret set earlier). */
const certificateMode = (known: KnownSettings) => /BEGIN CERTIFICATE/.test(known['ALIPAY_PUBLIC_KEY'] ?? '');

/** A table entry: `check` may be left out (the gateway's reader). */
type TableEntry = Omit<SettingEntry, 'check'> & { readonly check?: Validator };

/** For key material asked as a path or pasted text. */
const PASTE_HELP: Text = { en: 'A file path, or paste it and end with an empty line.', zh: '输入文件路径，或粘贴后按一次回车（空行）结束。' };

const TABLE: readonly TableEntry[] = [
  // ---- Alipay ----
  {
    name: 'ALIPAY_PUBLIC_KEY',
    storage: 'secret',
    section: 'alipay',
    input: 'key',
    question: { en: 'The Alipay public key (支付宝公钥), or the certificate alipayCertPublicKey_RSA2.crt', zh: '支付宝公钥（不是应用公钥），或证书 alipayCertPublicKey_RSA2.crt' },
    help: {
      en: 'From the Alipay open platform console. NOT your app public key (应用公钥). Give a file path, or paste it and end with an empty line.',
      zh: '在支付宝开放平台控制台查看。不要填应用公钥。输入文件路径，或直接粘贴，再按一次回车（空行）结束。',
    },
    flag: { name: 'alipay-public-key', file: true, multiple: true },
  },
  {
    name: 'ALIPAY_APP_ID',
    storage: 'var',
    section: 'alipay',
    input: 'line',
    question: { en: 'Your Alipay app id (APPID, e.g. 2021000123456789; several: comma-separated)', zh: '支付宝应用 APPID（例如 2021000123456789；多个用逗号分隔）' },
    help: { en: 'Empty only for an old mapi integration (partner id 2088…, asked next).', zh: '只有旧版 mapi 接口（合作伙伴 ID 2088…）才留空，下一题会问。' },
    optional: true,
    flag: { name: 'app-id' },
  },
  {
    name: 'ALIPAY_SELLER_ID',
    storage: 'var',
    section: 'alipay',
    input: 'line',
    question: { en: 'Your partner id / seller id (2088…), checked on every notification', zh: '合作伙伴 ID / 卖家 ID（2088…），每条通知都会核对' },
    help: { en: 'Optional with an app id (Enter to skip); required for mapi.', zh: '有 APPID 时可不填（直接回车）；mapi 接口必须填。' },
    optional: true,
    requiredWhen: (known) => (known['ALIPAY_APP_ID'] ?? '').trim() === '',
    flag: { name: 'seller-id' },
  },
  {
    name: 'ALIPAY_SIGN_TYPES',
    storage: 'var',
    section: 'alipay',
    input: 'line',
    question: { en: 'Accepted signature types (RSA2; add RSA or MD5 only if your integration uses them)', zh: '接受的签名类型（RSA2；仅当您的接口使用时才加 RSA 或 MD5）' },
    default: DEFAULTS.ALIPAY_SIGN_TYPES,
    warnWhen: {
      test: (value) => /\bMD5\b/i.test(value),
      text: {
        en: 'MD5 is the legacy mapi signature: anyone who learns the partner key can forge notifications. Accept it only if your integration signs with MD5.',
        zh: 'MD5 是旧版 mapi 的签名方式：任何知道合作伙伴密钥的人都能伪造通知。只有您的接口用 MD5 签名时才接受它。',
      },
    },
    flag: { name: 'sign-types' },
  },
  {
    name: 'ALIPAY_MD5_KEY',
    storage: 'secret',
    section: 'alipay',
    input: 'hidden',
    question: { en: 'The mapi MD5 key (the partner key, 32 characters; hidden while typed)', zh: 'mapi 的 MD5 密钥（合作伙伴密钥，32 位；输入时不显示）' },
    when: includesMd5,
    flag: { name: 'md5-key-file', file: true },
  },
  // ---- the receiving page ----
  {
    name: 'ORIGIN_URL',
    storage: 'secret',
    section: 'origin',
    input: 'line',
    question: { en: 'The address of your receiving page (https://…, the example page from examples/)', zh: '接收页面的地址（https://…，即 examples/ 里的示例页面）' },
    help: {
      en: 'The gateway posts each verified payment there. Not your current notify page: a new address, e.g. /pay/alipay_notify_origin.asp.',
      zh: '网关把验证过的付款通知转发到这里。不要用现在的通知页面：用一个新地址，例如 /pay/alipay_notify_origin.asp。',
    },
    flag: { name: 'origin-url' },
  },
  {
    name: 'FORWARD_SECRET',
    storage: 'secret',
    section: 'origin',
    input: 'generated',
    question: { en: 'The forward secret (whsec_…) shared with your receiving page', zh: '与接收页面共享的转发密钥（whsec_…）' },
    generate: newForwardSecret,
    flag: { name: 'forward-secret-file', file: true },
  },
  // ---- where Alipay posts ----
  {
    name: 'NOTIFY_PATH',
    storage: 'var',
    section: 'route',
    input: 'derived',
    question: { en: 'The path Alipay posts to', zh: '支付宝通知的路径' },
    default: DEFAULTS.NOTIFY_PATH,
  },
  // ---- what is forwarded ----
  {
    name: 'FORWARD_EVENTS',
    storage: 'var',
    section: 'forward',
    input: 'line',
    question: { en: 'Which events reach your page: paid, refund, closed, waiting, other, or all', zh: '哪些事件转发给接收页面：paid、refund、closed、waiting、other 或 all' },
    help: { en: 'The example pages handle paid (and record the others).', zh: '示例页面处理 paid（其他事件只记录）。' },
    default: DEFAULTS.FORWARD_EVENTS,
    flag: { name: 'events' },
  },
  {
    name: 'ACK_MODE',
    storage: 'var',
    section: 'forward',
    input: 'choice',
    choices: ['durable', 'after-delivery'],
    question: { en: 'When Alipay hears "success"', zh: '何时回复支付宝 "success"' },
    help: {
      en: 'durable: as soon as the notification is stored (recommended); after-delivery: only once your page has it.',
      zh: 'durable：通知一存好就回复（推荐）；after-delivery：接收页面确认收到后才回复。',
    },
    default: DEFAULTS.ACK_MODE,
    flag: { name: 'ack-mode' },
  },
  // ---- optional parts ----
  {
    name: 'ADMIN_TOKEN',
    storage: 'secret',
    section: 'admin',
    input: 'generated',
    question: { en: 'The admin token (sign-in of the console and the admin API)', zh: '管理令牌（登录管理后台和管理 API）' },
    generate: () => randomToken(24),
    flag: { name: 'admin-token-file', file: true },
  },
  {
    name: 'ORIGIN_MAX_RPS',
    storage: 'var',
    section: 'admin',
    input: 'line',
    question: { en: 'How many deliveries a second your page can take when the console resumes held deliveries', zh: '在管理后台恢复暂停的投递时，接收页面每秒最多承受几次投递' },
    help: { en: 'A small IIS site: keep 5.', zh: '小型 IIS 站点：保持 5 即可。' },
    default: DEFAULTS.ORIGIN_MAX_RPS,
    flag: { name: 'origin-max-rps' },
  },
  {
    name: 'STATUS_SECRET',
    storage: 'secret',
    section: 'status',
    input: 'generated',
    question: { en: 'The status secret your pages sign the buyer\'s status links with', zh: '您的页面为买家状态链接签名用的密钥' },
    generate: () => randomToken(32),
    flag: { name: 'status-secret-file', file: true },
  },
  {
    name: 'STATUS_ALLOWED_ORIGINS',
    storage: 'var',
    section: 'status',
    input: 'line',
    question: { en: 'Sites whose pages read the status (e.g. https://shop.example.com; comma-separated)', zh: '哪些网站的页面读取支付状态（例如 https://shop.example.com；逗号分隔）' },
    help: {
      en: 'List every site whose pages show the status widget: without it the widget cannot read the status. Enter to skip if no page shows it.',
      zh: '列出所有显示支付状态组件的网站：未列出的网站上，组件读不到状态。没有页面显示它时可直接回车跳过。',
    },
    optional: true,
    flag: { name: 'status-origins' },
  },
  {
    name: 'ALIPAY_APP_PRIVATE_KEY',
    storage: 'secret',
    section: 'reconcile',
    input: 'hidden-key',
    question: { en: 'Your app PRIVATE key (应用私钥) from Alipay\'s key tool (hidden while pasted)', zh: '应用私钥（支付宝密钥工具生成；粘贴时不显示）' },
    help: {
      en: 'A file path, or paste it and end with an empty line. It signs the order queries; it never leaves Cloudflare.',
      zh: '输入文件路径，或粘贴后按一次回车（空行）结束。它只用于给查单请求签名，保存在 Cloudflare。',
    },
    explain: async (value) => {
      const loaded = await loadPrivateKey(value);
      if (!loaded.ok) return [];
      return [
        `RSA-${loaded.key.modulusBits}; its app public key (应用公钥), as the Alipay console shows it:`,
        `  ${base64Encode(loaded.key.publicSpki)}`,
      ];
    },
    flag: { name: 'app-private-key-file', file: true },
  },
  {
    name: 'ALIPAY_APP_CERT',
    storage: 'secret',
    section: 'reconcile',
    input: 'key',
    question: { en: 'Certificate mode: your app certificate appCertPublicKey_<app_id>.crt', zh: '证书模式：应用公钥证书 appCertPublicKey_<app_id>.crt' },
    help: PASTE_HELP,
    when: certificateMode,
    flag: { name: 'app-cert-file', file: true },
  },
  {
    name: 'ALIPAY_ROOT_CERT',
    storage: 'secret',
    section: 'reconcile',
    input: 'key',
    question: { en: 'Certificate mode: Alipay\'s root certificate bundle alipayRootCert.crt', zh: '证书模式：支付宝根证书 alipayRootCert.crt' },
    help: PASTE_HELP,
    when: certificateMode,
    flag: { name: 'root-cert-file', file: true },
  },
  {
    name: 'ALIPAY_GATEWAY_URL',
    storage: 'var',
    section: 'reconcile',
    input: 'line',
    question: { en: 'Alipay\'s OpenAPI gateway', zh: '支付宝开放平台网关' },
    help: { en: `Sandbox: ${ALIPAY_SANDBOX_GATEWAY_URL}`, zh: `沙箱：${ALIPAY_SANDBOX_GATEWAY_URL}` },
    default: DEFAULTS.ALIPAY_GATEWAY_URL,
    flag: { name: 'alipay-gateway-url' },
  },
  {
    name: 'ALERT_URL',
    storage: 'secret',
    section: 'alerts',
    input: 'hidden',
    question: { en: 'The alert robot\'s webhook URL (it carries its token: hidden while typed)', zh: '告警机器人的 Webhook 地址（含令牌，输入时不显示）' },
    flag: { name: 'alert-url-file', file: true },
  },
  {
    name: 'ALERT_FORMAT',
    storage: 'var',
    section: 'alerts',
    input: 'choice',
    choices: ALERT_FORMATS,
    question: { en: 'Alert format', zh: '告警格式' },
    help: { en: 'Enter: from the URL\'s host (DingTalk, WeCom, Feishu/Lark, Slack robots), else json.', zh: '回车：按地址的主机判断（钉钉、企业微信、飞书、Slack 机器人），否则为 json。' },
    optional: true,
    flag: { name: 'alert-format' },
  },
  {
    name: 'ALERT_SECRET',
    storage: 'secret',
    section: 'alerts',
    input: 'hidden',
    question: { en: 'The alert signing secret (DingTalk: the robot\'s SEC… secret; Feishu: its 签名校验 secret; json: a whsec_ secret; Enter for none)', zh: '告警签名密钥（钉钉：机器人加签的 SEC… 密钥；飞书：签名校验的密钥；json：whsec_ 密钥；没有就回车）' },
    optional: true,
    flag: { name: 'alert-secret-file', file: true },
  },
];

export const SETTINGS: readonly SettingEntry[] = TABLE.map((entry) => ({ check: gateway, ...entry }));

export function settingsOf(section: SectionId): SettingEntry[] {
  return SETTINGS.filter((s) => s.section === section);
}

export function settingNamed(name: string): SettingEntry {
  const entry = SETTINGS.find((s) => s.name === name);
  if (!entry) throw new Error(`no setting ${name} in the init table`);
  return entry;
}

/** Entries checked by a local validator because the gateway does not know the setting yet. */
export function locallyValidated(): string[] {
  return SETTINGS.filter((s) => s.check.source(s.name) === 'local').map((s) => s.name);
}
