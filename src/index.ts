import { DurableObject } from 'cloudflare:workers';
export class OrderLedger extends DurableObject {}
export class DeadLetterIndex extends DurableObject {}
export default {
  async fetch(): Promise<Response> {
    return new Response('ok');
  },
} satisfies ExportedHandler;
