// What to paste into the receiving page so it checks the gateway's signature: one snippet per
// example receiver in examples/. Returned as text for the terminal; never written to a file.

export const RECEIVERS = ['classic-asp', 'aspnet', 'node'] as const;
export type Receiver = (typeof RECEIVERS)[number];

export interface Snippet {
  /** Where it goes, e.g. "webhook_config.asp (next to notify.asp)". */
  file: string;
  /** The example it belongs to (a path in this repository). */
  example: string;
  text: string;
}

/** `secret` is the FORWARD_SECRET value (several, space-separated, during a rotation). */
export function receiverSnippet(receiver: Receiver, secret: string): Snippet {
  switch (receiver) {
    case 'classic-asp':
      return {
        file: 'webhook_config.asp',
        example: 'examples/classic-asp/webhook_config.example.asp',
        text: `Const WEBHOOK_SECRETS = "${secret}"`,
      };
    case 'aspnet':
      return {
        file: 'web.config  <configuration><appSettings>',
        example: 'examples/aspnet/README.md',
        text: `<add key="AlipayEdge.WebhookSecrets" value="${secret}" />`,
      };
    case 'node':
      // A line in a file the server reads, not `FORWARD_SECRET=… node …`: a command line keeps the
      // secret in the shell's history.
      return {
        file: './.dev.vars where you start examples/node-origin/server.mjs (it reads FORWARD_SECRET there when its environment has none; or startOrigin({ secret }))',
        example: 'examples/node-origin/README.md',
        text: `FORWARD_SECRET="${secret}"`,
      };
  }
}
